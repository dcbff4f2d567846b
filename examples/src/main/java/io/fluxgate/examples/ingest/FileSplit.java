package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * One large file parsed as several ranges at once, with exactly the result of parsing it from start to end: the
 * same rows, rejections, line numbers and counts, in the same order.
 *
 * <p><b>Where a range starts.</b> The file is cut about every {@code rangeBytes} bytes, each cut moved forward to
 * the first line feed that is outside quotes, judged by the parity of the double quotes before it (for JSON lines,
 * the first line feed: a JSON string cannot hold a raw one). One pass over the bytes, counting quotes and line feeds
 * as the ranges ask for their starts, gives each cut and the line number there; it costs a fraction of parsing.
 * In well-formed CSV, a quote parity cut is a record boundary; in malformed CSV (a quote inside an unquoted field,
 * an unclosed quote the reader recovers from) it may not be, so a cut is only a guess, checked below.
 *
 * <p><b>The check.</b> Each range is parsed by a {@link FileParser} reading from its start to the end of the file,
 * and stopping at the first record that starts at or after the next range's start; it reports where it stopped.
 * Ranges are parsed ahead, in parallel (up to {@code concurrency} at once), but taken in order: a range's chunks are
 * used only if it started exactly where the range before it stopped. Then the range is the sequential parse of those
 * bytes (the reader keeps no state from one record to the next but the line count, which the cut carries). If not,
 * its chunks and those of every later range are dropped, and the rest of the file is parsed sequentially from where
 * the previous range stopped. A chunk's findings (rejections, counts, a failed file) are applied only when it is
 * used ({@link Chunk#apply}), so a dropped range leaves no trace; a file that fails in a range ends there, as it
 * would sequentially, and later ranges are dropped.
 *
 * <p><b>Memory.</b> Ranges parsed ahead wait, whole, until the ranges before them are taken: at most
 * {@code concurrency} ranges of a file are held at once (their chunks, about {@code rangeBytes} of input each).
 */
final class FileSplit {

    /** Input bytes per range: large enough that a range's start-up (opening, the header) is noise. */
    static final long DEFAULT_RANGE_BYTES = 8L << 20;

    private final InputFile file;
    private final LoadPlan plan;
    private final long rangeBytes;
    private final int ranges;
    private final boolean quotes;

    // the cuts, found on demand by one scan over the file (synchronized)
    private final long[] starts;
    private final long[] linesBefore;
    private int known;
    private FileChannel channel;
    private ByteBuffer buffer;
    private long scanned;
    private long scanLines;
    private boolean inQuotes;

    /** The CSV header, read once for the ranges after the first (synchronized). */
    private FileParser.Header header;

    // taking the chunks in order (the concatMap below serializes these)
    private volatile boolean abandoned;
    private int current;
    private Chunk.End previous;
    private boolean failed;

    FileSplit(InputFile file, LoadPlan plan, long rangeBytes) {
        this.file = file;
        this.plan = plan;
        this.rangeBytes = rangeBytes;
        this.ranges = ranges(file.size(), rangeBytes);
        this.quotes = file.format() == InputFile.Format.CSV;
        this.starts = new long[ranges];
        this.linesBefore = new long[ranges];
        this.known = 1; // range 0 starts at 0, no lines before it
    }

    /**
     * Whether a file is worth splitting: parallel parsing, a known format, at least two ranges' worth and at least
     * {@code minFileBytes}.
     */
    static boolean worthSplitting(InputFile file, long rangeBytes, long minFileBytes, int parallelism) {
        return parallelism > 1 && rangeBytes > 0 && file.format() != null
                && file.size() >= Math.max(2 * rangeBytes, minFileBytes);
    }

    private static int ranges(long size, long rangeBytes) {
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, size / rangeBytes));
    }

    /** The progress units of a file split into ranges (each range pads its own to a whole number). */
    static long units(long size, long rangeBytes, int chunkBytes) {
        int n = ranges(size, rangeBytes);
        return (n - 1) * FileParser.units(rangeBytes, chunkBytes)
                + FileParser.units(size - (n - 1) * rangeBytes, chunkBytes);
    }

    private long units(int range) {
        return range < ranges - 1 ? FileParser.units(rangeBytes, plan.chunkBytes())
                : FileParser.units(file.size() - (long) (ranges - 1) * rangeBytes, plan.chunkBytes());
    }

    /** Whether the ranges parsed ahead will not be used (the rest of the file is parsed sequentially). */
    boolean abandoned() {
        return abandoned;
    }

    /** The file's chunks, in file order, ranges parsed on {@code parse}, up to {@code concurrency} at once. */
    Flux<Chunk> chunks(Scheduler parse, int concurrency) {
        List<Flux<Chunk>> parts = new ArrayList<>(ranges);
        for (int k = 0; k < ranges; k++) {
            int range = k;
            parts.add(Flux.<Chunk, FileParser>generate(
                            () -> new FileParser(file, plan, this, range, 0, 0, units(range), range == ranges - 1),
                            (parser, sink) -> {
                                parser.next(sink);
                                return parser;
                            }, FileParser::close)
                    .subscribeOn(parse));
        }
        int prefetch = (int) Math.min(1 << 16, units(0) + 1);
        return Flux.mergeSequential(parts, concurrency, prefetch)
                .concatMap(chunk -> take(chunk, parse), 1)
                .doFinally(signal -> closeScan());
    }

    /** Takes the next chunk in file order: used, dropped, or replaced by a sequential parse of the rest. */
    private Flux<Chunk> take(Chunk chunk, Scheduler parse) {
        if (abandoned) {
            chunk.discard(plan);
            return Flux.empty();
        }
        if (failed) {
            chunk.discard(plan); // the file ended at a failure: the progress bar still counts its chunks
            return Flux.just(new Chunk(List.of(), chunk.range, chunk.rangeStart));
        }
        if (chunk.range != current) {
            current = chunk.range;
            if (previous == null || chunk.rangeStart != previous.offset()) {
                abandoned = true;
                chunk.discard(plan);
                return rest(previous, parse);
            }
        }
        if (chunk.end != null) {
            previous = chunk.end;
            failed = chunk.end.failed();
        }
        chunk.apply(file, plan);
        return Flux.just(chunk);
    }

    /** The file from where the range before stopped to its end, parsed sequentially. */
    private Flux<Chunk> rest(Chunk.End from, Scheduler parse) {
        long units = 0;
        for (int k = current; k < ranges; k++) {
            units += units(k);
        }
        long remaining = units;
        return Flux.<Chunk, FileParser>generate(
                        () -> new FileParser(file, plan, null, current, from.offset(), from.lines(), remaining, true),
                        (parser, sink) -> {
                            parser.next(sink);
                            return parser;
                        }, FileParser::close)
                .subscribeOn(parse)
                .doOnNext(c -> c.apply(file, plan));
    }

    /** Where range {@code k} starts. */
    long start(int k) throws IOException {
        cut(k);
        return k >= ranges ? Long.MAX_VALUE : starts[k];
    }

    /** Line feeds before range {@code k}. */
    long linesBefore(int k) throws IOException {
        cut(k);
        return linesBefore[k];
    }

    /**
     * The CSV header at the file's start, for the ranges after the first, which map their fields by it: read once,
     * not once per range. Reading it again in every range also ran the record reader's compiled code through a path
     * that data records never take (an unquoted last field), so that the JIT threw that code away at each range's
     * start (BENCHMARKS.md, issue #20 session 9).
     */
    synchronized FileParser.Header header() throws IOException {
        if (header == null) {
            header = FileParser.readHeader(file, plan.maxRecordBytes());
        }
        return header;
    }

    /** Scans the file up to range {@code k}'s cut, if not done yet. */
    private synchronized void cut(int k) throws IOException {
        while (known <= Math.min(k, ranges - 1)) {
            long target = known * rangeBytes;
            if (scanned < target - 1) {
                scan(target - 1, false);
            }
            if (scanned < target) {
                scan(Long.MAX_VALUE, true); // scanned >= target: the previous cut is past this one's, so here too
            }
            starts[known] = scanned;
            linesBefore[known] = scanLines;
            known++;
        }
        if (known == ranges) {
            closeScan();
        }
    }

    /**
     * Counts line feeds and quotes from {@link #scanned} up to {@code until}, or, with {@code toCut}, up to and
     * including the next line feed outside quotes (or the end of the file).
     */
    private void scan(long until, boolean toCut) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file.path(), StandardOpenOption.READ);
            channel.position(0);
            buffer = ByteBuffer.allocate(1 << 16);
            buffer.flip();
        }
        byte[] a = buffer.array();
        while (scanned < until) {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int n = channel.read(buffer);
                buffer.flip();
                if (n <= 0) {
                    return; // the end of the file: the cut is there
                }
            }
            int p = buffer.position();
            int end = buffer.limit();
            if (!toCut) {
                end = (int) Math.min(end, p + (until - scanned));
            }
            int i = p;
            boolean found = false;
            for (; i < end; i++) {
                byte b = a[i];
                if (b == '\n') {
                    scanLines++;
                    if (toCut && !inQuotes) {
                        i++;
                        found = true;
                        break;
                    }
                } else if (b == '"' && quotes) {
                    inQuotes = !inQuotes;
                }
            }
            scanned += i - p;
            buffer.position(i);
            if (found) {
                return;
            }
        }
    }

    private synchronized void closeScan() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only
            }
            channel = null;
        }
    }

    @Override
    public String toString() {
        return file.display() + " in " + ranges + " ranges, cuts " + Arrays.toString(starts);
    }
}
