package io.fluxgate.window.frame.internal;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * The two root-level names a {@code RootFrameReader} looks for, as text and as UTF-8, built once per reader and
 * shared by every {@link FrameScanner} it starts. Immutable.
 */
public final class FieldNames {

    final String uidField;
    final String tsField;
    /** UTF-8 of the names, to compare with names written without escapes; null if a name cannot be UTF-8. */
    final byte @Nullable [] uidUtf8;
    final byte @Nullable [] tsUtf8;

    /** Names already checked by the caller: not empty, not equal. */
    public FieldNames(String uidField, String tsField) {
        this.uidField = uidField;
        this.tsField = tsField;
        this.uidUtf8 = loneSurrogate(uidField) < 0 ? uidField.getBytes(StandardCharsets.UTF_8) : null;
        this.tsUtf8 = loneSurrogate(tsField) < 0 ? tsField.getBytes(StandardCharsets.UTF_8) : null;
    }

    /** Index of the first surrogate char not part of a pair, or -1. */
    public static int loneSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }
}
