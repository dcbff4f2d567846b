package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.fluxgate.jdbc.BatchResult;
import io.fluxgate.kafka.CrashSafeWindows;
import io.fluxgate.kafka.DeadLetters;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.kafka.SendResult;
import io.fluxgate.kafka.SinkErrorPolicy;
import io.fluxgate.kafka.StartPosition;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.WindowStats;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.FrameResult.Frame;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Runs the app: broker, topics, input loading, the pipeline, results. */
final class UniqueUsersJob implements AutoCloseable {

    /** How long a consumer may be silent before the group hands its partitions on (a crashed run, a scale-out worker). */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /**
     * {@code max.partition.fetch.bytes} of the input consumer: 4 MiB, not Kafka's 1 MiB. The app reads whole topics
     * as fast as it can, and with one partition each fetch response held ~500 frames of 2 KB, so a million frames
     * took ~2,000 fetch round trips, each paying the client's fetch bookkeeping on the consumer's thread and a wake-up
     * of the records thread; a quarter of them saves ~0.3 CPU-s per million frames (BENCHMARKS.md, issue #20,
     * session 9). It bounds the batches queued for the records thread at four responses of up to 4 MiB per
     * partition ({@code fetch.max.bytes}, 50 MiB, caps a response over many partitions, as before). A record batch
     * larger than this is still returned whole, as Kafka does at any setting.
     */
    static final int FETCH_BYTES_PER_PARTITION = 4 * 1024 * 1024;

    private final AppConfig config;
    private final ConsoleReporter reporter;
    private final RootFrameReader frames = RootFrameReader.ofDefaults();
    private final GracefulStop stop;
    private EmbeddedKafka embedded;

    UniqueUsersJob(AppConfig config, ConsoleReporter reporter) {
        this(config, reporter, GracefulStop.none());
    }

    UniqueUsersJob(AppConfig config, ConsoleReporter reporter, GracefulStop stop) {
        this.config = config;
        this.reporter = reporter;
        this.stop = stop;
    }

    AppSummary run() throws IOException {
        long started = System.nanoTime();
        long startedMillis = System.currentTimeMillis();
        String bootstrap = config.bootstrapServers();
        if (config.embedded()) {
            reporter.info("starting the embedded Kafka broker ...");
            embedded = new EmbeddedKafka().start();
            bootstrap = embedded.bootstrapServers();
            reporter.info("embedded Kafka broker at " + bootstrap + " (started in " + embedded.startupMillis() + " ms)");
        }
        String dlqTopic = config.inputTopic() + ".dlq";
        try (Topics topics = new Topics(bootstrap)) {
            topics.ensure(List.of(config.inputTopic(), dlqTopic), config.partitions());
            String outputPolicy = topics.ensureCompacted(config.outputTopic(), config.partitions());
            if (outputPolicy != null) {
                reporter.info("note: output topic " + config.outputTopic() + " has cleanup.policy=" + outputPolicy
                        + ": the repeats a restart writes stay in it; results are keyed by window, so"
                        + " cleanup.policy=compact keeps the last one per window only");
            }

            if (config.scaledOut()) {
                topics.ensurePartials(Partials.topic(config.outputTopic()));
            }

            long topicsReady = System.nanoTime();
            long loadStarted = System.nanoTime();
            FrameLoader.Loaded loaded = load(bootstrap, topics);
            Duration loadTime = Duration.ofNanos(System.nanoTime() - loadStarted);

            // --until-end bounds any topic, whoever filled it, at the end offsets found when reading starts
            boolean bounded = config.generate() > 0 || config.inputFile() != null || config.untilEnd()
                    || (config.scaledOut() && awaitLoad(topics));
            long total = bounded ? topics.size(config.inputTopic()) : -1;
            if (!bounded) {
                reporter.info("reading " + config.inputTopic() + " until interrupted (Ctrl-C)");
            }

            long pipelineStarted = System.nanoTime();
            Counters counters = new Counters();
            WindowStats stats = new WindowStats();
            long combined = -1;
            try (DeadLetterSink<RejectedRecord> deadLetters = config.role().counts()
                    ? DeadLetters.toTopic(bootstrap, dlqTopic, Map.of()) : null;
                 PostgresResults postgres = config.postgres() != null ? new PostgresResults(config.postgres()) : null) {
                if (postgres != null) {
                    postgres.prepare().block(Duration.ofSeconds(30));
                }
                if (!stop.requested()) {
                    switch (config.role()) {
                        case SINGLE -> runPipeline(bootstrap, bounded, total, counters, stats, deadLetters, postgres);
                        case WORKER -> worker(bootstrap, bounded, counters, stats, deadLetters).block();
                        case COMBINER -> combined = combiner(bootstrap, topics, bounded, postgres)
                                .run(() -> { }, stop::requested);
                        case BOTH -> combined = workerAndCombiner(bootstrap, topics, bounded, counters, stats,
                                deadLetters, postgres);
                    }
                }
            }
            long pipelineEnded = System.nanoTime();
            Duration pipelineTime = Duration.ofNanos(pipelineEnded - pipelineStarted);
            if (config.role() == UniqueUsersApp.Role.SINGLE && counters.firstRecord != 0) {
                reporter.info(phases(startedMillis, started, topicsReady, loadStarted, pipelineStarted, counters,
                        pipelineEnded));
            }

            if (config.outputFile() != null && !stop.requested()) {
                writeOutputFile(bootstrap, topics);
            }
            return new AppSummary(counters.frames.sum(), stats.events() - stats.late() - stats.replayedSkipped(),
                    counters.windows.get(), stats.late(), counters.malformed.sum(), counters.blank.sum(),
                    stats.replayedSkipped(), loaded.rejected(), loadTime, pipelineTime,
                    Duration.ofNanos(System.nanoTime() - started), config.role(), combined, stop.reason());
        }
    }

    /**
     * Where a run's time went, in ms: JVM start to the job, topic administration, loading, the pipeline's start to its
     * first record (consumer group join and first fetch), counting (first record to last window out), and closing
     * (commits, producers and consumer closed).
     */
    private static String phases(long startedMillis, long started, long topicsReady, long loadStarted,
                                 long pipelineStarted, Counters counters, long pipelineEnded) {
        long jvmStart = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli)
                .orElse(startedMillis);
        long lastWindow = counters.lastWindow != 0 ? counters.lastWindow : pipelineEnded;
        return String.format(java.util.Locale.ROOT, "phases (ms): start-up %d, topics %d, load %d, to first record %d,"
                        + " counting %d, closing %d", startedMillis - jvmStart, ms(topicsReady - started),
                ms(pipelineStarted - loadStarted), ms(counters.firstRecord - pipelineStarted),
                ms(lastWindow - counters.firstRecord), ms(pipelineEnded - lastWindow));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /**
     * Scale-out, without load flags: whether the input topic holds a finished load (then it is read to its end, as
     * after loading it here). A load another instance is doing is waited for; a topic without a load mark is
     * followed until interrupted.
     */
    private boolean awaitLoad(Topics topics) {
        boolean told = false;
        while (!topics.isLoaded(config.inputTopic())) {
            if (topics.loadStartedSource(config.inputTopic()) == null) {
                return false;
            }
            if (!told) {
                told = true;
                reporter.info("waiting for the load of " + config.inputTopic() + " by another instance to finish"
                        + " (if that instance died, its load cannot be carried on with several partitions: delete the"
                        + " topic and load it again)");
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the load of " + config.inputTopic(), e);
            }
        }
        return true;
    }

    private FrameLoader.Loaded load(String bootstrap, Topics topics) throws IOException {
        if (config.generate() == 0 && config.inputFile() == null) {
            return new FrameLoader.Loaded(0, 0, 0);
        }
        long existing = topics.size(config.inputTopic());
        if (existing > 0 && topics.isLoaded(config.inputTopic())) {
            // A restart after a crash: the input is all there, loading it again would count it twice.
            reporter.info("input topic " + config.inputTopic() + " already holds the " + existing
                    + " loaded records: not loading again (use a new --input-topic for new data)");
            return new FrameLoader.Loaded(0, 0, 0);
        }
        String source = inputFingerprint(config.inputFile(), config.seed(), config.generate());
        if (existing > 0) {
            String started = topics.loadStartedSource(config.inputTopic());
            if (source == null || !source.equals(started)) {
                throw new IllegalStateException("input topic " + config.inputTopic() + " already holds " + existing
                        + " records that are not a finished load of this input"
                        + (source == null ? " (an interrupted load from stdin cannot be carried on)" : "")
                        + ": use a new --input-topic, or delete this one");
            }
            if (config.partitions() > 1) {
                throw new IllegalStateException("input topic " + config.inputTopic() + " holds " + existing
                        + " records of a load that was interrupted; with several partitions they are not a prefix"
                        + " of the input, so it cannot be carried on: delete the topic or use a new --input-topic");
            }
            // One partition and an idempotent producer: what reached the topic is a prefix of the input.
            reporter.info("input topic " + config.inputTopic() + " holds the first " + existing
                    + " records of an interrupted load: loading the rest");
        } else if (source != null) {
            topics.markLoadStarted(config.inputTopic(), source);
        }
        FrameLoader loader = new FrameLoader(bootstrap, config.inputTopic(),
                config.partitions() > 1 ? this::uidKey : null, stop.signal());
        FrameLoader.Loaded loaded = config.inputFile() != null
                ? loader.loadFile(config.inputFile(), existing, reporter)
                : loader.generate(new FrameGenerator(config.seed(), 100_000, 170), config.generate(), existing, reporter);
        if (stop.requested()) {
            // an interrupted load: a restart carries it on (one partition) rather than taking it for the whole input
            reporter.info("load of " + config.inputTopic() + " stopped after " + (existing + loaded.records())
                    + " records: run again to carry it on");
            return loaded;
        }
        topics.markLoaded(config.inputTopic());
        return loaded;
    }

    /**
     * What is being loaded, in a few dozen characters (commit metadata is small): the file's path, size and
     * modification time, or the generator's seed and count; null for stdin, which cannot be recognised again.
     */
    static String inputFingerprint(String inputFile, long seed, long generate) throws IOException {
        String what;
        if (inputFile == null) {
            what = "generate:" + seed + ":" + generate;
        } else if (inputFile.equals("-")) {
            return null;
        } else {
            Path file = Path.of(inputFile).toAbsolutePath();
            what = "file:" + file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(what.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Keys a frame by its uid, so that with several partitions each user's frames stay in one partition. */
    private byte[] uidKey(byte[] line) {
        return frames.read(line) instanceof FrameResult.Frame f ? f.uid().getBytes(StandardCharsets.UTF_8) : null;
    }

    /** Counted by every parse thread per record, so adders rather than one contended atomic each. */
    private static final class Counters {
        final LongAdder frames = new LongAdder();
        final LongAdder malformed = new LongAdder();
        final LongAdder blank = new LongAdder();
        final AtomicLong windows = new AtomicLong();
        /** System.nanoTime() of the first record parsed and of the last window written, for the phase timings. */
        volatile long firstRecord;
        volatile long lastWindow;
    }

    private void runPipeline(String bootstrap, boolean bounded, long total, Counters counters,
                             WindowStats stats, DeadLetterSink<RejectedRecord> deadLetters, PostgresResults postgres) {
        CrashSafeWindows<byte[], ByteBuffer, Frame> job = counting(bootstrap, session(), counters, stats, deadLetters)
                .sink(written -> acknowledged(written, outputSink(bootstrap), postgres))
                .stopAtEnd(bounded)
                .recordStage(reporter.stage("count", total, null))
                .build();
        try {
            job.run(stop.signal()).doOnNext(w -> {
                counters.windows.incrementAndGet();
                counters.lastWindow = System.nanoTime();
            }).then().block();
        } finally {
            reporter.endBar();
        }
    }

    /**
     * Scale-out worker: one window operator per input partition (each with its own watermark), whose per-partition
     * counts go to the partials topic, keyed by window and partition. With a bounded input it completes once the
     * whole group has counted the whole input, so it takes over the partitions of an instance that dies.
     */
    private Mono<Void> worker(String bootstrap, boolean bounded, Counters counters, WindowStats stats,
                              DeadLetterSink<RejectedRecord> deadLetters) {
        KafkaSink<WindowCount> partials = KafkaSink.builder(
                        (WindowCount w) -> Partials.key(w, CrashSafeWindows.partitionOf(w).partition(), config.groupId()),
                        new StringSerializer(),
                        (WindowCount w) -> Partials.json(w, CrashSafeWindows.partitionOf(w).partition(), config.groupId()),
                        new StringSerializer())
                .bootstrapServers(bootstrap)
                .topic(Partials.topic(config.outputTopic()))
                .errorPolicy(SinkErrorPolicy.retry(10, Duration.ofMillis(200)))
                .build();
        // Static membership: a rebalance restarts each worker's consumer from its commits, and without it every such
        // restart would trigger the next rebalance. A worker that dies hands its partitions on after the session
        // timeout.
        Map<String, Object> membership = new java.util.HashMap<>(session());
        membership.put("group.instance.id", instanceId());
        CrashSafeWindows<byte[], ByteBuffer, Frame> job = counting(bootstrap, membership, counters, stats, deadLetters)
                .perPartition(true)
                .sink(written -> written.transform(partials).map(UniqueUsersJob::sent))
                .stopAtEnd(bounded)
                .recordStage(reporter.stage("count", -1, null))
                .build();
        return job.run(stop.signal()).doOnNext(w -> counters.windows.incrementAndGet()).then()
                .doFinally(s -> reporter.endBar());
    }

    /** The combiner of a scale-out run, writing what the single-instance app writes, where it writes it. */
    private CombinerJob combiner(String bootstrap, Topics topics, boolean bounded, PostgresResults postgres) {
        Map<TopicPartition, Long> ends = topics.endOffsets(config.inputTopic());
        KafkaSink<WindowCount> out = outputSink(bootstrap);
        return new CombinerJob(bootstrap, Partials.topic(config.outputTopic()), config.inputTopic(), config.groupId(),
                topics, ends.size(), bounded ? ends : null, config.mode() == UniqueUsersApp.Mode.APPROXIMATE,
                config.windows(), windows -> acknowledged(windows, out, postgres));
    }

    /** {@code --role both}: the worker in the background, the combiner here; either failing stops the other. */
    private long workerAndCombiner(String bootstrap, Topics topics, boolean bounded, Counters counters,
                                   WindowStats stats, DeadLetterSink<RejectedRecord> deadLetters, PostgresResults postgres) {
        java.util.concurrent.CompletableFuture<Void> worker =
                worker(bootstrap, bounded, counters, stats, deadLetters).toFuture();
        long combined;
        try {
            combined = combiner(bootstrap, topics, bounded, postgres).run(() -> {
                if (worker.isCompletedExceptionally()) {
                    worker.join(); // rethrows the worker's failure
                }
            }, stop::requested);
        } catch (RuntimeException e) {
            worker.cancel(true);
            throw e;
        }
        worker.join();
        return combined;
    }

    /**
     * The counting pipeline's builder: the values are views of the fetched batches (Kafka's
     * {@code ByteBufferDeserializer}, no copy), read on {@code --threads} threads of the run, so the consumer's
     * thread neither copies nor parses; each malformed frame is counted and handed to the dead letters, stored before
     * any offset past it is committed.
     */
    private CrashSafeWindows.Builder<byte[], ByteBuffer, Frame> counting(String bootstrap, Map<String, Object> properties,
                                                                         Counters counters, WindowStats stats,
                                                                         DeadLetterSink<RejectedRecord> deadLetters) {
        return CrashSafeWindows.builder(source(bootstrap, properties, deadLetters),
                        (KafkaRecord<byte[], ByteBuffer> r, CrashSafeWindows.Rejections rejections) ->
                                parse(r, counters, rejections), CrashSafeWindows.tracking(() -> windows(stats)))
                .parseParallelism(config.threads());
    }

    /**
     * The consumer's session settings. A run started again after a crash joins the group while the dead consumer is
     * still a member; the group waits for that member's session to expire before it assigns the partitions, so a
     * short session timeout is how long a restart stalls (Kafka's default, 45 s, made every restart wait that long).
     * Under the consumer group protocol (KIP-848) the session and heartbeat are the broker's
     * ({@code group.consumer.session.timeout.ms}, or the group's own config), and the client refuses them.
     */
    private Map<String, Object> session() {
        if (config.groupProtocol() == GroupProtocol.CONSUMER) {
            return Map.of();
        }
        return Map.of(
                "session.timeout.ms", (int) SESSION_TIMEOUT.toMillis(),
                "heartbeat.interval.ms", (int) SESSION_TIMEOUT.toMillis() / 5);
    }

    /**
     * The input consumer's settings: the run's own ({@code properties}: session, membership), then the app's
     * {@link #FETCH_BYTES_PER_PARTITION}, then the user's {@code --consumer-property} settings, which win.
     */
    static Map<String, Object> consumerProperties(Map<String, Object> properties, Map<String, String> user) {
        Map<String, Object> consumer = new java.util.HashMap<>(properties);
        consumer.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, FETCH_BYTES_PER_PARTITION);
        consumer.putAll(user);
        return consumer;
    }

    private KafkaSourceOptions<byte[], ByteBuffer> source(String bootstrap, Map<String, Object> properties,
                                                          DeadLetterSink<RejectedRecord> deadLetters) {
        Map<String, Object> consumer = consumerProperties(properties, config.consumerProperties());
        return KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteBufferDeserializer())
                .bootstrapServers(bootstrap)
                .topics(config.inputTopic())
                .groupId(config.groupId())
                .startPosition(StartPosition.EARLIEST)
                .groupProtocol(config.groupProtocol())
                .properties(consumer)
                .deadLetters(deadLetters)
                .build();
    }

    private UniqueUsers.Builder<KafkaRecord<byte[], Frame>> windows(WindowStats stats) {
        UniqueUsers.Builder<KafkaRecord<byte[], Frame>> windows =
                UniqueUsers.<KafkaRecord<byte[], Frame>>perWindow(config.windows().get(0));
        config.windows().stream().skip(1).forEach(windows::alsoWindow);
        windows.userId(r -> r.value().uid())
                .eventTimeSeconds(r -> r.value().ts())
                .allowedLateness(config.lateness())
                .stats(stats);
        if (config.idleFlush() != null) {
            windows.idleFlush(config.idleFlush());
        }
        if (config.mode() == UniqueUsersApp.Mode.APPROXIMATE) {
            windows.approximate();
        }
        return windows;
    }

    private KafkaSink<WindowCount> outputSink(String bootstrap) {
        boolean severalSizes = config.windows().size() > 1;
        return KafkaSink.builder(
                        (WindowCount w) -> resultKey(w, severalSizes), new StringSerializer(),
                        (WindowCount w) -> resultJson(w, severalSizes), new StringSerializer())
                .bootstrapServers(bootstrap)
                .topic(config.outputTopic())
                .errorPolicy(SinkErrorPolicy.retry(10, Duration.ofMillis(200)))
                .build();
    }

    /** Names this process in the group: group, host and process id, as Kafka allows in an id. */
    private String instanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "host";
        }
        String id = config.groupId() + "-" + host + "-" + ProcessHandle.current().pid();
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Each window once it is in the output topic (and, with {@code --postgres}, in the table). */
    private static Flux<WindowCount> acknowledged(Flux<WindowCount> windows, KafkaSink<WindowCount> kafkaSink,
                                                  PostgresResults postgres) {
        Flux<WindowCount> sent = windows.transform(kafkaSink).map(UniqueUsersJob::sent);
        return postgres == null ? sent : sent.transform(postgres.writer()).concatMapIterable(BatchResult::elements);
    }

    private static WindowCount sent(SendResult<WindowCount> result) {
        if (!result.isSent()) {
            throw new IllegalStateException("could not write the result for window " + result.element() + ": "
                    + result.error(), result.error());
        }
        return result.element();
    }

    /** A valid frame, or null after counting a blank line or dead-lettering a malformed one. */
    private Frame parse(KafkaRecord<byte[], ByteBuffer> r, Counters counters, CrashSafeWindows.Rejections rejections) {
        counters.frames.increment();
        if (counters.firstRecord == 0) {
            counters.firstRecord = System.nanoTime();
        }
        FrameResult result = frames.read(r.value());
        if (result instanceof Frame f) {
            // the reader's own result is what the window reads: no copy per record
            return f;
        }
        if (result instanceof FrameResult.Malformed m) {
            counters.malformed.increment();
            // Handed to the dead-letter topic without waiting; no offset past it is committed before it is stored,
            // so a dead letter is never lost to a crash.
            rejections.reject(RejectedRecord.ofBuffer(r).letter("parse", m.reason()));
        } else {
            counters.blank.increment();
        }
        return null;
    }

    static String resultKey(WindowCount w, boolean severalSizes) {
        return severalSizes ? w.start() + "@" + DurationConverter.format(w.size()) : Long.toString(w.start());
    }

    static String resultJson(WindowCount w, boolean severalSizes) {
        String json = "{\"ts\":" + w.start() + ",\"cnt\":" + w.uniqueUsers();
        return severalSizes ? json + ",\"window\":\"" + DurationConverter.format(w.size()) + "\"}" : json + "}";
    }

    private void writeOutputFile(String bootstrap, Topics topics) throws IOException {
        Map<String, byte[]> last = ResultFile.lastValuePerKey(bootstrap, topics.endOffsets(config.outputTopic()));
        // ascending window start, then size
        TreeMap<long[], byte[]> ordered = new TreeMap<>(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
        last.forEach((key, value) -> {
            int at = key.indexOf('@');
            long start = Long.parseLong(at < 0 ? key : key.substring(0, at));
            long size = at < 0 ? 0 : DurationConverter.parse(key.substring(at + 1)).toSeconds();
            ordered.put(new long[] {start, size}, value);
        });
        ResultFile.write(config.outputFile(), ordered);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
