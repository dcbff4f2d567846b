package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.jdbc.PgIdentifier;
import io.fluxgate.jdbc.PostgresCopySink;
import io.fluxgate.jdbc.TransientErrors;
import io.fluxgate.progress.Progress;
import io.r2dbc.pool.ConnectionPool;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One run: scan the patterns, read the table from the catalog, then the load:
 *
 * <pre>
 * files --flatMap(parallelism)--> FileParser per file (Flux.generate on a parse thread) --> chunks
 *       --> Progress (counts chunks: bytes)  --> rows
 *       --> AdaptiveBatch.into(RowWriter::write) (size steered to --batch-latency, --writers at once) --> COPY sink
 * </pre>
 *
 * <p>Memory is bounded: a parser produces a chunk only when one is requested, the merge holds at most one chunk per
 * file being parsed, and the batcher pulls one batch at a time beyond the {@code --writers} batches in the sink.
 */
final class IngestJob {

    /** Input bytes per chunk: the parse threads' unit of work and the progress bar's unit. */
    static final int CHUNK_BYTES = 128 * 1024;
    /** Upper bound on a batch's weight ({@link Row#weight()}), whatever its row count. */
    static final long MAX_BATCH_WEIGHT = 64L << 20;

    private final IngestConfig config;
    private final ErrorFile errors;
    private final ProgressDisplay.Mode progressMode;
    private final PrintWriter err;
    private ProgressDisplay display;

    IngestJob(IngestConfig config, ErrorFile errors, PrintWriter err) {
        this.config = config;
        this.errors = errors;
        this.progressMode = config.progress();
        this.err = err;
    }

    /** A problem found before the load starts: nothing was written. */
    static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        SetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    IngestSummary run() throws SetupException {
        long started = System.nanoTime();
        Counters counters = new Counters();

        InputFiles.Scan scan;
        try {
            scan = InputFiles.expand(config.patterns(), config.format(), config.delimiter(), errors.path());
        } catch (IOException | IllegalArgumentException e) {
            throw new SetupException("cannot expand the patterns: " + e.getMessage(), e);
        }
        Duration scanTime = Duration.ofNanos(System.nanoTime() - started);
        display = new ProgressDisplay(progressMode, err, scan.totalBytes(), counters);
        for (String pattern : scan.unmatched()) {
            display.note("pattern '" + pattern + "' matches no file");
        }
        scan.warnings().forEach(display::note);

        long catalogStarted = System.nanoTime();
        TableSchema table;
        try {
            table = readCatalog();
        } catch (CatalogUnavailable e) {
            // the database is not there (or keeps dropping us): a summary as for any failed run, nothing was loaded
            String name = PgIdentifier.qualified(config.schema(), config.table());
            return summary(name, scan, counters, scanTime, Duration.ofNanos(System.nanoTime() - catalogStarted),
                    0, started, e.getMessage());
        }
        List<TableSchema.Column> keys = keys(table);
        for (TableSchema.Column c : table.columns()) {
            if (c.required() && c.unwritable() != null) {
                throw new SetupException(c.unwritable() + ", and it is NOT NULL without a default: no row could be"
                        + " loaded", null);
            }
        }
        Duration catalogTime = Duration.ofNanos(System.nanoTime() - catalogStarted);

        LoadPlan plan = new LoadPlan(table, new ColumnSet.Registry(table), keys, config.ignoreUnknown(),
                config.maxRecordBytes(), CHUNK_BYTES, errors, counters, display::note);
        long loadStarted = System.nanoTime();
        String failure = load(scan, plan, table);
        long loadNanos = System.nanoTime() - loadStarted;

        return summary(table.displayName(), scan, counters, scanTime, catalogTime, loadNanos, started, failure);
    }

    private IngestSummary summary(String table, InputFiles.Scan scan, Counters counters, Duration scanTime,
                                  Duration catalogTime, long loadNanos, long started, String failure) {
        return new IngestSummary(table, counters.filesOk.sum(), counters.filesFailed.sum(),
                scan.unmatched(), counters.parsed.sum(), counters.written.sum(), counters.skipped.sum(),
                counters.rejected.sum(), counters.blank.sum(), config.keyed(), config.upsert(),
                errors.path().toString(), counters.batches.sum(), counters.splits.sum(), counters.keyLookups.sum(),
                counters.retries.sum(),
                config.parallelism(), config.writers(), scanTime, catalogTime,
                Duration.ofNanos(counters.parseNanos.sum()), Duration.ofNanos(counters.writeNanos.sum()),
                Duration.ofNanos(loadNanos), Duration.ofNanos(System.nanoTime() - started), counters.peakHeld(),
                failure);
    }

    /** The catalog cannot be read: the server is unreachable or drops the connection, retries included. */
    private static final class CatalogUnavailable extends Exception {
        private static final long serialVersionUID = 1L;

        CatalogUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads the table from the catalog on a connection of its own, retrying a lost or refused connection as a batch
     * is retried ({@code --retries}, the sink's backoff); other errors (no such table) are setup problems.
     */
    private TableSchema readCatalog() throws SetupException, CatalogUnavailable {
        for (int attempt = 1; ; attempt++) {
            try {
                return TableSchema.load(config.postgres().connectionFactory(), config.schema(), config.table(),
                        config.zone());
            } catch (RuntimeException e) {
                String why = FileIngestApp.describe(e);
                if (!TransientErrors.isTransient(e)) {
                    throw new SetupException(why, e);
                }
                if (attempt > config.maxRetries()) {
                    throw new CatalogUnavailable("cannot read table " + PgIdentifier.qualified(config.schema(),
                            config.table()) + " from the catalog (" + attempt + " attempt" + (attempt == 1 ? "" : "s")
                            + "): " + why, e);
                }
                display.note("reading the catalog failed (" + why + "): retry " + attempt + " of "
                        + config.maxRetries());
                long backoff = Math.min(PostgresCopySink.DEFAULT_MAX_BACKOFF.toMillis(),
                        PostgresCopySink.DEFAULT_MIN_BACKOFF.toMillis() << Math.min(attempt - 1, 20));
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new SetupException("interrupted while reading the catalog", ie);
                }
            }
        }
    }

    /** Runs the load; returns why it stopped early, or {@code null} when it ran to the end. */
    private String load(InputFiles.Scan scan, LoadPlan plan, TableSchema table) {
        long units = scan.files().stream().mapToLong(f -> FileParser.units(f.size(), CHUNK_BYTES)).sum();
        Scheduler parse = Schedulers.newBoundedElastic(config.parallelism(), Integer.MAX_VALUE, "ingest-parse");
        ConnectionPool pool = config.postgres().pool(config.writers());
        RowWriter writer = new RowWriter(pool, table, plan.keys().stream().map(TableSchema.Column::name).toList(),
                config.upsert(), config.maxRetries(), errors, plan.counters());
        Function<Flux<Row>, Flux<Integer>> batches = AdaptiveBatch.into(writer::write)
                .minSize(1)
                .initialSize(Math.min(1_000, config.maxBatch()))
                .maxSize(config.maxBatch())
                .latencyTarget(config.batchLatency())
                .maxWeight(MAX_BATCH_WEIGHT, Row::weight)
                .maxInFlight(config.writers())
                .build();
        try {
            Flux.fromIterable(scan.files())
                    .flatMap(file -> Flux.<Chunk, FileParser>generate(() -> new FileParser(file, plan),
                                    (parser, sink) -> {
                                        parser.next(sink);
                                        return parser;
                                    }, FileParser::close)
                            .subscribeOn(parse), config.parallelism(), 1)
                    .transform(Progress.builder().name("ingest").total(units).interval(display.interval())
                            .listener(display).build())
                    .concatMapIterable(Chunk::rows, 1)
                    .transform(batches)
                    .blockLast();
            return null;
        } catch (RuntimeException e) {
            return FileIngestApp.describe(e);
        } finally {
            parse.dispose();
            pool.dispose();
        }
    }

    /** The key columns of idempotent mode: {@code --key}, else the primary key; none without idempotent mode. */
    private List<TableSchema.Column> keys(TableSchema table) throws SetupException {
        if (!config.keyed()) {
            return List.of();
        }
        List<String> names = config.keys().isEmpty() ? table.primaryKey() : config.keys();
        if (names.isEmpty()) {
            throw new SetupException("table " + table.displayName() + " has no primary key: name the key columns"
                    + " with --key", null);
        }
        List<TableSchema.Column> keys = new ArrayList<>();
        Set<String> catalogNames = new LinkedHashSet<>();
        for (String name : names) {
            TableSchema.Column c = table.find(name);
            if (c == null) {
                throw new SetupException("key column '" + name + "' is not a column of " + table.displayName(), null);
            }
            if (c.unwritable() != null) {
                throw new SetupException("key " + c.unwritable(), null);
            }
            keys.add(c);
            catalogNames.add(c.name());
        }
        if (!table.isUniqueKey(catalogNames)) {
            throw new SetupException("no unique index of " + table.displayName() + " covers exactly " + catalogNames
                    + "; INSERT ... ON CONFLICT needs one (a primary key or unique constraint on these columns)", null);
        }
        return keys;
    }
}
