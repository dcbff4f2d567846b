package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a byte stream into records without decoding it, one buffer at a time, so a file of any size is read in
 * bounded memory and a record with broken UTF-8 reaches the validation (and the error file) as it is, rather than
 * being "repaired" by a decoder. Keeps the raw bytes of the current record, the number of the line it starts on
 * and how many bytes have been consumed (for the progress bar). A UTF-8 byte order mark at the start is skipped.
 */
abstract class RecordReader implements AutoCloseable {

    private static final int BUFFER = 1 << 16;

    private final InputStream in;
    final int maxRecordBytes;
    final byte[] buf = new byte[BUFFER];
    int pos;
    int limit;
    private long before;
    private boolean started;
    /** Bytes to read again before the rest of the input ({@link #rewind}), from {@code againPos}; else null. */
    private byte[] again;
    private int againPos;
    /** Line feeds consumed so far. */
    long lines;

    byte[] raw = new byte[256];
    int rawLength;
    /** The line the current record starts on, from 1. */
    long startLine;

    RecordReader(InputStream in, int maxRecordBytes) {
        this.in = in;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Reads the next record.
     *
     * @return false at the end of the input (no record)
     * @throws RecordTooLongException if a record exceeds the size limit; the rest of the input cannot be trusted
     */
    abstract boolean next() throws IOException;

    /**
     * Starts reading in the middle of a file, at a record's start: {@code linesBefore} line feeds came before it,
     * and a byte order mark here is data, not a mark.
     */
    final void resume(long linesBefore) {
        lines = linesBefore;
        started = true;
    }

    /** Bytes of the input consumed so far. */
    final long bytesConsumed() {
        return before + pos;
    }

    /** Refills the buffer; false at the end of the input. Skips a byte order mark at the very start. */
    final boolean fill() throws IOException {
        before += limit;
        pos = 0;
        limit = 0;
        if (again != null) {
            int n = Math.min(buf.length, again.length - againPos);
            System.arraycopy(again, againPos, buf, 0, n);
            againPos += n;
            if (againPos == again.length) {
                again = null;
            }
            limit = n;
            return n > 0 || fill();
        }
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        limit = n;
        if (!started) {
            started = true;
            while (limit < 3) {
                int more = in.read(buf, limit, buf.length - limit);
                if (more <= 0) {
                    break;
                }
                limit += more;
            }
            if (limit >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF) {
                pos = 3;
            }
        }
        return pos < limit || fill();
    }

    final void appendRaw(byte b) throws RecordTooLongException {
        if (rawLength == raw.length) {
            growRaw(1);
        }
        raw[rawLength++] = b;
    }

    final void appendRaw(byte[] src, int from, int length) throws RecordTooLongException {
        if (rawLength + length > raw.length) {
            growRaw(length);
        }
        System.arraycopy(src, from, raw, rawLength, length);
        rawLength += length;
    }

    private void growRaw(int extra) throws RecordTooLongException {
        long needed = (long) rawLength + extra;
        if (needed > maxRecordBytes) {
            throw new RecordTooLongException("the record starting on line " + startLine + " is longer than "
                    + maxRecordBytes + " bytes (--max-record-size); an unterminated quote or a missing line end?"
                    + " The rest of the file cannot be read reliably");
        }
        raw = Arrays.copyOf(raw, (int) Math.min(maxRecordBytes, Math.max(needed, (long) raw.length * 2)));
    }

    /**
     * Makes the following reads see {@code raw[rawFrom, rawLength)}, then {@code buf[bufFrom, limit)}, then what
     * came after: the tail of a record that turned out not to be one is read again as records of its own. The
     * caller sets {@link #lines} to the line feeds before {@code raw[rawFrom]}.
     */
    final void rewind(int rawFrom, int bufFrom) {
        int fromRaw = rawLength - rawFrom;
        int fromBuf = limit - bufFrom;
        int fromAgain = again == null ? 0 : again.length - againPos;
        byte[] next = new byte[fromRaw + fromBuf + fromAgain];
        System.arraycopy(raw, rawFrom, next, 0, fromRaw);
        System.arraycopy(buf, bufFrom, next, fromRaw, fromBuf);
        if (fromAgain > 0) {
            System.arraycopy(again, againPos, next, fromRaw + fromBuf, fromAgain);
        }
        before = before + bufFrom - fromRaw; // the input offset of next[0]
        pos = 0;
        limit = 0;
        again = next.length == 0 ? null : next;
        againPos = 0;
    }

    /** The current record's bytes, copied. */
    final byte[] rawCopy() {
        return Arrays.copyOf(raw, rawLength);
    }

    /** The current record as text, for the error file: invalid UTF-8 shows as U+FFFD. */
    final String rawText() {
        return new String(raw, 0, rawLength, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A record over {@code --max-record-size}: the file fails at that point. */
    static final class RecordTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        RecordTooLongException(String message) {
            super(message);
        }
    }
}
