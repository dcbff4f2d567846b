package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
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
import io.fluxgate.kafka.DeadLetter;
import io.fluxgate.kafka.DeadLetters;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.SinkErrorPolicy;
import io.fluxgate.kafka.StartPosition;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.json.FrameResult;
import io.fluxgate.kafka.json.RootFrameReader;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.WindowStats;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.publisher.Flux;

/** Runs the app: broker, topics, input loading, the pipeline, results. */
final class UniqueUsersJob implements AutoCloseable {

    private final AppConfig config;
    private final ConsoleReporter reporter;
    private final RootFrameReader frames = RootFrameReader.ofDefaults();
    private EmbeddedKafka embedded;

    UniqueUsersJob(AppConfig config, ConsoleReporter reporter) {
        this.config = config;
        this.reporter = reporter;
    }

    /** A valid frame's root-level fields. */
    record Frame(String uid, long ts) {}

    AppSummary run() throws IOException {
        long started = System.nanoTime();
        String bootstrap = config.bootstrapServers();
        if (config.embedded()) {
            reporter.info("starting the embedded Kafka broker ...");
            embedded = new EmbeddedKafka().start();
            bootstrap = embedded.bootstrapServers();
            reporter.info("embedded Kafka broker at " + bootstrap + " (started in " + embedded.startupMillis() + " ms)");
        }
        String dlqTopic = config.inputTopic() + ".dlq";
        try (Topics topics = new Topics(bootstrap)) {
            topics.ensure(List.of(config.inputTopic(), config.outputTopic(), dlqTopic), config.partitions());

            long loadStarted = System.nanoTime();
            FrameLoader.Loaded loaded = load(bootstrap, topics);
            Duration loadTime = Duration.ofNanos(System.nanoTime() - loadStarted);

            boolean bounded = config.generate() > 0 || config.inputFile() != null;
            long total = bounded ? topics.size(config.inputTopic()) : -1;
            if (!bounded) {
                reporter.info("reading " + config.inputTopic() + " until interrupted (Ctrl-C)");
            }

            long pipelineStarted = System.nanoTime();
            Counters counters = new Counters();
            WindowStats stats = new WindowStats();
            try (DeadLetters.Counting deadLetters = DeadLetters.toTopic(bootstrap, dlqTopic, Map.of());
                 PostgresResults postgres = config.postgres() != null ? new PostgresResults(config.postgres()) : null) {
                if (postgres != null) {
                    postgres.prepare().block(Duration.ofSeconds(30));
                }
                runPipeline(bootstrap, bounded, total, counters, stats, deadLetters, postgres);
            }
            Duration pipelineTime = Duration.ofNanos(System.nanoTime() - pipelineStarted);

            if (config.outputFile() != null) {
                writeOutputFile(bootstrap, topics);
            }
            return new AppSummary(counters.frames.sum(), stats.events() - stats.late() - stats.replayedSkipped(),
                    counters.windows.get(), stats.late(), counters.malformed.sum(), counters.blank.sum(),
                    stats.replayedSkipped(), loaded.rejected(), loadTime, pipelineTime,
                    Duration.ofNanos(System.nanoTime() - started));
        }
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
                config.partitions() > 1 ? this::uidKey : null);
        FrameLoader.Loaded loaded = config.inputFile() != null
                ? loader.loadFile(config.inputFile(), existing, reporter)
                : loader.generate(new FrameGenerator(config.seed(), 100_000, 170), config.generate(), existing, reporter);
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
    }

    private void runPipeline(String bootstrap, boolean bounded, long total, Counters counters,
                             WindowStats stats, DeadLetters.Counting deadLetters, PostgresResults postgres) {
        KafkaSourceOptions<byte[], byte[]> source =
                KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .bootstrapServers(bootstrap)
                        .topics(config.inputTopic())
                        .groupId(config.groupId())
                        .startPosition(StartPosition.EARLIEST)
                        .build();
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
        boolean severalSizes = config.windows().size() > 1;
        KafkaSink<WindowCount> kafkaSink = KafkaSink.builder(
                        (WindowCount w) -> resultKey(w, severalSizes), new StringSerializer(),
                        (WindowCount w) -> resultJson(w, severalSizes), new StringSerializer())
                .bootstrapServers(bootstrap)
                .topic(config.outputTopic())
                .errorPolicy(SinkErrorPolicy.retry(10, Duration.ofMillis(200)))
                .build();
        CrashSafeWindows<byte[], byte[], Frame> job = CrashSafeWindows.builder(source,
                        (KafkaRecord<byte[], byte[]> r) -> parse(r, counters, deadLetters), windows)
                .sink(written -> acknowledged(written, kafkaSink, postgres))
                .stopAtEnd(bounded)
                .parseParallelism(config.threads())
                .build();

        Progress progress = new Progress(reporter, counters.frames, total);
        try {
            job.run().doOnNext(w -> counters.windows.incrementAndGet()).then().block();
        } finally {
            progress.stop();
        }
    }

    /** Each window once it is in the output topic (and, with {@code --postgres}, in the table). */
    private static Flux<WindowCount> acknowledged(Flux<WindowCount> windows, KafkaSink<WindowCount> kafkaSink,
                                                  PostgresResults postgres) {
        Flux<WindowCount> sent = windows.transform(kafkaSink).map(result -> {
            if (!result.isSent()) {
                throw new IllegalStateException("could not write the result for window " + result.element() + ": "
                        + result.error(), result.error());
            }
            return result.element();
        });
        return postgres == null ? sent : sent.transform(postgres.writer()).concatMapIterable(BatchResult::elements);
    }

    /** A valid frame, or null after counting a blank line or dead-lettering a malformed one. */
    private Frame parse(KafkaRecord<byte[], byte[]> r, Counters counters, DeadLetters.Counting deadLetters) {
        counters.frames.increment();
        byte[] value = r.value();
        FrameResult result = value == null ? new FrameResult.Malformed("null value") : frames.read(value);
        if (result instanceof FrameResult.Frame f) {
            return new Frame(f.uid(), f.ts());
        }
        if (result instanceof FrameResult.Malformed m) {
            counters.malformed.increment();
            // Stored before the offset can be committed past it: a dead letter is never lost to a crash.
            deadLetters.handle(DeadLetter.of(r, m.reason())).toCompletableFuture().join();
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

    /** Redraws the progress bar from the frame counter every 200 ms while the pipeline runs. */
    private static final class Progress {
        private final reactor.core.Disposable ticker;
        private final ConsoleReporter reporter;

        Progress(ConsoleReporter reporter, LongAdder frames, long total) {
            this.reporter = reporter;
            long started = System.nanoTime();
            ticker = Flux.interval(Duration.ofMillis(200), Duration.ofMillis(200)).subscribe(tick -> {
                long done = frames.sum();
                double seconds = (System.nanoTime() - started) / 1e9;
                double rate = done / Math.max(1e-9, seconds);
                Duration eta = total > 0 && done > 0 ? Duration.ofMillis((long) ((total - done) / rate * 1000)) : null;
                reporter.progress("count", done, total, rate, eta);
            });
        }

        void stop() {
            ticker.dispose();
            reporter.endBar();
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
