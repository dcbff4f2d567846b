package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import reactor.core.publisher.SynchronousSink;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads one file into {@link Chunk}s of converted rows, one chunk per call of {@link #next} (the generator of a
 * {@code Flux.generate}), so a file is read only as fast as the rows are written and never held whole.
 *
 * <p>A record that cannot become a row (malformed CSV, invalid UTF-8, wrong field count, bad JSON, a value its
 * column cannot take, a required column missing or NULL) goes to the error file and is counted as rejected; the
 * file goes on. A file that cannot be read, or whose header cannot be mapped onto the table, or that breaks off
 * (an I/O error, a record over the size limit) fails: it is counted, listed in the error file and reported, and
 * the other files go on. The rows read from a file before it failed stay in the load.
 *
 * <p>Each file yields exactly {@code max(1, ceil(size / chunkBytes))} chunks (empty ones pad a file that ended
 * early), so the progress total is known up front.
 *
 * <p>What a chunk's records come to besides rows (rejections, blank lines, a failed or finished file, bytes read)
 * travels with the chunk and is applied when the chunk is taken in file order ({@link Chunk#apply}), not while
 * parsing: a parser may read one range of a large file ahead of the ranges before it ({@link FileSplit}), and what
 * it finds counts only once its range is known to start where the previous one stopped. Such a parser starts at its
 * range's start (reading the CSV header at the file's start first, quietly), with the line count there, and stops
 * at the first record that starts at or after the next range's start, reporting where ({@link Chunk.End}).
 */
final class FileParser implements AutoCloseable {

    private final InputFile file;
    private final LoadPlan plan;
    private final TableSchema table;
    private final Counters counters;
    private final long units;
    private final List<TableSchema.Column> mustSet;
    /** The split this parser reads one range of, or {@code null}. */
    private final FileSplit split;
    private final int range;
    /** Where reading starts, and the line feeds before it: 0 and 0 for a whole file; a split's are looked up. */
    private long start;
    private long linesBefore;
    /** Whether the file ends in this parser's part (a whole file's, a split's last range, a fallback). */
    private final boolean last;
    /** The next range's start: this parser reads the records that start before it. */
    private long limit = Long.MAX_VALUE;
    private long emitted;
    /** Rows in the last chunk emitted. */
    private int lastRows;
    private boolean done;
    private boolean opened;
    private RecordReader reader;
    /** The chunk being filled: what is found goes to it. */
    private Chunk chunk;

    // CSV: the header's mapping, per field position
    private ColumnSet csvSet;
    private TableSchema.Column[] headerColumns;
    private int[] headerSlots;

    // JSON lines: the fields of the current object, by table column index
    private final BitSet present = new BitSet();
    private Object[] byIndex;

    /** A parser of the whole file. */
    FileParser(InputFile file, LoadPlan plan) {
        this(file, plan, null, 0, 0, 0, units(file.size(), plan.chunkBytes()), true);
    }

    /**
     * A parser of part of a file: range {@code range} of {@code split} (its start looked up when parsing starts),
     * or, without a split, from {@code start} (with {@code linesBefore} line feeds before it) to the end.
     */
    FileParser(InputFile file, LoadPlan plan, FileSplit split, int range, long start, long linesBefore, long units,
               boolean last) {
        this.file = file;
        this.plan = plan;
        this.table = plan.table();
        this.counters = plan.counters();
        this.units = units;
        this.mustSet = plan.mustSet();
        this.split = split;
        this.range = range;
        this.start = start;
        this.linesBefore = linesBefore;
        this.last = last;
    }

    /** How many chunks this file yields (the progress bar's share of it). */
    static long units(long size, int chunkBytes) {
        return Math.max(1, (size + chunkBytes - 1) / chunkBytes);
    }

    /** The input offset reached: the end of the last record read. */
    private long position() {
        return start + (reader == null ? 0 : reader.bytesConsumed());
    }

    /** Emits the next chunk, or completes once the file is done and its chunks are all out. */
    void next(SynchronousSink<Chunk> sink) {
        if (split != null && range > 0 && split.abandoned()) {
            sink.complete(); // a range parsed ahead whose output will not be used
            return;
        }
        boolean wasDone = done;
        // sized by the last chunk's rows: growing a list of ~10,000 rows by halves copied it ~20 times a chunk
        List<Row> rows = wasDone ? List.of() : new ArrayList<>(lastRows + lastRows / 8 + 16);
        long started = System.nanoTime();
        if (!opened) {
            opened = true;
            try {
                if (split != null) {
                    start = split.start(range);
                    linesBefore = split.linesBefore(range);
                    limit = last ? Long.MAX_VALUE : split.start(range + 1);
                }
            } catch (IOException e) {
                chunk = new Chunk(rows, range, start);
                fail(0, describe(e));
                wasDone = false;
            }
        }
        if (chunk == null) {
            chunk = new Chunk(rows, range, start);
        }
        if (!wasDone && !done) {
            long consumedBefore = position();
            try {
                if (reader == null) {
                    open();
                }
                long boundary = emitted + 1 >= units ? Long.MAX_VALUE : start + (emitted + 1) * plan.chunkBytes();
                while (position() < boundary) {
                    if (position() >= limit) {
                        end(false);
                        break;
                    }
                    if (!readRecord(rows)) {
                        chunk.fileDone = last;
                        end(false);
                        break;
                    }
                }
            } catch (FileFailure e) {
                fail(e.line, e.getMessage());
            } catch (IOException e) {
                fail(reader == null ? 0 : reader.startLine, describe(e));
            } finally {
                chunk.bytes = position() - consumedBefore;
                counters.parseNanos.add(System.nanoTime() - started);
            }
            counters.hold(rows.size());
            lastRows = rows.size();
        }
        Chunk out = chunk;
        chunk = null;
        if (!wasDone || emitted < units) {
            emitted++;
            sink.next(out);
        } else {
            sink.complete();
        }
    }

    private void end(boolean failed) {
        done = true;
        chunk.end = new Chunk.End(position(), reader == null ? linesBefore : reader.lines, failed);
    }

    private void open() throws IOException, FileFailure {
        if (file.format() == null) {
            throw new FileFailure(0, "cannot tell its format from the extension (.csv, .tsv, .jsonl, .ndjson,"
                    + " .json); give --format");
        }
        if (start > 0 && file.format() == InputFile.Format.CSV) {
            readHeader();
        }
        InputStream in;
        if (start == 0) {
            in = Files.newInputStream(file.path());
        } else {
            FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ);
            channel.position(start);
            in = Channels.newInputStream(channel);
        }
        reader = file.format() == InputFile.Format.CSV
                ? new CsvReader(in, file.delimiter(), plan.maxRecordBytes())
                : new LineSplitter(in, plan.maxRecordBytes());
        if (start > 0) {
            reader.resume(linesBefore);
        }
    }

    /**
     * A part that starts inside the file maps its fields by the header at the file's start, quietly (the first part
     * reports): read once per split ({@link FileSplit#header}), or here when there is no split.
     */
    private void readHeader() throws IOException, FileFailure {
        if (!plan.columns().isEmpty()) {
            mapFields(plan.columns(), 0, "--columns", false);
            return;
        }
        header(split != null ? split.header() : readHeader(file, plan.maxRecordBytes()), false);
    }

    /**
     * The header record at the start of {@code file}: its first record that is not blank.
     */
    static Header readHeader(InputFile file, int maxRecordBytes) throws IOException {
        try (CsvReader csv = new CsvReader(Files.newInputStream(file.path()), file.delimiter(), maxRecordBytes)) {
            while (csv.next()) {
                if (!csv.blank()) {
                    return Header.of(csv);
                }
            }
        }
        return new Header(0, "no header", List.of());
    }

    /**
     * A CSV header record: its line, its field names, or why it cannot be a header ({@code problem}, else
     * {@code null}).
     */
    record Header(long line, String problem, List<String> names) {

        static Header of(CsvReader csv) {
            long line = csv.startLine;
            if (csv.malformed() != null) {
                return new Header(line, "malformed CSV header: " + csv.malformed(), List.of());
            }
            if (Utf8.firstInvalid(csv.raw, csv.rawLength) >= 0) {
                return new Header(line, "the CSV header is not valid UTF-8", List.of());
            }
            List<String> names = new ArrayList<>();
            for (int j = 0; j < csv.fieldCount(); j++) {
                names.add(csv.field(j) == null ? "" : csv.field(j).strip());
            }
            return new Header(line, null, List.copyOf(names));
        }
    }

    private void fail(long line, String reason) {
        chunk.fileFailure = reason;
        chunk.fileFailureLine = line;
        end(true);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "cannot read it: no such file (or a broken link)";
        }
        if (e instanceof AccessDeniedException) {
            return "cannot read it: permission denied";
        }
        if (e instanceof RecordReader.RecordTooLongException) {
            return e.getMessage();
        }
        return "cannot read it: " + (e.getMessage() == null ? e.toString() : e.getMessage());
    }

    /** Reads one record into {@code rows} (or the error file); false at the end of the file. */
    private boolean readRecord(List<Row> rows) throws IOException, FileFailure {
        return reader instanceof CsvReader csv ? readCsv(csv, rows) : readJson((LineSplitter) reader, rows);
    }

    private void reject(long line, String column, String reason) {
        chunk.reject(line, column, reason, reader.rawText());
    }

    // ------------------------------------------------------------------------------------------------ CSV

    private boolean readCsv(CsvReader csv, List<Row> rows) throws IOException, FileFailure {
        if (!csv.next()) {
            return false;
        }
        if (csv.blank()) {
            chunk.blank++;
            return true;
        }
        if (csvSet == null) {
            if (plan.columns().isEmpty()) {
                header(Header.of(csv), true);
                return true;
            }
            mapFields(plan.columns(), csv.startLine, "--columns", true);
            if (plan.header()) {
                return true; // the file's own header row, replaced by --columns
            }
        }
        chunk.parsed++;
        long line = csv.startLine;
        try {
            if (csv.malformed() != null) {
                throw new BadValue("malformed CSV: " + csv.malformed());
            }
            int bad = Utf8.firstInvalid(csv.raw, csv.rawLength);
            if (bad >= 0) {
                throw new BadValue("invalid UTF-8 at byte " + bad + " of the record");
            }
            if (csv.fieldCount() != headerColumns.length) {
                throw new BadValue("expected " + headerColumns.length + " fields as in the header, found "
                        + csv.fieldCount());
            }
            Object[] values = new Object[csvSet.size()];
            for (int j = 0; j < headerColumns.length; j++) {
                TableSchema.Column c = headerColumns[j];
                if (c != null) {
                    values[headerSlots[j]] = csv.fieldNull(j) ? nullFor(c) : convert(c, csv, j);
                }
            }
            rows.add(new Row(csvSet, values, file, line, csv.rawCopy()));
        } catch (BadValue e) {
            reject(line, e.column(), e.getMessage());
        } catch (RuntimeException e) {
            unexpected(line, e);
        }
        return true;
    }

    private static Object convert(TableSchema.Column c, CsvReader csv, int field) throws BadValue {
        try {
            return csv.convert(field, c.type());
        } catch (BadValue e) {
            throw e.in(c.name());
        }
    }

    /** SQL NULL for {@code c}, if it may be NULL. */
    private Object nullFor(TableSchema.Column c) throws BadValue {
        if (plan.isKey(c)) {
            throw new BadValue(c.name(), "key column '" + c.name() + "' is NULL; idempotent mode needs every key");
        }
        if (c.notNull()) {
            throw new BadValue(c.name(), "column '" + c.name() + "' is NOT NULL but the value is NULL (empty)"
                    + (c.hasDefault() ? "; leave the column out of the input to get its default" : ""));
        }
        return null;
    }

    private void header(Header header, boolean report) throws FileFailure {
        if (header.problem() != null) {
            throw new FileFailure(header.line(), header.problem());
        }
        mapFields(header.names(), header.line(), "header", report);
    }

    /**
     * Maps the fields of every record onto the table's columns: by the header row's names, or by {@code --columns}
     * ({@code source} says which, for messages).
     */
    private void mapFields(List<String> names, long line, String source, boolean report) throws FileFailure {
        int width = names.size();
        headerColumns = new TableSchema.Column[width];
        BitSet seen = new BitSet();
        List<String> ignored = new ArrayList<>();
        for (int j = 0; j < width; j++) {
            String name = names.get(j);
            if (name.isEmpty()) {
                throw new FileFailure(line, "field " + (j + 1) + " of the CSV " + source + " is empty");
            }
            TableSchema.Column c = table.find(name);
            String problem = c == null ? "'" + name + "' is not a column of " + table.displayName() : c.unwritable();
            if (problem != null) {
                if (!plan.ignoreUnknown()) {
                    throw new FileFailure(line, source + ": " + problem + " (--unknown-columns=ignore skips it)");
                }
                ignored.add(name);
                continue;
            }
            if (seen.get(c.index())) {
                throw new FileFailure(line, source + ": column '" + c.name() + "' appears twice");
            }
            seen.set(c.index());
            headerColumns[j] = c;
        }
        for (TableSchema.Column c : mustSet) {
            if (!seen.get(c.index())) {
                throw new FileFailure(line, source + ": no column '" + c.name() + "', which "
                        + (c.required() ? "is NOT NULL without a default" : "is a key of idempotent mode"));
            }
        }
        if (seen.isEmpty()) {
            throw new FileFailure(line, source + ": no field names a column of " + table.displayName());
        }
        csvSet = plan.sets().of(seen);
        headerSlots = new int[width];
        for (int j = 0; j < width; j++) {
            headerSlots[j] = headerColumns[j] == null ? -1 : csvSet.columns().indexOf(headerColumns[j]);
        }
        if (!ignored.isEmpty() && report) {
            plan.notes().accept(file.display() + ": ignoring " + source + " columns the table cannot take: " + ignored);
        }
    }

    // ------------------------------------------------------------------------------------------------ JSON lines

    private boolean readJson(LineSplitter lines, List<Row> rows) throws IOException {
        if (!lines.next()) {
            return false;
        }
        if (lines.blank()) {
            chunk.blank++;
            return true;
        }
        chunk.parsed++;
        long line = lines.startLine;
        byte[] bytes = lines.rawCopy();
        try {
            // checked first, as for CSV: Jackson takes some invalid UTF-8 (encoded surrogates) as text
            int bad = Utf8.firstInvalid(bytes, bytes.length);
            if (bad >= 0) {
                throw new BadValue("invalid UTF-8 at byte " + bad + " of the record");
            }
            rows.add(jsonRow(bytes, line));
        } catch (BadValue e) {
            reject(line, e.column(), e.getMessage());
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
            int nl = msg.indexOf('\n');
            reject(line, null, "malformed JSON: " + (nl >= 0 ? msg.substring(0, nl) : msg));
        } catch (RuntimeException e) {
            unexpected(line, e);
        }
        return true;
    }

    private Row jsonRow(byte[] bytes, long line) throws BadValue {
        if (byIndex == null) {
            byIndex = new Object[table.columns().size()];
        }
        present.clear();
        try (JsonParser p = JsonMapper.shared().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadValue("not a JSON object");
            }
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                JsonToken t = p.nextToken();
                TableSchema.Column c = table.find(name);
                String problem = c == null ? "field '" + name + "' is not a column of " + table.displayName()
                        : c.unwritable();
                if (problem != null) {
                    if (!plan.ignoreUnknown()) {
                        throw new BadValue(problem + " (--unknown-columns=ignore skips it)");
                    }
                    p.skipChildren();
                    continue;
                }
                if (present.get(c.index())) {
                    throw new BadValue(c.name(), "column '" + c.name() + "' is given twice");
                }
                present.set(c.index());
                if (t == JsonToken.VALUE_NULL) {
                    byIndex[c.index()] = nullFor(c);
                } else {
                    try {
                        byIndex[c.index()] = c.type().fromJson(p, bytes);
                    } catch (BadValue e) {
                        throw e.in(c.name());
                    }
                }
            }
            if (p.nextToken() != null) {
                throw new BadValue("text after the JSON object");
            }
        }
        for (TableSchema.Column c : mustSet) {
            if (!present.get(c.index())) {
                throw new BadValue(c.name(), "missing field '" + c.name() + "', which "
                        + (c.required() ? "is NOT NULL without a default" : "is a key of idempotent mode"));
            }
        }
        if (present.isEmpty()) {
            throw new BadValue("no field names a column of " + table.displayName());
        }
        ColumnSet set = plan.sets().of(present);
        Object[] values = new Object[set.size()];
        int k = 0;
        for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
            values[k++] = byIndex[i];
            byIndex[i] = null;
        }
        return new Row(set, values, file, line, bytes);
    }

    /** A bug of ours must cost one row, not the run; the reason says it is ours. */
    private void unexpected(long line, RuntimeException e) {
        if (e instanceof ErrorFile.WriteFailed) {
            throw e;
        }
        reject(line, null, "unexpected error while converting the row: " + e);
    }

    @Override
    public void close() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // read-only: nothing is lost when closing fails
            }
        }
    }

    /** The file cannot be loaded (further). */
    static final class FileFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final long line;

        FileFailure(long line, String message) {
            super(message, null, false, false);
            this.line = line;
        }
    }
}
