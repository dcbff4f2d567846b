package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it: a frame with broken UTF-8 must reach the frame reader as it
 * is (and be rejected there with a reason), not be "repaired" by a charset decoder on the way in. {@code \n} ends a
 * line; a {@code \r} before it is dropped.
 */
final class LineReader implements AutoCloseable {

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[4096];
    private long lineNumber;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** The number of the line last returned, from 1. */
    long lineNumber() {
        return lineNumber;
    }

    /** Returns the next line's bytes, or {@code null} at the end of the stream. */
    byte[] next() throws IOException {
        int len = 0;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            if (len + n > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, len + n));
            }
            System.arraycopy(buf, start, line, len, n);
            len += n;
            if (pos < limit) {
                pos++; // the '\n'
                break;
            }
        }
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        lineNumber++;
        return Arrays.copyOf(line, len);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
