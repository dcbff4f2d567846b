package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.examples.Pools;
import io.fluxgate.jdbc.PgIdentifier;
import io.fluxgate.jdbc.PostgresCopySink;
import io.fluxgate.jdbc.TransientErrors;
import io.fluxgate.progress.Progress;
import io.r2dbc.pool.ConnectionPool;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One run over one or more entries (tables): scan every entry's patterns and read every table from the catalog
 * (any problem stops the run before a row is written), then one load for all of them, then the post-load scripts:
 *
 * <pre>
 * (entry, file) pairs --flatMap(parallelism)--> per file: FileParser (Flux.generate on a parse thread), or for a
 *       large file FileSplit (ranges parsed ahead on the parse threads, taken in file order) --> chunks, their
 *       findings applied in file order
 *       --> Progress (counts chunks: bytes)  --> rows
 *       --> AdaptiveBatch.into(write) (size steered to --batch-latency, --writers at once; a batch may mix tables,
 *           each table's rows go to its own RowWriter) --> COPY sink
 * </pre>
 *
 * <p>Memory is bounded: a parser produces a chunk only when one is requested, the merge holds at most one chunk per
 * file being parsed (plus, for a split file, the ranges parsed ahead: at most {@code parallelism} ranges), and the
 * batcher pulls one batch at a time beyond the {@code --writers} batches in the sink.
 */
final class IngestJob {

    /** Input bytes per chunk: the parse threads' unit of work and the progress bar's unit. */
    static final int CHUNK_BYTES = 128 * 1024;
    /** Upper bound on a batch's weight ({@link Row#weight()}), whatever its row count. */
    static final long MAX_BATCH_WEIGHT = 64L << 20;

    /**
     * One load: a table, its files and its options.
     *
     * @param number its position in the config file (from 1), or 0 in a single-table run
     * @param config its settings; the run-wide ones (parse threads, writers, batching, retries, progress) are the
     *     same in every entry
     * @param errors its error file (entries naming the same file share it)
     */
    record Entry(int number, IngestConfig config, ErrorFile errors) {
    }

    /** An entry on its way: what the setup found and what the load counts. */
    private final class Load {
        final Entry entry;
        final IngestConfig config;
        final Counters counters;
        InputFiles.Scan scan = new InputFiles.Scan(List.of(), List.of(), List.of());
        Duration scanTime = Duration.ZERO;
        Duration catalogTime = Duration.ZERO;
        TableSchema table;
        LoadPlan plan;
        PostLoad.Outcome postLoad;

        Load(Entry entry, Counters run) {
            this.entry = entry;
            this.config = entry.config();
            this.counters = new Counters(run);
        }

        /** How messages name this entry: nothing in a single-table run. */
        String where() {
            return entry.number() == 0 ? "" : IngestConfigFile.where(Path.of(configName), entry.number(),
                    config.table());
        }

        String tableName() {
            return table != null ? table.displayName() : PgIdentifier.qualified(config.schema(), config.table());
        }
    }

    private final List<Entry> entries;
    private final PostLoad runPostLoad;
    private final String configName;
    /** The run-wide settings (every entry has the same). */
    private final IngestConfig run;
    private final PrintWriter err;
    private ProgressDisplay display;
    /** {@link System#nanoTime()} at the run's milestones, for {@link #phases}: 0 until reached. */
    private long startedAt;
    private long scanDoneAt;
    private long setupDoneAt;
    private long loadDoneAt;
    private long postLoadDoneAt;

    /**
     * @param entries the loads, at least one
     * @param runPostLoad the script to run after every entry's, or {@code null}
     * @param configName the config file, or {@code null} in a single-table run
     */
    IngestJob(List<Entry> entries, PostLoad runPostLoad, String configName, PrintWriter err) {
        this.entries = List.copyOf(entries);
        this.runPostLoad = runPostLoad;
        this.configName = configName;
        this.run = entries.get(0).config();
        this.err = err;
    }

    /** A problem found before the load starts: nothing was written. */
    static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        SetupException(String message, Throwable cause) {
            this(message, cause, IngestSummary.FAILED);
        }

        SetupException(String message, Throwable cause, int exitCode) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }
    }

    RunSummary run() throws SetupException {
        long started = System.nanoTime();
        startedAt = started;
        Counters all = new Counters();
        List<Load> loads = new ArrayList<>();
        List<Path> errorFiles = entries.stream().map(e -> e.errors().path()).distinct().toList();
        for (Entry e : entries) {
            Load load = new Load(e, all);
            long scanStarted = System.nanoTime();
            try {
                load.scan = InputFiles.expandExcluding(load.config.patterns(), load.config.format(), load.config.delimiter(),
                        errorFiles);
            } catch (IOException | IllegalArgumentException ex) {
                throw new SetupException(load.where() + (configName == null ? "" : "'files': ")
                        + "cannot expand the patterns: " + ex.getMessage(), ex);
            }
            load.scanTime = Duration.ofNanos(System.nanoTime() - scanStarted);
            if (configName != null && !load.scan.unmatched().isEmpty()) {
                throw new SetupException(load.where() + "'files': pattern '" + load.scan.unmatched().get(0)
                        + "' matches no file; nothing was loaded", null, IngestSummary.FILES_FAILED);
            }
            loads.add(load);
        }
        display = new ProgressDisplay(run.progress(), err, loads.stream().mapToLong(l -> l.scan.totalBytes()).sum(),
                () -> loads.stream().mapToLong(l -> l.counters.parsed.sum()).sum(),
                () -> loads.stream().mapToLong(l -> l.counters.bytesRead.sum()).sum());
        for (Load load : loads) {
            for (String pattern : load.scan.unmatched()) {
                display.note("pattern '" + pattern + "' matches no file");
            }
            load.scan.warnings().forEach(display::note);
        }
        scanDoneAt = System.nanoTime();

        for (Load load : loads) {
            long catalogStarted = System.nanoTime();
            try {
                load.table = readCatalog(load);
            } catch (CatalogUnavailable e) {
                // the database is not there (or keeps dropping us): a summary as for any failed run, nothing loaded
                load.catalogTime = Duration.ofNanos(System.nanoTime() - catalogStarted);
                return summary(loads, 0, started, load.where() + e.getMessage());
            }
            plan(load, catalogStarted);
        }
        setupDoneAt = System.nanoTime();

        long loadStarted = System.nanoTime();
        String failure = load(loads);
        long loadNanos = System.nanoTime() - loadStarted;
        loadDoneAt = System.nanoTime();
        postLoad(loads, failure);
        postLoadDoneAt = System.nanoTime();
        return summary(loads, loadNanos, started, failure);
    }

    /** Checks what the catalog says about {@code load}'s table and makes its plan. */
    private void plan(Load load, long catalogStarted) throws SetupException {
        List<TableSchema.Column> keys = keys(load);
        for (TableSchema.Column c : load.table.columns()) {
            if (c.required() && c.unwritable() != null) {
                throw new SetupException(load.where() + c.unwritable() + ", and it is NOT NULL without a"
                        + " default: no row could be loaded", null);
            }
        }
        load.catalogTime = Duration.ofNanos(System.nanoTime() - catalogStarted);
        load.plan = new LoadPlan(load.table, new ColumnSet.Registry(load.table), keys,
                load.config.ignoreUnknown(), load.config.maxRecordBytes(), CHUNK_BYTES, load.entry.errors(),
                load.counters, display::note, load.config.columns(), load.config.header());
    }

    /**
     * Where the run's time went, in ms: from {@code commandLineStarted} (a {@link System#nanoTime()} of the process's
     * main method) to this job (the command line), the patterns' scan, the catalog (the first connections and their
     * classes included), the load, the post-load scripts, and from there to {@code now} (the summary). Empty when the
     * run stopped before its load.
     */
    String phases(long commandLineStarted, long now) {
        if (postLoadDoneAt == 0) {
            return "";
        }
        return "command line " + ms(startedAt - commandLineStarted) + ", scan " + ms(scanDoneAt - startedAt)
                + ", catalog " + ms(setupDoneAt - scanDoneAt) + ", load " + ms(loadDoneAt - setupDoneAt)
                + ", post-load " + ms(postLoadDoneAt - loadDoneAt) + ", summary " + ms(now - postLoadDoneAt);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** Each entry's script once its rows are committed (all are, once the load is over), then the run's. */
    private void postLoad(List<Load> loads, String failure) {
        boolean allLoaded = failure == null;
        for (Load load : loads) {
            PostLoad script = load.config.postLoad();
            String skip = skipReason(load, failure);
            allLoaded &= skip == null;
            if (script != null) {
                load.postLoad = skip != null ? PostLoad.Outcome.skipped(script, skip) : runScript(script, load.where());
                allLoaded &= !load.postLoad.failed();
            }
        }
        if (runPostLoad != null) {
            runPostLoadOutcome = allLoaded ? runScript(runPostLoad, "")
                    : PostLoad.Outcome.skipped(runPostLoad, failure != null ? "the load failed"
                    : "a table's load or post-load did not complete");
        }
    }

    private PostLoad.Outcome runPostLoadOutcome;

    private PostLoad.Outcome runScript(PostLoad script, String where) {
        display.note(where + "post-load " + script.source() + ": running");
        PostLoad.Outcome outcome = script.run(run.postgres().connectionFactory());
        display.note(where + outcome.describe());
        return outcome;
    }

    /** Why an entry's post-load script must not run, or {@code null}: its rows are not all in. */
    private static String skipReason(Load load, String failure) {
        if (failure != null) {
            return "the load failed";
        }
        long failed = load.counters.filesFailed.sum();
        if (failed > 0) {
            return failed + " file" + (failed == 1 ? "" : "s") + " failed";
        }
        if (!load.scan.unmatched().isEmpty()) {
            return "a pattern matched nothing";
        }
        return null;
    }

    private RunSummary summary(List<Load> loads, long loadNanos, long started, String failure) {
        List<IngestSummary> tables = new ArrayList<>();
        for (Load l : loads) {
            Counters c = l.counters;
            tables.add(new IngestSummary(l.tableName(), c.filesOk.sum(), c.filesFailed.sum(),
                    l.scan.unmatched(), c.parsed.sum(), c.written.sum(), c.skipped.sum(),
                    c.rejected.sum(), c.blank.sum(), l.config.keyed(), l.config.upsert(),
                    l.entry.errors().path().toString(), c.batches.sum(), c.splits.sum(), c.keyLookups.sum(),
                    c.retries.sum(), run.parallelism(), run.writers(), l.scanTime, l.catalogTime,
                    Duration.ofNanos(c.parseNanos.sum()), Duration.ofNanos(c.writeNanos.sum()),
                    Duration.ofNanos(loadNanos), Duration.ofNanos(System.nanoTime() - started),
                    c.peakHeld(), failure, l.postLoad));
        }
        return new RunSummary(configName, tables, runPostLoadOutcome, Duration.ofNanos(loadNanos),
                Duration.ofNanos(System.nanoTime() - started), failure);
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
    private TableSchema readCatalog(Load load) throws SetupException, CatalogUnavailable {
        IngestConfig config = load.config;
        for (int attempt = 1; ; attempt++) {
            try {
                return TableSchema.load(config.postgres().connectionFactory(), config.schema(), config.table(),
                        config.zone());
            } catch (RuntimeException e) {
                String why = FileIngestApp.describe(e);
                if (!TransientErrors.isTransient(e)) {
                    throw new SetupException(configName == null ? why
                            : load.where() + "'table': " + why.replace("give --schema?", "give 'schema'?"), e);
                }
                if (attempt > config.maxRetries()) {
                    throw new CatalogUnavailable("cannot read table " + PgIdentifier.qualified(config.schema(),
                            config.table()) + " from the catalog (" + attempt + " attempt" + (attempt == 1 ? "" : "s")
                            + "): " + why, e);
                }
                display.note(load.where() + "reading the catalog failed (" + why + "): retry " + attempt + " of "
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

    /**
     * Runs the load of every entry at once, on shared parse threads, one connection pool and one batcher (a batch
     * may hold several tables' rows: each table's are written by its own {@link RowWriter}); returns why it stopped
     * early, or {@code null} when it ran to the end.
     */
    private String load(List<Load> loads) {
        long units = 0;
        List<Map.Entry<Load, InputFile>> files = new ArrayList<>();
        for (Load l : loads) {
            for (InputFile f : l.scan.files()) {
                units += FileSplit.worthSplitting(f, run.splitBytes(), run.splitMinFileBytes(), run.parallelism())
                        ? FileSplit.units(f.size(), run.splitBytes(), CHUNK_BYTES)
                        : FileParser.units(f.size(), CHUNK_BYTES);
                files.add(Map.entry(l, f));
            }
        }
        Scheduler parse = Schedulers.newBoundedElastic(run.parallelism(), Integer.MAX_VALUE, "ingest-parse");
        ConnectionPool pool = run.postgres().pool(run.writers());
        Map<ColumnSet.Registry, RowWriter> writers = new IdentityHashMap<>();
        for (Load l : loads) {
            writers.put(l.plan.sets(), new RowWriter(pool, l.table,
                    l.plan.keys().stream().map(TableSchema.Column::name).toList(), l.config.upsert(),
                    run.maxRetries(), l.entry.errors(), l.counters));
        }
        Function<Flux<Row>, Flux<Integer>> batches = AdaptiveBatch.into((List<Row> batch) -> write(writers, batch))
                .minSize(1)
                .initialSize(Math.min(1_000, run.maxBatch()))
                .maxSize(run.maxBatch())
                .latencyTarget(run.batchLatency())
                .maxWeight(MAX_BATCH_WEIGHT, Row::weight)
                .maxInFlight(run.writers())
                .build();
        try {
            Flux.fromIterable(files)
                    .flatMap(f -> chunks(f.getValue(), f.getKey().plan, parse), run.parallelism(), 1)
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
            Pools.dispose(pool);
        }
    }

    /**
     * A file's chunks, in file order, their findings applied: a large file is parsed in ranges on several parse
     * threads ({@link FileSplit}), any other on one.
     */
    private Flux<Chunk> chunks(InputFile file, LoadPlan plan, Scheduler parse) {
        if (FileSplit.worthSplitting(file, run.splitBytes(), run.splitMinFileBytes(), run.parallelism())) {
            return new FileSplit(file, plan, run.splitBytes()).chunks(parse, run.parallelism());
        }
        return Flux.<Chunk, FileParser>generate(() -> new FileParser(file, plan),
                        (parser, sink) -> {
                            parser.next(sink);
                            return parser;
                        }, FileParser::close)
                .subscribeOn(parse)
                .doOnNext(chunk -> chunk.apply(file, plan));
    }

    /** Writes a batch: each table's rows by its writer, in turn. */
    private static Mono<Integer> write(Map<ColumnSet.Registry, RowWriter> writers, List<Row> batch) {
        ColumnSet.Registry first = batch.get(0).columns.registry();
        boolean oneTable = true;
        for (Row r : batch) {
            if (r.columns.registry() != first) {
                oneTable = false;
                break;
            }
        }
        if (oneTable) {
            return writers.get(first).write(batch);
        }
        Map<ColumnSet.Registry, List<Row>> byTable = new IdentityHashMap<>();
        List<ColumnSet.Registry> order = new ArrayList<>();
        for (Row r : batch) {
            byTable.computeIfAbsent(r.columns.registry(), k -> {
                order.add(k);
                return new ArrayList<>();
            }).add(r);
        }
        return Flux.fromIterable(order)
                .concatMap(t -> writers.get(t).write(byTable.get(t)))
                .then(Mono.just(batch.size()));
    }

    /** The key columns of idempotent mode: {@code --key}, else the primary key; none without idempotent mode. */
    private List<TableSchema.Column> keys(Load load) throws SetupException {
        IngestConfig config = load.config;
        TableSchema table = load.table;
        String where = load.where() + (configName == null ? "" : "'key': ");
        if (!config.keyed()) {
            return List.of();
        }
        List<String> names = config.keys().isEmpty() ? table.primaryKey() : config.keys();
        if (names.isEmpty()) {
            throw new SetupException(where + "table " + table.displayName() + " has no primary key: name the key"
                    + " columns with " + (configName == null ? "--key" : "'key'"), null);
        }
        List<TableSchema.Column> keys = new ArrayList<>();
        Set<String> catalogNames = new LinkedHashSet<>();
        for (String name : names) {
            TableSchema.Column c = table.find(name);
            if (c == null) {
                throw new SetupException(where + "key column '" + name + "' is not a column of " + table.displayName(), null);
            }
            if (c.unwritable() != null) {
                throw new SetupException(where + "key " + c.unwritable(), null);
            }
            keys.add(c);
            catalogNames.add(c.name());
        }
        if (!table.isUniqueKey(catalogNames)) {
            throw new SetupException(where + "no unique index of " + table.displayName() + " covers exactly " + catalogNames
                    + "; INSERT ... ON CONFLICT needs one (a primary key or unique constraint on these columns)", null);
        }
        return keys;
    }
}
