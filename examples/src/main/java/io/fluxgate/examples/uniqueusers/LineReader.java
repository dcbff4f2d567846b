package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it: a frame with broken UTF-8 must reach the frame reader as it
 * is (and be rejected there with a reason), not be "repaired" by a charset decoder on the way in. {@code \n} ends a
 * line; a {@code \r} before it is dropped.
 *
 * <p>A line longer than {@code maxLineBytes} is not held: its first {@code headBytes} are kept and the rest is
 * skipped as it streams by, so memory stays bounded whatever the line's length ({@link #lastLength()} tells the
 * line's real length).
 */
final class LineReader implements AutoCloseable {

    private final InputStream in;
    private final int maxLineBytes;
    private final int headBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[4096];
    private long lineNumber;
    private long lastLength;

    /** Lines of any length held whole (up to what an array takes). */
    LineReader(InputStream in) {
        this(in, Integer.MAX_VALUE - 16, 0);
    }

    /**
     * @param maxLineBytes longest line returned whole
     * @param headBytes    bytes kept of a longer line (at most {@code maxLineBytes})
     */
    LineReader(InputStream in, int maxLineBytes, int headBytes) {
        if (headBytes < 0 || headBytes > maxLineBytes) {
            throw new IllegalArgumentException("headBytes must be in 0.." + maxLineBytes + ", was " + headBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.headBytes = headBytes;
    }

    /**
     * The length in bytes of the line last returned, without its line end: more than the bytes returned when the
     * line was longer than {@code maxLineBytes} (then only its head was returned).
     */
    long lastLength() {
        return lastLength;
    }

    /** The number of the line last returned, from 1. */
    long lineNumber() {
        return lineNumber;
    }

    /** Returns the next line's bytes, or {@code null} at the end of the stream. */
    byte[] next() throws IOException {
        int len = 0;
        long total = 0;
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
            total += n;
            // over the limit, only the head is kept: the rest streams past
            int keep = total > maxLineBytes ? Math.max(0, Math.min(n, headBytes - len)) : n;
            if (len + keep > line.length) {
                line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(line.length * 2L, len + keep)));
            }
            System.arraycopy(buf, start, line, len, keep);
            len += keep;
            if (total > maxLineBytes && len > headBytes) {
                len = headBytes; // the bytes kept before the line turned out too long, beyond the head
            }
            if (pos < limit) {
                pos++; // the '\n'
                break;
            }
        }
        if (total <= maxLineBytes && len > 0 && line[len - 1] == '\r') {
            len--;
            total--;
        }
        lineNumber++;
        lastLength = total;
        return Arrays.copyOf(line, len);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
