package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An RFC 4180 CSV reader over bytes. A record ends at a line feed (an optional carriage return before it is part
 * of the line end) outside quotes; fields are separated by the delimiter; a field that starts with {@code "} is
 * quoted and may hold delimiters, quotes (doubled: {@code ""}) and line ends; an empty unquoted field is SQL NULL
 * ({@link #field} returns {@code null}), an empty quoted one ({@code ""}) the empty string, as in PostgreSQL's CSV
 * format.
 *
 * <p>Malformed records are still records: a quote inside an unquoted field or text after a closing quote make
 * {@link #malformed()} say why, and reading goes on with the next record.
 *
 * <p>An unclosed quote (a stray {@code "} at the start of a field) would make the rest of the input one field. A
 * quoted field still open at the end of the input, after {@link #DEFAULT_MAX_QUOTED_LINES} line ends, or when the
 * record would outgrow the size limit, is taken for one: the record is cut at the end of the line where the quote
 * opened, reported malformed (naming that line), and reading resumes at the next line, so the rows after it load.
 * A quoted field on a single line longer than the size limit still fails the file (the line is too long). The delimiter, quote and line ends are ASCII, so the record structure is found on the bytes and
 * multi-byte UTF-8 never confuses it; fields are decoded by {@link #field}.
 */
final class CsvReader extends RecordReader {

    /** Line ends a quoted field may span before its quote is taken for an unclosed one. */
    static final int DEFAULT_MAX_QUOTED_LINES = 10_000;

    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;

    private final byte delimiter;
    private final int maxQuotedLines;
    /** Where the current quoted field opened: its offset in {@link #raw} and its line. */
    private int quoteRaw;
    private long quoteLine;
    private byte[] data = new byte[256];
    private int dataLength;
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private boolean[] quoted = new boolean[16];
    private int fields;
    private String malformed;

    CsvReader(InputStream in, char delimiter, int maxRecordBytes) {
        this(in, delimiter, maxRecordBytes, DEFAULT_MAX_QUOTED_LINES);
    }

    CsvReader(InputStream in, char delimiter, int maxRecordBytes, int maxQuotedLines) {
        super(in, maxRecordBytes);
        this.maxQuotedLines = maxQuotedLines;
        if (delimiter > 127 || delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("delimiter must be an ASCII character other than a quote or a line"
                    + " end, was '" + delimiter + "'");
        }
        this.delimiter = (byte) delimiter;
    }

    /** Fields in the current record (a blank line has one, empty and unquoted). */
    int fieldCount() {
        return fields;
    }

    /** Field {@code i} decoded as UTF-8, or {@code null} for an empty unquoted field. */
    String field(int i) {
        int length = ends[i] - starts[i];
        if (length == 0) {
            return quoted[i] ? "" : null;
        }
        return new String(data, starts[i], length, StandardCharsets.UTF_8);
    }

    /** Whether field {@code i} is SQL NULL: empty and unquoted. */
    boolean fieldNull(int i) {
        return ends[i] == starts[i] && !quoted[i];
    }

    /**
     * Field {@code i} converted by {@code type} straight from the record's bytes (no String for the types that
     * read bytes); the field must not be {@linkplain #fieldNull null}.
     */
    Object convert(int i, ColumnType type) throws BadValue {
        return type.fromBytes(data, starts[i], ends[i]);
    }

    /** Why the current record is malformed, or {@code null}. */
    String malformed() {
        return malformed;
    }

    /** True for an empty line (no bytes at all between line ends). */
    boolean blank() {
        return rawLength == 0 && fields == 1;
    }

    @Override
    boolean next() throws IOException {
        rawLength = 0;
        dataLength = 0;
        fields = 0;
        malformed = null;
        startLine = lines + 1;
        int state = FIELD_START;
        boolean any = false;
        beginField();
        while (true) {
            if (pos == limit && !fill()) {
                if (!any) {
                    fields = 0;
                    return false;
                }
                if (state == QUOTED) {
                    return unclosedQuote("before the end of the file", limit);
                }
                return endRecord(); // the last line need not end with a line feed
            }
            any = true;
            switch (state) {
                case FIELD_START -> {
                    if (buf[pos] == '"') {
                        quoteRaw = rawLength;
                        quoteLine = lines + 1;
                        appendRaw(buf[pos++]);
                        quoted[fields] = true;
                        state = QUOTED;
                    } else {
                        state = UNQUOTED; // an empty unquoted field ends at once, below
                    }
                }
                case UNQUOTED -> {
                    // the run up to the next byte that means something, copied at once
                    int from = pos;
                    byte b = 0;
                    while (pos < limit && (b = buf[pos]) != delimiter && b != '\n' && b != '"') {
                        pos++;
                    }
                    copyRun(from);
                    if (pos == limit) {
                        continue;
                    }
                    pos++;
                    if (b == delimiter) {
                        state = nextField(b);
                    } else if (b == '\n') {
                        lines++;
                        return endRecord();
                    } else {
                        malformed("a quote inside an unquoted field (quote the whole field and double the quote)");
                        appendRaw(b);
                        appendData(b);
                    }
                }
                case QUOTED -> {
                    int from = pos;
                    byte b;
                    // a line at a time, so that raw holds the quote's line whole before the size limit is reached
                    while (pos < limit && (b = buf[pos]) != '"') {
                        pos++;
                        if (b == '\n') {
                            lines++;
                            break;
                        }
                    }
                    if ((long) rawLength + (pos - from) > maxRecordBytes && lineEndAfterQuote() >= 0) {
                        return unclosedQuote("within --max-record-size (" + maxRecordBytes + " bytes)", from);
                    }
                    copyRun(from);
                    if (lines - quoteLine >= maxQuotedLines) {
                        return unclosedQuote("within " + maxQuotedLines + " lines", pos);
                    }
                    if (pos < limit && buf[pos] == '"') {
                        appendRaw(buf[pos++]);
                        state = QUOTE_IN_QUOTED;
                    }
                }
                default -> { // QUOTE_IN_QUOTED: the quote just read closes the field unless another follows
                    byte b = buf[pos++];
                    if (b == '"') {
                        appendRaw(b);
                        appendData(b);
                        state = QUOTED;
                    } else if (b == delimiter) {
                        state = nextField(b);
                    } else if (b == '\n') {
                        lines++;
                        return endRecord();
                    } else if (b == '\r' && lineFeedFollows()) {
                        lines++;
                        return endRecord();
                    } else {
                        malformed("text after the closing quote of a field");
                        appendRaw(b);
                        appendData(b);
                        state = UNQUOTED;
                    }
                }
            }
        }
    }

    /** The offset in {@code raw} of the first line feed after the open quote, or -1. */
    private int lineEndAfterQuote() {
        for (int i = quoteRaw; i < rawLength; i++) {
            if (raw[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The quoted field opened at {@link #quoteRaw} is taken for an unclosed quote: the record ends with the line the
     * quote opened on, and what was read after that line is read again as records. {@code buf[bufFrom, limit)} is
     * the input right after {@code raw}.
     */
    private boolean unclosedQuote(String within, int bufFrom) {
        int cut = lineEndAfterQuote();
        if (cut < 0) {
            // at the end of the input, on the quote's own line: there is nothing after it to resume at
            malformed("a quote opened on line " + quoteLine + " is never closed");
            endField();
            return true;
        }
        lines = quoteLine;
        rewind(cut + 1, bufFrom);
        rawLength = cut > 0 && raw[cut - 1] == '\r' ? cut - 1 : cut;
        malformed("a quote opened on line " + quoteLine + " is not closed " + within + ": the line is rejected and"
                + " reading resumes at line " + (quoteLine + 1));
        endField();
        return true;
    }

    /** Appends {@code buf[from, pos)} to both the raw record and the current field. */
    private void copyRun(int from) throws IOException {
        // no test for an empty run (a copy of none is harmless): such runs are rare (a field that starts at the end
        // of the buffer), and once the JIT has compiled this without them, the first one threw the compiled code of
        // next() away (BENCHMARKS.md, issue #20 session 9)
        int n = pos - from;
        appendRaw(buf, from, n);
        if (dataLength + n > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + n));
        }
        System.arraycopy(buf, from, data, dataLength, n);
        dataLength += n;
    }

    /** At a delimiter outside quotes: the field ends, the next begins. */
    private int nextField(byte delimiterByte) throws IOException {
        appendRaw(delimiterByte);
        endField();
        beginField();
        return FIELD_START;
    }

    /** After a carriage return: consumes a line feed that follows it, or reports that none does. */
    private boolean lineFeedFollows() throws IOException {
        if (pos == limit && !fill()) {
            return false;
        }
        if (buf[pos] == '\n') {
            pos++;
            return true;
        }
        return false;
    }

    /** At a line feed outside quotes: a carriage return just before it belongs to the line end, not the data. */
    private boolean endRecord() {
        if (rawLength > 0 && raw[rawLength - 1] == '\r') {
            rawLength--;
            if (dataLength > starts[fields] && data[dataLength - 1] == '\r') {
                dataLength--;
            }
        }
        endField();
        return true;
    }

    private void beginField() {
        if (fields == starts.length) {
            int n = fields * 2;
            starts = Arrays.copyOf(starts, n);
            ends = Arrays.copyOf(ends, n);
            quoted = Arrays.copyOf(quoted, n);
        }
        starts[fields] = dataLength;
        quoted[fields] = false;
    }

    private void endField() {
        ends[fields] = dataLength;
        fields++;
    }

    private void appendData(byte b) {
        if (dataLength == data.length) {
            // bounded by the raw record, which appendRaw has already checked against the size limit
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[dataLength++] = b;
    }

    private void malformed(String why) {
        if (malformed == null) {
            malformed = why;
        }
    }
}
