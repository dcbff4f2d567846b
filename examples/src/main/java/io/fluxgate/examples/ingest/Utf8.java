package io.fluxgate.examples.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). Java's decoders
 * replace bad bytes silently; a loader must refuse the row instead, and say where.
 */
final class Utf8 {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /** The offset of the first byte of the first invalid sequence in {@code bytes[0, length)}, or -1. */
    static int firstInvalid(byte[] bytes, int length) {
        int i = 0;
        // ASCII, the usual case, eight bytes at a time
        while (i + 8 <= length && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
            i += 8;
        }
        while (i < length) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int n;
            int min;
            int cp;
            if ((b & 0xE0) == 0xC0) {
                n = 1;
                min = 0x80;
                cp = b & 0x1F;
            } else if ((b & 0xF0) == 0xE0) {
                n = 2;
                min = 0x800;
                cp = b & 0x0F;
            } else if ((b & 0xF8) == 0xF0) {
                n = 3;
                min = 0x10000;
                cp = b & 0x07;
            } else {
                return i;
            }
            if (i + n >= length) { // truncated sequence
                return i;
            }
            for (int k = 1; k <= n; k++) {
                int c = bytes[i + k];
                if ((c & 0xC0) != 0x80) {
                    return i;
                }
                cp = cp << 6 | c & 0x3F;
            }
            if (cp < min || cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) {
                return i;
            }
            i += n + 1;
        }
        return -1;
    }
}
