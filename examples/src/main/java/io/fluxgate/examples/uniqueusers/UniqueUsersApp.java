package io.fluxgate.examples.uniqueusers;

import io.fluxgate.examples.Cli;
import io.fluxgate.examples.DriverEventLoops;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.fluxgate.jdbc.PostgresSettings;
import org.apache.kafka.clients.consumer.GroupProtocol;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: unique users per minute (or any window) from a Kafka topic of JSON frames, one JSON result per
 * closed window to an output topic. Run with no flags it starts an embedded broker, generates a realistic data set
 * and runs the whole pipeline on it.
 */
@Command(
        name = "unique-users",
        mixinStandardHelpOptions = true,
        version = "fluxgate unique-users 0.1.0",
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Counts unique users per window from a Kafka topic of JSON frames {\"uid\": ..., \"ts\": <Unix seconds>, ...}"
                + " and publishes {\"ts\": <window start>, \"cnt\": <unique users>} per closed window, keyed by ts.",
            "",
            "Window start = floor(ts / size) * size; watermark = largest ts seen - lateness; a window closes when the"
                + " watermark reaches its end; a frame whose window is closed is late (counted, dropped); a line that is"
                + " not a JSON object with a non-empty string uid and an integer ts (|ts| <= 2^62) at its root is"
                + " malformed (counted, dead-lettered); blank lines are skipped; at the end of input every open window"
                + " is flushed.",
            "",
            "With no flags: starts an embedded Kafka broker, generates 1,000,000 frames of ~2 KB from ~100k users with"
                + " some disorder, runs the pipeline and prints a summary.",
            ""
        },
        footer = {
            "",
            "SIGTERM or SIGINT stops it gracefully: reading stops, open windows are abandoned (a restart with the same"
                + " --group-id counts them), what was emitted is written and committed, the summary is printed.",
            "Exit codes: 0 done, or stopped gracefully; 1 failed; 2 bad flags; 143 a stop that took more than 15 s, or a"
                + " second signal."
        },
        exitCodeOnInvalidInput = 2,
        exitCodeOnExecutionException = 1)
public final class UniqueUsersApp implements Callable<Integer> {

    static final long DEFAULT_GENERATE = 1_000_000L;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster to use. Default: an embedded single-node broker on 127.0.0.1, deleted on exit.")
    String bootstrapServers;

    @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = "frames",
            description = "Topic of JSON frames to read (created with --partitions when missing). Default: ${DEFAULT-VALUE}.")
    String inputTopic;

    @Option(names = "--output-topic", paramLabel = "TOPIC", defaultValue = "unique-users",
            description = "Topic the per-window results are written to, keyed by window start. Default: ${DEFAULT-VALUE}.")
    String outputTopic;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = "fluxgate-unique-users",
            description = "Consumer group. Run again with the same group id after a crash to resume. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--window", paramLabel = "SIZE", converter = DurationConverter.class,
            description = "Tumbling window size, whole seconds (e.g. 1m, 1h); repeat for several sizes in one pass."
                    + " Default: 1m.")
    List<Duration> windows = new ArrayList<>();

    @Option(names = "--lateness", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5s",
            description = "Allowed lateness: how far the watermark trails the largest ts seen. Default: ${DEFAULT-VALUE}.")
    Duration lateness;

    @Option(names = "--idle-flush", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "When no frame arrives for this long, advance the watermark by the time that passed, so windows"
                    + " close on a quiet stream. Default: off.")
    Duration idleFlush;

    @Option(names = "--mode", paramLabel = "exact|approximate", defaultValue = "exact",
            converter = ModeConverter.class,
            description = "exact: 64-bit hashes in a set; approximate: HyperLogLog sketches. Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--generate", paramLabel = "N",
            description = "Generate N frames into the input topic first. Default: 1000000 when neither --input-file nor"
                    + " --bootstrap-servers is given, else 0.")
    Long generate;

    @Option(names = "--input-file", paramLabel = "PATH",
            description = "Load a JSON-lines file into the input topic first, in file order ('-' for stdin).")
    String inputFile;

    @Option(names = "--until-end",
            description = "Count the input topic up to its end offsets found at the start and stop, whoever filled it"
                    + " (without it, a topic the app did not load itself is followed until interrupted).")
    boolean untilEnd;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
            description = "Partitions of the topics the app creates. With 1, results are exactly the semantics above"
                    + " applied in file order. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--output-file", paramLabel = "PATH",
            description = "Also write the results as JSON lines, ascending ts.")
    Path outputFile;

    @Option(names = "--postgres",
            description = "Also write the results to PostgreSQL (PG* environment variables) through the COPY sink,"
                    + " upserting by window.")
    boolean postgres;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads that parse frames, next to the Kafka consumer's own (which only fetches: the"
                    + " frames are read where the consumer fetched them, not copied). Default: 1; more parse batches"
                    + " in parallel, for many cores and several partitions.")
    Integer threads;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the generated data set. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--consumer-property", paramLabel = "NAME=VALUE",
            description = "A Kafka consumer setting for the input (e.g. security.protocol=SSL, or"
                    + " interceptor.classes), after the app's own; repeatable.")
    java.util.Map<String, String> consumerProperties = new java.util.LinkedHashMap<>();

    @Option(names = "--group-protocol", paramLabel = "classic|consumer", defaultValue = "classic",
            converter = GroupProtocolConverter.class,
            description = "The input consumer's group protocol. classic: the app sets a 10 s session (a restart after a"
                    + " crash waits that long for the dead member's partitions). consumer: KIP-848 (Kafka 4 brokers),"
                    + " where the broker assigns partitions and owns the session and heartbeat settings"
                    + " (group.consumer.session.timeout.ms), so the app sets none. Default: ${DEFAULT-VALUE}.")
    GroupProtocol groupProtocol;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(names = "--role", paramLabel = "single|worker|combiner|both", defaultValue = "single",
            converter = RoleConverter.class,
            description = "single: this one process counts the whole input. Default. To scale out, run several"
                    + " processes with the same topics and --group-id against one cluster: a worker counts each input"
                    + " partition it gets on its own and publishes the per-partition counts to <output-topic>.partials;"
                    + " a combiner sums them per window once every input partition has passed the window and writes the"
                    + " results; both: a worker and a combiner in one process, what each instance usually runs. Exact"
                    + " when the input is keyed by uid. Default: ${DEFAULT-VALUE}.")
    Role role;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where {@code --postgres} writes; null: the PG* environment variables. */
    private PostgresSettings postgresSettings;
    private GracefulStop stop = GracefulStop.none();
    /** Whether the run got past its flags with {@code --postgres}: its connections ran on the driver's event loops. */
    private boolean usedPostgres;

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        // An error arriving after its stream was cancelled (a rebalance restart or a stop cancels the pipeline while
        // the consumer is mid-call) is expected: one line, not Reactor's default ERROR with a stack trace.
        org.slf4j.Logger dropped = org.slf4j.LoggerFactory.getLogger(UniqueUsersApp.class);
        reactor.core.publisher.Hooks.onErrorDropped(e -> dropped.info("after cancel, ignored: {}", e.toString()));
        GracefulStop stop = GracefulStop.onSignals(err, GracefulStop.DEFAULT_BOUND);
        System.exit(runBeforeExit(args, new PrintWriter(System.out, true), err, null, stop));
    }

    /**
     * What {@link #main} runs before {@code System.exit}: the run, then, if it wrote to PostgreSQL, the end of the
     * database driver's event loops ({@link DriverEventLoops#stop()}). Each of those loops idles in a native
     * {@code epoll_wait}, and a HotSpot 17 JVM that exits with a thread in native code waits for it, 10 ms at a time,
     * for up to 300 ms: without this, every {@code --postgres} run spent ~0.3 s between its summary and its end. The
     * Kafka clients end their network threads when they close, so a run without {@code --postgres} has nothing to end.
     * Every result is written and committed when the run returns (the pool is disposed with the job), so this changes
     * no output and no exit code.
     */
    static int runBeforeExit(String[] args, PrintWriter out, PrintWriter err, PostgresSettings postgres,
                             GracefulStop stop) {
        UniqueUsersApp app = new UniqueUsersApp();
        int code = app.execute(args, out, err, postgres, stop);
        if (app.usedPostgres) {
            DriverEventLoops.stop();
        }
        return code;
    }

    /**
     * Runs the app and returns its exit code: 0 done (or stopped gracefully by SIGTERM/SIGINT), 1 failed, 2 bad
     * flags; a process that does not stop within {@link GracefulStop#DEFAULT_BOUND} of the signal exits with 143.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, null);
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with {@code --postgres} going to the given database. */
    static int run(String[] args, PrintWriter out, PrintWriter err, PostgresSettings postgres) {
        return run(args, out, err, postgres, GracefulStop.none());
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter, PostgresSettings)}, stopping gracefully on {@code stop}. */
    static int run(String[] args, PrintWriter out, PrintWriter err, PostgresSettings postgres, GracefulStop stop) {
        return new UniqueUsersApp().execute(args, out, err, postgres, stop);
    }

    private int execute(String[] args, PrintWriter out, PrintWriter err, PostgresSettings postgres,
                        GracefulStop stop) {
        this.postgresSettings = postgres;
        this.stop = stop;
        return Cli.commandLine(this, "unique-users", out, err).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        AppConfig config = validate();
        usedPostgres = config.postgres() != null;
        try (UniqueUsersJob job = new UniqueUsersJob(config, new ConsoleReporter(!noProgress, spec.commandLine().getErr()),
                stop)) {
            AppSummary summary = job.run();
            spec.commandLine().getOut().print(summary.render());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private AppConfig validate() {
        CommandLine cmd = spec.commandLine();
        List<Duration> sizes = windows.isEmpty() ? List.of(Duration.ofMinutes(1)) : List.copyOf(windows);
        for (Duration size : sizes) {
            if (size.isNegative() || size.isZero() || size.toMillis() % 1000 != 0) {
                throw new CommandLine.ParameterException(cmd,
                        "--window must be a positive whole number of seconds, was " + DurationConverter.format(size));
            }
        }
        if (sizes.stream().distinct().count() != sizes.size()) {
            throw new CommandLine.ParameterException(cmd, "--window sizes must differ, were " + sizes.stream()
                    .map(DurationConverter::format).toList());
        }
        if (lateness.isNegative() || lateness.toMillis() % 1000 != 0) {
            throw new CommandLine.ParameterException(cmd,
                    "--lateness must be a whole number of seconds >= 0, was " + DurationConverter.format(lateness));
        }
        if (idleFlush != null && (idleFlush.isNegative() || idleFlush.isZero())) {
            throw new CommandLine.ParameterException(cmd, "--idle-flush must be positive, was " + idleFlush);
        }
        if (partitions < 1 || partitions > 10_000) {
            throw new CommandLine.ParameterException(cmd, "--partitions must be in 1..10000, was " + partitions);
        }
        if (generate != null && generate < 0) {
            throw new CommandLine.ParameterException(cmd, "--generate must be >= 0, was " + generate);
        }
        if (generate != null && generate > 0 && inputFile != null) {
            throw new CommandLine.ParameterException(cmd, "--generate and --input-file cannot be used together");
        }
        int parseThreads = threads == null ? 1 : threads;
        if (parseThreads < 1 || parseThreads > 256) {
            throw new CommandLine.ParameterException(cmd, "--threads must be in 1..256, was " + parseThreads);
        }
        for (String topic : List.of(inputTopic, outputTopic)) {
            if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new CommandLine.ParameterException(cmd, "topic name '" + topic
                        + "' is not valid (letters, digits, '.', '_', '-'; at most 249)");
            }
        }
        if (inputTopic.equals(outputTopic)) {
            throw new CommandLine.ParameterException(cmd, "--input-topic and --output-topic must differ");
        }
        if (inputFile != null && !inputFile.equals("-") && !java.nio.file.Files.isReadable(Path.of(inputFile))) {
            throw new CommandLine.ParameterException(cmd, "--input-file " + inputFile + " is not a readable file");
        }
        if (role != Role.SINGLE && role != Role.BOTH && bootstrapServers == null) {
            throw new CommandLine.ParameterException(cmd, "--role " + role.flag()
                    + " needs --bootstrap-servers: the instances of a scaled-out run share one cluster");
        }
        if (role == Role.COMBINER && ((generate != null && generate > 0) || inputFile != null)) {
            throw new CommandLine.ParameterException(cmd, "--role combiner does not load input: give --generate or"
                    + " --input-file to one worker");
        }
        if (role == Role.WORKER && (outputFile != null || postgres)) {
            throw new CommandLine.ParameterException(cmd, "--role worker writes partial counts only: --output-file and"
                    + " --postgres go to a combiner (--role combiner or both)");
        }
        long toGenerate = generate != null ? generate
                : (inputFile == null && bootstrapServers == null ? DEFAULT_GENERATE : 0);
        return new AppConfig(bootstrapServers, inputTopic, outputTopic, groupId, sizes, lateness, idleFlush, mode,
                toGenerate, inputFile, partitions, outputFile,
                postgres ? (postgresSettings != null ? postgresSettings : PostgresSettings.fromEnvironment()) : null,
                parseThreads, seed, role, untilEnd, java.util.Map.copyOf(consumerProperties), groupProtocol);
    }

    /** Counting mode. */
    public enum Mode { EXACT, APPROXIMATE }

    /** What this process does in a run: everything, or its part of a scaled-out run. */
    public enum Role {
        SINGLE, WORKER, COMBINER, BOTH;

        String flag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        boolean counts() {
            return this != COMBINER;
        }

        boolean combines() {
            return this == COMBINER || this == BOTH;
        }
    }

    static final class RoleConverter implements CommandLine.ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            for (Role r : Role.values()) {
                if (r.flag().equals(value.toLowerCase(java.util.Locale.ROOT))) {
                    return r;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a role (single, worker, combiner or both)");
        }
    }

    static final class GroupProtocolConverter implements CommandLine.ITypeConverter<GroupProtocol> {
        @Override
        public GroupProtocol convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "classic" -> GroupProtocol.CLASSIC;
                case "consumer" -> GroupProtocol.CONSUMER;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a group protocol (classic or consumer)");
            };
        }
    }

    static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "exact" -> Mode.EXACT;
                case "approximate", "approx" -> Mode.APPROXIMATE;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a mode (exact or approximate)");
            };
        }
    }
}
