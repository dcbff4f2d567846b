package io.fluxgate.examples.ingest;

import io.fluxgate.examples.Cli;
import io.fluxgate.examples.DriverEventLoops;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fluxgate.jdbc.PgIdentifier;
import io.fluxgate.jdbc.PostgresSettings;
import io.r2dbc.spi.ConnectionFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Batch ingestion of CSV and JSON-lines files into a PostgreSQL table: glob patterns in, rows through the binary
 * COPY sink, rejected rows and failed files in an error file, a progress bar while it runs and a summary at the end.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        version = "fluxgate ingest 0.1.0",
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Loads CSV (RFC 4180, header row) and JSON-lines files into a PostgreSQL table through binary COPY,"
                + " parsing files in parallel and batching adaptively. Input columns (CSV header names, JSON root"
                + " field names) are matched to the table's columns by name (exactly, else case-insensitively); a column"
                + " the input leaves out gets its default. Each value is checked against its column's type first; a row"
                + " that fails goes to the error file (--errors) with file, line and reason, and the load goes on. A file"
                + " that cannot be read (or whose header does not fit the table) counts as failed and the other files"
                + " go on; rows already read from it stay loaded (re-run with --idempotent to complete it without"
                + " duplicates). Each batch is one transaction: rows are committed batch by batch, not per file.",
            "",
            "Connects with the PG* environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).",
            ""
        },
        footer = {
            "",
            "Exit codes: 0 every row loaded; 1 the run failed (database, table, error file, a post-load script; see"
                + " the message); 2 bad flags or a bad config file; 3 some rows rejected (see --errors); 4 a file"
                + " failed or a pattern matched nothing.",
            "",
            "Several tables in one run: --config FILE (YAML, or JSON for .json) lists entries, each a table with its"
                + " files and any of the per-file options above as keys without the dashes (files, table, schema,"
                + " format, delimiter, columns, header, errors, unknown-columns, idempotent, key, upsert,"
                + " max-record-size, time-zone, post-load, post-load-sql); 'defaults' holds keys every entry gets; the top level may set the run's"
                + " options (parallelism, writers, max-batch, batch-latency, retries, progress, split-size) and a"
                + " post-load script"
                + " for the run. Relative paths in it are taken from the config file's directory. Every entry is"
                + " checked (keys, values, tables, files) before anything is loaded. The run's options may also be"
                + " given on the command line, where they win; the per-file options may not.",
            "",
            "Example: ingest --table events 'data/**/*.csv' 'logs/*.jsonl'",
            "         ingest --config ingest.yaml"
        },
        exitCodeOnInvalidInput = IngestSummary.USAGE,
        exitCodeOnExecutionException = IngestSummary.FAILED)
public final class FileIngestApp implements Callable<Integer> {

    static final int DEFAULT_WRITERS = 2;
    static final int DEFAULT_MAX_BATCH = 50_000;
    static final int MAX_RECORD_LIMIT = 1 << 30;

    @Parameters(paramLabel = "PATTERN", arity = "0..*",
            description = "Files to load: glob patterns (quote them), e.g. 'data/**/*.csv' (** spans directories,"
                    + " and also matches none), 'logs/*.jsonl', or plain paths. A pattern that matches nothing is"
                    + " reported and makes the exit code 4.")
    List<String> patterns = new ArrayList<>();

    @Option(names = {"-t", "--table"}, paramLabel = "NAME",
            description = "Target table (taken literally: case-sensitive, no quotes needed). Required unless"
                    + " --config is given.")
    String table;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Load several tables in one run, as a YAML (or JSON) file describes them (see below);"
                    + " instead of --table, PATTERN and the other per-file options.")
    Path config;

    @Option(names = "--schema", paramLabel = "NAME",
            description = "Schema of the table. Default: found through the search_path.")
    String schema;

    @Option(names = "--format", paramLabel = "auto|csv|jsonl", defaultValue = "auto",
            description = "Format of every file; auto: by extension (.csv, .tsv: CSV; .jsonl, .ndjson, .json: JSON"
                    + " lines). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--delimiter", paramLabel = "CHAR",
            description = "CSV field delimiter: one ASCII character, or 'tab'. Default: ',' (tab for .tsv).")
    String delimiter;

    @Option(names = "--columns", paramLabel = "NAMES", split = ",",
            description = "CSV: the table columns the fields are, in order, instead of the names in the header row"
                    + " (which is then skipped); with --no-header, for files without one.")
    List<String> columns = new ArrayList<>();

    @Option(names = "--header", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "CSV: the files start with a header row naming the columns (the default). --no-header:"
                    + " every record is data, and --columns names the fields.")
    boolean header;

    @Option(names = "--errors", paramLabel = "PATH", defaultValue = "ingest-errors.jsonl",
            description = "Error file, JSON lines: one object per rejected row ({\"kind\":\"row\",\"file\",\"line\","
                    + "\"column\",\"reason\",\"raw\"}) and per failed file (\"kind\":\"file\"). Emptied at the start of"
                    + " each run. Default: ${DEFAULT-VALUE}.")
    Path errors;

    @Option(names = "--unknown-columns", paramLabel = "reject|ignore", defaultValue = "reject",
            description = "An input column the table does not have (or cannot take: generated, unsupported type):"
                    + " reject fails a CSV file at its header and rejects a JSON row; ignore skips the column."
                    + " Default: ${DEFAULT-VALUE}.")
    String unknownColumns;

    @Option(names = "--idempotent",
            description = "Skip rows whose key is already in the table (INSERT ... ON CONFLICT DO NOTHING through a"
                    + " staging table), so a re-run loads nothing twice. Key: --key, else the primary key.")
    boolean idempotent;

    @Option(names = "--key", paramLabel = "COLUMN", split = ",",
            description = "Key columns of idempotent mode (implies --idempotent); they must match a unique index.")
    List<String> keys = new ArrayList<>();

    @Option(names = "--upsert",
            description = "Like --idempotent, but update the other columns of a row whose key is in the table.")
    boolean upsert;

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Files parsed at once (one thread each). Default: the number of processors.")
    Integer parallelism;

    @Option(names = "--writers", paramLabel = "N", defaultValue = "" + DEFAULT_WRITERS,
            description = "Batches written at once, each on its own connection. Default: ${DEFAULT-VALUE}.")
    int writers;

    @Option(names = "--max-batch", paramLabel = "ROWS", defaultValue = "" + DEFAULT_MAX_BATCH,
            description = "Largest batch (one COPY, one transaction). Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--batch-latency", paramLabel = "DURATION", defaultValue = "1s",
            description = "Batch sizes adapt so that a COPY takes about this long (e.g. 250ms, 1s). Default:"
                    + " ${DEFAULT-VALUE}.")
    String batchLatency;

    @Option(names = "--max-record-size", paramLabel = "BYTES", defaultValue = "16m",
            description = "Longest record (e.g. 64k, 16m); a longer line fails its file, a quoted field running"
                    + " past it is taken for an unclosed quote (its line is rejected, reading resumes at the next)."
                    + " Default: ${DEFAULT-VALUE}.")
    String maxRecordSize;

    @Option(names = "--split-size", paramLabel = "BYTES", defaultValue = "auto",
            description = "A file of at least twice this size is cut into ranges of about this size (e.g. 4m, 64m),"
                    + " parsed by up to --parallelism threads at once and taken in file order: same rows, errors and"
                    + " line numbers as one thread would find; about --parallelism ranges per file are held in memory."
                    + " 0: one thread per file. auto: 8m ranges for files of at least 768m; a smaller file is"
                    + " parsed by one thread (faster and less CPU below ~500 MB, see BENCHMARKS.md)."
                    + " Default: ${DEFAULT-VALUE}.")
    String splitSize;

    @Option(names = "--time-zone", paramLabel = "ZONE", defaultValue = "UTC",
            description = "Zone of timestamptz values given without an offset. Default: ${DEFAULT-VALUE}.")
    String timeZone;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
            description = "Retries of a batch after a transient error (lost connection, deadlock, ...)."
                    + " Default: ${DEFAULT-VALUE}.")
    int retries;

    @Option(names = "--progress", paramLabel = "auto|bar|lines|none", defaultValue = "auto",
            description = "Progress on stderr: a bar redrawn in place, or a line per tenth; auto: a bar on a"
                    + " terminal, else lines. Default: ${DEFAULT-VALUE}.")
    String progress;

    @Option(names = "--post-load", paramLabel = "FILE",
            description = "An SQL script to run once every row is committed (a merge, ANALYZE, ...), on a"
                    + " connection of its own, its statements in one transaction unless it says otherwise; its rows"
                    + " affected, notices and time are in the summary. Skipped, and the summary says so, when the"
                    + " load failed or a file failed.")
    Path postLoadFile;

    @Option(names = "--post-load-sql", paramLabel = "SQL",
            description = "As --post-load, with the script given inline.")
    String postLoadSql;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PostgresSettings postgresSettings;
    private RunSummary summary;
    private IngestJob job;

    public static void main(String[] args) {
        long started = System.nanoTime();
        long startedMillis = System.currentTimeMillis();
        long startUpMillis = processAgeMillis();
        if (!helpOnly(args)) {
            warmUpDatabaseClient();
        }
        PrintWriter err = new PrintWriter(System.err, true);
        Result result = execute(args, new PrintWriter(System.out, true), err, null);
        if (result.job() != null) {
            String phases = result.job().phases(started, System.nanoTime());
            if (!phases.isEmpty()) {
                if (startUpMillis < 0) {
                    // no /proc: ProcessHandle's start time, whose boot time has whole seconds only on Linux
                    startUpMillis = ProcessHandle.current().info().startInstant()
                            .map(i -> startedMillis - i.toEpochMilli()).orElse(0L);
                }
                err.println("ingest: phases (ms): start-up " + startUpMillis + ", " + phases);
            }
        }
        if (result.job() != null) {
            // the run got to its job, whose connections are all closed by now; a usage error (exit code 2) ends
            // while the warm-up may still be loading the client, which this call would have to wait for
            DriverEventLoops.stop();
        }
        System.exit(result.exitCode());
    }

    /**
     * How long ago this process started (bin/ingest's shell, then the JVM's boot: it execs java), in ms, to 10 ms;
     * -1 without Linux's /proc. Taken from the system's uptime and the process's start in clock ticks after boot
     * (USER_HZ, 100 on Linux), both to the hundredth of a second, not from a wall-clock start time.
     */
    static long processAgeMillis() {
        try {
            String uptime = Files.readString(Path.of("/proc/uptime"));
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the fields after the command name, which may hold spaces and parentheses: starttime is the 22nd
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long startTicks = Long.parseLong(f[19]);
            double up = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            return Math.max(0, Math.round(up * 1000) - startTicks * 10);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether the arguments only ask for the usage or the version: no connection will be made. */
    static boolean helpOnly(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens a connection to the server of the PG* variables, runs one query and closes it, on a thread of its own,
     * while the main thread parses the command line: the client's classes (R2DBC, Netty, Reactor, logging, ~3,000)
     * are loaded and its event loop started in parallel with picocli's work instead of afterwards, in the catalog
     * read's path (see the phases line). Nothing depends on it: a failure is left to the catalog read, which reports
     * it.
     */
    private static void warmUpDatabaseClient() {
        Thread warm = new Thread(() -> {
            try {
                ConnectionFactory factory = PostgresSettings.fromEnvironment().connectionFactory();
                Mono.usingWhen(Mono.from(factory.create()),
                                c -> Flux.from(c.createStatement("SELECT 1::int4").execute())
                                        .concatMap(r -> r.map((row, meta) -> row.get(0, Integer.class)))
                                        .then(),
                                c -> Mono.from(c.close()).onErrorResume(e -> Mono.empty()))
                        .block(Duration.ofSeconds(30));
            } catch (RuntimeException | LinkageError e) {
                // the catalog read connects again and says what is wrong
            }
        }, "ingest-warm-up");
        warm.setDaemon(true);
        warm.start();
    }

    /** Runs the app and returns its exit code (see the usage footer). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, null);
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, against the given server ({@code null}: PG* variables). */
    static int run(String[] args, PrintWriter out, PrintWriter err, PostgresSettings postgres) {
        return execute(args, out, err, postgres).exitCode();
    }

    /**
     * A run's exit code and, when the load ran, its summary: the first (in single-table mode the only) table's, and
     * the whole run's; and the job, for its phases ({@code null} when the run stopped before it).
     */
    record Result(int exitCode, IngestSummary summary, RunSummary run, IngestJob job) {
    }

    static Result execute(String[] args, PrintWriter out, PrintWriter err, PostgresSettings postgres) {
        FileIngestApp app = new FileIngestApp();
        app.postgresSettings = postgres;
        CommandLine cmd = Cli.commandLine(app, "ingest", out, err);
        int code = cmd.execute(args);
        RunSummary run = app.summary;
        return new Result(code, run == null || run.tables().isEmpty() ? null : run.tables().get(0), run, app.job);
    }

    /** The most telling message of an exception chain (see {@link Cli#describe}). */
    static String describe(Throwable ex) {
        return Cli.describe(ex);
    }

    /** {@code --split-size=auto}: the ranges' size, and the smallest file cut into ranges. */
    static final long AUTO_SPLIT_BYTES = 8L << 20;
    /**
     * One thread per file was faster end to end, and spent less CPU, at 102, 258 and 518 MB; 8m ranges were faster
     * at 1.07 GB (BENCHMARKS.md, the file ingestion section).
     */
    static final long AUTO_SPLIT_MIN_FILE_BYTES = 768L << 20;

    /** Options that apply to the whole run: in a config file at its top level, and on the command line with it. */
    static final Set<String> RUN_OPTIONS = Set.of("--parallelism", "--writers", "--max-batch", "--batch-latency",
            "--retries", "--progress", "--split-size");
    /** Options that are no setting of a load. */
    private static final Set<String> NOT_SETTINGS = Set.of("--config", "--help", "--version");

    /** Whether {@code option} is a setting of one table's load (a key of a config file's entries). */
    static boolean isEntryOption(CommandLine.Model.OptionSpec option) {
        return !RUN_OPTIONS.contains(option.longestName()) && !NOT_SETTINGS.contains(option.longestName());
    }

    /** The command's options, for a config file's keys: the same names, types and checks as the flags. */
    static CommandLine.Model.CommandSpec commandSpec() {
        return new CommandLine(new FileIngestApp()).getCommandSpec();
    }

    /**
     * One load's settings from command-line arguments, checked exactly as the command line's own.
     *
     * @throws CommandLine.ParameterException naming the flag at fault
     */
    static IngestConfig settings(List<String> args, PostgresSettings postgres) {
        FileIngestApp app = new FileIngestApp();
        app.postgresSettings = postgres;
        CommandLine cmd = new CommandLine(app);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.parseArgs(args.toArray(String[]::new));
        if (app.table == null) {
            throw new CommandLine.ParameterException(cmd, "Missing required option: '--table=NAME'");
        }
        return app.validate();
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        PrintWriter out = cmd.getOut();
        PrintWriter err = cmd.getErr();
        List<IngestConfig> loads;
        PostLoad runPostLoad = null;
        if (config != null) {
            rejectEntryOptions();
            IngestConfigFile.Contents contents;
            try {
                contents = IngestConfigFile.read(config, runOptionsGiven(), postgres());
            } catch (IngestConfigFile.Invalid e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
            loads = contents.entries();
            runPostLoad = contents.postLoad();
        } else {
            if (table == null) {
                throw new CommandLine.ParameterException(cmd, "Missing required option: '--table=NAME'");
            }
            if (patterns.isEmpty()) {
                throw new CommandLine.ParameterException(cmd, "Missing required parameter: 'PATTERN'");
            }
            loads = List.of(validate());
        }
        Map<Path, ErrorFile> errorFiles = new LinkedHashMap<>();
        List<IngestJob.Entry> entries = new ArrayList<>();
        try {
            for (int i = 0; i < loads.size(); i++) {
                IngestConfig load = loads.get(i);
                Path key = load.errorFile().toAbsolutePath().normalize();
                ErrorFile errorFile = errorFiles.get(key);
                if (errorFile == null) {
                    try {
                        errorFile = new ErrorFile(load.errorFile());
                    } catch (IOException e) {
                        throw new CommandLine.ParameterException(cmd, (config == null ? "--errors "
                                : IngestConfigFile.where(config, i + 1, load.table()) + "errors ") + load.errorFile()
                                + ": cannot create it (" + describe(e) + ")");
                    }
                    errorFiles.put(key, errorFile);
                }
                entries.add(new IngestJob.Entry(config == null ? 0 : i + 1, load, errorFile));
            }
            job = new IngestJob(entries, runPostLoad, config == null ? null : config.toString(), err);
            summary = job.run();
        } catch (IngestJob.SetupException e) {
            err.println("ingest: failed: " + e.getMessage());
            return e.exitCode();
        } finally {
            IOException closing = null;
            for (ErrorFile f : errorFiles.values()) {
                try {
                    f.close();
                } catch (IOException e) {
                    closing = closing == null ? e : closing;
                }
            }
            if (closing != null) {
                throw closing;
            }
        }
        out.print(summary.render());
        out.flush();
        if (summary.failureMessage() != null) {
            err.println("ingest: failed: " + summary.failureMessage());
        }
        return summary.exitCode();
    }

    private PostgresSettings postgres() {
        return postgresSettings != null ? postgresSettings : PostgresSettings.fromEnvironment();
    }

    /** With --config, a per-file flag or a PATTERN on the command line is a mistake, not an override. */
    private void rejectEntryOptions() {
        CommandLine cmd = spec.commandLine();
        CommandLine.ParseResult parsed = cmd.getParseResult();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            if (isEntryOption(o) && parsed.hasMatchedOption(o)) {
                throw new CommandLine.ParameterException(cmd, o.longestName() + " cannot be used with --config:"
                        + " give '" + o.longestName().substring(2) + "' per entry (or under 'defaults') in the config"
                        + " file");
            }
        }
        if (!patterns.isEmpty()) {
            throw new CommandLine.ParameterException(cmd, "PATTERN cannot be used with --config: list each entry's"
                    + " files under 'files' in the config file (was '" + patterns.get(0) + "')");
        }
    }

    /** The run's options given on the command line, as typed: they win over the config file's. */
    private Map<String, String> runOptionsGiven() {
        Map<String, String> given = new LinkedHashMap<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String name : RUN_OPTIONS) {
            CommandLine.Model.OptionSpec o = parsed.matchedOption(name);
            if (o != null && !o.originalStringValues().isEmpty()) {
                List<String> values = o.originalStringValues();
                given.put(name.substring(2), values.get(values.size() - 1));
            }
        }
        return given;
    }

    private IngestConfig validate() {
        CommandLine cmd = spec.commandLine();
        if (table == null) {
            throw new CommandLine.ParameterException(cmd, "Missing required option: '--table=NAME'");
        }
        try {
            PgIdentifier.validate(table, "table");
            if (schema != null) {
                PgIdentifier.validate(schema, "schema");
            }
            for (String k : keys) {
                PgIdentifier.validate(k, "--key column");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        for (String p : patterns) {
            if (p.isBlank()) {
                throw new CommandLine.ParameterException(cmd, "a PATTERN is empty");
            }
        }
        InputFile.Format fileFormat = switch (format.toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "csv" -> InputFile.Format.CSV;
            case "jsonl", "json", "ndjson" -> InputFile.Format.JSONL;
            default -> throw new CommandLine.ParameterException(cmd,
                    "--format must be auto, csv or jsonl, was '" + format + "'");
        };
        boolean ignore = switch (unknownColumns.toLowerCase(Locale.ROOT)) {
            case "reject" -> false;
            case "ignore" -> true;
            default -> throw new CommandLine.ParameterException(cmd,
                    "--unknown-columns must be reject or ignore, was '" + unknownColumns + "'");
        };
        ProgressDisplay.Mode mode = switch (progress.toLowerCase(Locale.ROOT)) {
            case "auto" -> System.console() != null ? ProgressDisplay.Mode.BAR : ProgressDisplay.Mode.LINES;
            case "bar" -> ProgressDisplay.Mode.BAR;
            case "lines" -> ProgressDisplay.Mode.LINES;
            case "none" -> ProgressDisplay.Mode.NONE;
            default -> throw new CommandLine.ParameterException(cmd,
                    "--progress must be auto, bar, lines or none, was '" + progress + "'");
        };
        List<String> fieldNames = new ArrayList<>();
        for (String c : columns) {
            if (c.isBlank()) {
                throw new CommandLine.ParameterException(cmd, "--columns holds an empty name");
            }
            fieldNames.add(c.strip());
        }
        if (!header && fieldNames.isEmpty()) {
            throw new CommandLine.ParameterException(cmd, "--no-header needs --columns: the names of the fields,"
                    + " in order");
        }
        int threads = parallelism == null ? Runtime.getRuntime().availableProcessors() : parallelism;
        requireRange(cmd, "--parallelism", threads, 1, 256);
        requireRange(cmd, "--writers", writers, 1, 64);
        requireRange(cmd, "--max-batch", maxBatch, 1, 1_000_000);
        requireRange(cmd, "--retries", retries, 0, 100);
        Duration latency = parseDuration(cmd, batchLatency);
        int recordLimit = parseSize(cmd, maxRecordSize);
        boolean autoSplit = splitSize.trim().equalsIgnoreCase("auto");
        long split = autoSplit ? AUTO_SPLIT_BYTES : splitSize.trim().equals("0") ? 0
                : parseSize(cmd, "--split-size", splitSize, 1024, MAX_RECORD_LIMIT,
                        "between 1k and 1g (e.g. 8m), 0 or auto");
        long splitMinFile = autoSplit ? AUTO_SPLIT_MIN_FILE_BYTES : 0;
        ZoneId zone;
        try {
            zone = ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new CommandLine.ParameterException(cmd, "--time-zone '" + timeZone + "' is not a time zone"
                    + " (examples: UTC, Europe/Berlin, +02:00)");
        }
        return new IngestConfig(List.copyOf(patterns), schema, table, fileFormat, parseDelimiter(cmd), errors,
                ignore, List.copyOf(keys), idempotent || !keys.isEmpty(), upsert, threads, writers, maxBatch,
                latency, recordLimit, zone, mode, retries, postgres(), postLoad(cmd), split, splitMinFile,
                List.copyOf(fieldNames),
                header);
    }

    private PostLoad postLoad(CommandLine cmd) {
        if (postLoadFile != null && postLoadSql != null) {
            throw new CommandLine.ParameterException(cmd, "--post-load and --post-load-sql cannot both be given");
        }
        if (postLoadSql != null) {
            if (postLoadSql.isBlank()) {
                throw new CommandLine.ParameterException(cmd, "--post-load-sql is empty");
            }
            return new PostLoad("inline SQL", postLoadSql);
        }
        if (postLoadFile == null) {
            return null;
        }
        String sql;
        try {
            sql = Files.readString(postLoadFile);
        } catch (IOException | UncheckedIOException e) {
            throw new CommandLine.ParameterException(cmd, "--post-load " + postLoadFile + ": cannot read it ("
                    + (e instanceof NoSuchFileException ? "no such file" : describe(e)) + ")");
        }
        if (sql.isBlank()) {
            throw new CommandLine.ParameterException(cmd, "--post-load " + postLoadFile + " is empty");
        }
        return new PostLoad(postLoadFile.toString(), sql);
    }

    private static void requireRange(CommandLine cmd, String flag, int value, int min, int max) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(cmd, flag + " must be in " + min + ".." + max + ", was " + value);
        }
    }

    private char parseDelimiter(CommandLine cmd) {
        if (delimiter == null) {
            return 0;
        }
        String d = delimiter.equalsIgnoreCase("tab") || delimiter.equals("\\t") ? "\t" : delimiter;
        if (d.length() != 1 || d.charAt(0) > 127 || d.charAt(0) == '"' || d.charAt(0) == '\n'
                || d.charAt(0) == '\r') {
            throw new CommandLine.ParameterException(cmd, "--delimiter must be one ASCII character other than a"
                    + " quote or a line end (or 'tab'), was '" + delimiter + "'");
        }
        return d.charAt(0);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})([kmg]?)");

    private static Duration parseDuration(CommandLine cmd, String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new CommandLine.ParameterException(cmd, "--batch-latency must be a positive duration in ms or s"
                    + " (e.g. 250ms, 1s), was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    }

    private static int parseSize(CommandLine cmd, String text) {
        return parseSize(cmd, "--max-record-size", text, 1024, MAX_RECORD_LIMIT, "between 1k and 1g (e.g. 64k, 16m)");
    }

    private static int parseSize(CommandLine cmd, String flag, String text, long min, long max, String expected) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        long bytes = -1;
        if (m.matches()) {
            int shift = switch (m.group(2)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                default -> 0;
            };
            long n = Long.parseLong(m.group(1));
            bytes = n > (MAX_RECORD_LIMIT >> shift) ? Long.MAX_VALUE : n << shift;
        }
        if (bytes < min || bytes > max) {
            throw new CommandLine.ParameterException(cmd, flag + " must be " + expected + ", was '" + text + "'");
        }
        return (int) bytes;
    }
}
