package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.kafka.DeadLetter;
import io.fluxgate.kafka.DeadLetters;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.SendResult;
import io.fluxgate.kafka.SinkErrorPolicy;
import io.fluxgate.kafka.StartPosition;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.json.FrameResult;
import io.fluxgate.kafka.json.RootFrameReader;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.WindowStats;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Runs the app: broker, topics, input loading, the pipeline, results. */
final class UniqueUsersJob implements AutoCloseable {

    /** Records handed to one parse task: large enough to amortise the hop to a parser thread. */
    private static final int PARSE_BATCH = 512;

    private final AppConfig config;
    private final ConsoleReporter reporter;
    private final RootFrameReader frames = RootFrameReader.ofDefaults();
    private EmbeddedKafka embedded;

    UniqueUsersJob(AppConfig config, ConsoleReporter reporter) {
        this.config = config;
        this.reporter = reporter;
    }

    /** A valid frame with where it came from, so the window operator can say which offsets are accounted for. */
    record Frame(String uid, long ts, int partition, long offset) {}

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
            Map<TopicPartition, Long> end = bounded ? topics.endOffsets(config.inputTopic()) : null;
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
                runPipeline(bootstrap, end, total, counters, stats, deadLetters, postgres);
            }
            Duration pipelineTime = Duration.ofNanos(System.nanoTime() - pipelineStarted);

            if (config.outputFile() != null) {
                writeOutputFile(bootstrap, topics);
            }
            return new AppSummary(counters.frames.get(), stats.events() - stats.late() - stats.replayedSkipped(),
                    counters.windows.get(), stats.late(), counters.malformed.get(), counters.blank.get(),
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
        if (existing > 0 && config.partitions() > 1) {
            throw new IllegalStateException("input topic " + config.inputTopic() + " holds " + existing
                    + " records of a load that was interrupted; with several partitions they are not a prefix of the"
                    + " input, so it cannot be carried on: delete the topic or use a new --input-topic");
        }
        if (existing > 0) {
            // One partition and an idempotent producer: what reached the topic is a prefix of the input.
            reporter.info("input topic " + config.inputTopic() + " holds the first " + existing
                    + " records of an interrupted load: loading the rest");
        }
        FrameLoader loader = new FrameLoader(bootstrap, config.inputTopic(),
                config.partitions() > 1 ? this::uidKey : null);
        FrameLoader.Loaded loaded = config.inputFile() != null
                ? loader.loadFile(config.inputFile(), existing, reporter)
                : loader.generate(new FrameGenerator(config.seed(), 100_000, 170), config.generate(), existing, reporter);
        topics.markLoaded(config.inputTopic());
        return loaded;
    }

    /** Keys a frame by its uid, so that with several partitions each user's frames stay in one partition. */
    private byte[] uidKey(byte[] line) {
        return frames.read(line) instanceof FrameResult.Frame f ? f.uid().getBytes(StandardCharsets.UTF_8) : null;
    }

    private static final class Counters {
        final AtomicLong frames = new AtomicLong();
        final AtomicLong malformed = new AtomicLong();
        final AtomicLong blank = new AtomicLong();
        final AtomicLong windows = new AtomicLong();
    }

    private void runPipeline(String bootstrap, Map<TopicPartition, Long> end, long total, Counters counters,
                             WindowStats stats, DeadLetters.Counting deadLetters, PostgresResults postgres) {
        KafkaSource<byte[], byte[]> source = KafkaSource.create(
                KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .bootstrapServers(bootstrap)
                        .topics(config.inputTopic())
                        .groupId(config.groupId())
                        .startPosition(StartPosition.EARLIEST)
                        .build());
        UniqueUsers.Builder<Frame> windows = UniqueUsers.<Frame>perWindow(config.windows().get(0));
        config.windows().stream().skip(1).forEach(windows::alsoWindow);
        windows.userId(Frame::uid)
                .eventTimeSeconds(Frame::ts)
                .allowedLateness(config.lateness())
                .partitions(Frame::partition)
                .positions(Frame::offset)
                .stats(stats);
        if (config.idleFlush() != null) {
            windows.idleFlush(config.idleFlush());
        }
        if (config.mode() == UniqueUsersApp.Mode.APPROXIMATE) {
            windows.approximate();
        }
        boolean severalSizes = config.windows().size() > 1;
        KafkaSink<WindowCount> sink = KafkaSink.builder(
                        (WindowCount w) -> resultKey(w, severalSizes), new StringSerializer(),
                        (WindowCount w) -> resultJson(w, severalSizes), new StringSerializer())
                .bootstrapServers(bootstrap)
                .topic(config.outputTopic())
                .errorPolicy(SinkErrorPolicy.retry(10, Duration.ofMillis(200)))
                .build();

        EndOfInput endOfInput = end == null ? null : new EndOfInput(end);
        Flux<KafkaRecord<byte[], byte[]>> records = source.receive();
        if (endOfInput != null) {
            records = endOfInput.isDone() ? Flux.empty() : records.takeUntil(endOfInput::reached);
        }
        Scheduler parsers = Schedulers.newParallel("parse", config.threads());
        Progress progress = new Progress(reporter, counters.frames, total);
        try {
            Mono<Void> done = records
                    .bufferTimeout(PARSE_BATCH, Duration.ofMillis(20), true)
                    .flatMapSequential(batch -> Mono.fromCallable(() -> parse(batch, counters, deadLetters))
                            .subscribeOn(parsers), config.threads(), 1)
                    .concatMapIterable(list -> list)
                    .transform(windows.build())
                    .transform(sink)
                    .map(result -> {
                        if (!result.isSent()) {
                            throw new IllegalStateException("could not write the result for window "
                                    + result.element() + ": " + result.error(), result.error());
                        }
                        counters.windows.incrementAndGet();
                        return result.element();
                    })
                    .as(written -> postgres == null ? written.then() : written.transform(postgres.writer()).then());
            done.block();
        } finally {
            progress.stop();
            parsers.dispose();
        }
    }

    private List<Frame> parse(List<KafkaRecord<byte[], byte[]>> batch, Counters counters,
                              DeadLetters.Counting deadLetters) {
        List<Frame> out = new ArrayList<>(batch.size());
        for (KafkaRecord<byte[], byte[]> r : batch) {
            byte[] value = r.value();
            FrameResult result = value == null ? new FrameResult.Malformed("null value") : frames.read(value);
            if (result instanceof FrameResult.Frame f) {
                out.add(new Frame(f.uid(), f.ts(), r.partition(), r.offset()));
            } else if (result instanceof FrameResult.Malformed m) {
                counters.malformed.incrementAndGet();
                deadLetters.handle(DeadLetter.of(r, m.reason()));
            } else {
                counters.blank.incrementAndGet();
            }
        }
        counters.frames.addAndGet(batch.size());
        return out;
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

    /** Knows the end offsets of a bounded input and when every partition has been read up to them. */
    static final class EndOfInput {
        private final Map<Integer, Long> lastOffset = new HashMap<>();
        private int pending;

        EndOfInput(Map<TopicPartition, Long> endOffsets) {
            endOffsets.forEach((tp, end) -> {
                if (end > 0) {
                    lastOffset.put(tp.partition(), end - 1);
                }
            });
            pending = lastOffset.size();
        }

        boolean isDone() {
            return pending == 0;
        }

        boolean reached(KafkaRecord<?, ?> r) {
            Long last = lastOffset.get(r.partition());
            if (last != null && r.offset() >= last) {
                lastOffset.remove(r.partition());
                pending--;
            }
            return pending == 0;
        }
    }

    /** Redraws the progress bar from the frame counter every 200 ms while the pipeline runs. */
    private static final class Progress {
        private final reactor.core.Disposable ticker;
        private final ConsoleReporter reporter;

        Progress(ConsoleReporter reporter, AtomicLong frames, long total) {
            this.reporter = reporter;
            long started = System.nanoTime();
            ticker = Flux.interval(Duration.ofMillis(200), Duration.ofMillis(200)).subscribe(tick -> {
                long done = frames.get();
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
