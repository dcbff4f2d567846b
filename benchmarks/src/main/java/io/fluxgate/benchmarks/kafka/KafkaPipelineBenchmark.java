package io.fluxgate.benchmarks.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.kafka.CrashSafeWindows;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end Kafka throughput, one run, all against the same embedded broker and the same topic of N frames of
 * ~2 KB JSON ({@code {"uid": 19 hex chars, "ts": ...}} plus padding and nested objects with the same field names):
 * <ol>
 *   <li>(a) a plain {@code KafkaConsumer} poll loop that only reads (the ceiling);</li>
 *   <li>(b) {@link KafkaSource} alone, acknowledging every record;</li>
 *   <li>(c) {@link CrashSafeWindows}: source → {@link RootFrameReader} → unique users per minute → {@link KafkaSink},
 *       the values views of the fetched batch ({@code ByteBufferDeserializer}), read on the run's thread;</li>
 *   <li>(cd) the same with the frames read by {@link FrameDeserializer} inside the consumer's poll,
 *       (cb) with {@code byte[]} values (the form of (c) up to session 3), (c2) as (c) on two parse threads.</li>
 * </ol>
 * Each is timed from its first record to its last (to completion, for (c): flush, sink acknowledgements and the
 * final commit included), so consumer-group joins are not counted. A warm-up pass of each variant runs first.
 * The three run interleaved for several rounds (the machine is shared and noisy); medians are reported with the
 * ratios to (a), in wall-clock time and in process CPU time (broker included). Usage: {@code KafkaPipelineBenchmark [frames [rounds [variants]]]} (default 1,000,000 frames, 3 rounds, variants
 * {@code a,b,c,cd,c2}; (a) always runs).
 */
public final class KafkaPipelineBenchmark {

    private static final Map<String, Object> FETCH = Map.of(
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);

    private KafkaPipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // the shaded jar carries no logging configuration; the broker and clients would log at DEBUG
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        // which variants to run (e.g. "a,c" while profiling one of them); (a) always runs, it is the baseline
        java.util.Set<String> only = java.util.Set.of((args.length > 2 ? args[2] : "a,b,c,cd,c2").split(","));
        try (EmbeddedKafka kafka = new EmbeddedKafka(Map.of("log.segment.bytes", Integer.toString(512 * 1024 * 1024))).start()) {
            System.out.printf("broker started in %d ms%n", kafka.startupMillis());
            kafka.createTopic("frames", 1);
            kafka.createTopic("windows", 1);
            long t0 = System.nanoTime();
            long bytes = produce(kafka, n);
            System.out.printf("produced %,d frames (%,d MB, avg %d B) in %.1f s%n", n, bytes >> 20, bytes / n,
                    (System.nanoTime() - t0) / 1e9);

            Map<String, String> names = new java.util.LinkedHashMap<>();
            names.put("a", "(a) plain KafkaConsumer poll loop");
            names.put("b", "(b) KafkaSource alone (ack each)");
            names.put("c", "(c) source -> frame parse -> unique users -> sink");
            names.put("cd", "(cd) same, frames read by the deserializer in poll");
            names.put("cb", "(cb) same, byte[] values (copied)");
            names.put("c2", "(c2) same as (c), parseParallelism(2)");
            List<String> run = names.keySet().stream().filter(v -> v.equals("a") || only.contains(v)).toList();
            // warm-up, one pass of each variant: the broker creates __consumer_offsets on first use, and the JIT
            // compiles each variant's code (and the Kafka client code they share, with each one's types) before any
            // pass is timed, as a long-running pipeline would have it
            for (String v : run) {
                variant(kafka, n, v);
            }
            double[][] t = new double[run.size()][rounds];
            // process CPU seconds per variant (broker included: it runs in this JVM): on a shared machine the
            // wall-clock times measure the neighbours too, CPU per record does not
            double[][] cpu = new double[run.size()][rounds];
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
                for (int i = 0; i < run.size(); i++) {
                    double c0 = cpuSeconds();
                    t[i][round] = variant(kafka, n, run.get(i));
                    cpu[i][round] = cpuSeconds() - c0;
                    line.append(String.format(" (%s) %.2f s, %.2f CPU s;", run.get(i), t[i][round], cpu[i][round]));
                }
                System.out.println(line);
            }
            double a = median(t[0]);
            double aCpu = median(cpu[0]);
            for (int i = 0; i < run.size(); i++) {
                report(names.get(run.get(i)), n, median(t[i]), a, median(cpu[i]), aCpu);
            }
        }
    }

    /** One pass of variant {@code v}: seconds from its first record to its last. */
    private static double variant(EmbeddedKafka kafka, int n, String v) {
        return switch (v) {
            case "a" -> plainConsumer(kafka, n);
            case "b" -> sourceAlone(kafka, n);
            default -> pipeline(kafka, n, v);
        };
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static void report(String what, int n, double seconds, double baseline, double cpu, double baselineCpu) {
        System.out.printf("%-52s %,12.0f records/s  %6.2f s  ratio to (a) %.2f   CPU %6.2f s  CPU ratio %.2f%n",
                what, n / seconds, seconds, baseline / seconds, cpu, baselineCpu / cpu);
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static long produce(EmbeddedKafka kafka, int n) {
        Random rnd = new Random(1);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.ACKS_CONFIG, "1"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                byte[] v = frame(i, n, rnd);
                bytes += v.length;
                p.send(new ProducerRecord<>("frames", v));
            }
            p.flush();
        }
        return bytes;
    }

    private static final String PADDING = "x".repeat(1500);

    /**
     * Frame {@code i} of {@code n}: ~1.7 KB, a root uid and ts, a nested object and an array of objects that
     * repeat both names, a 1.5 KB padding string. Also the input of {@link FrameParseBenchmark}.
     */
    static byte[] frame(int i, int n, Random rnd) {
        String uid = String.format("%019x", 0x100000000L + rnd.nextInt(100_000));
        long ts = 1_700_000_000L + (long) i * 86_400 / n + rnd.nextInt(10) - 7;
        String frame = "{\"uid\":\"" + uid + "\",\"ts\":" + ts
                + ",\"device\":{\"uid\":\"nested-" + i + "\",\"ts\":" + (ts - 100) + ",\"model\":\"m" + (i % 37) + "\"}"
                + ",\"events\":[{\"ts\":" + ts + ",\"kind\":\"view\"},{\"ts\":" + (ts + 1) + ",\"kind\":\"click\"}]"
                + ",\"pad\":\"" + PADDING + "\",\"n\":" + i + "}";
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    static double plainConsumer(EmbeddedKafka kafka, int n) {
        Map<String, Object> props = new java.util.HashMap<>(FETCH);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "plain-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long t0 = 0;
        long elapsed;
        long count = 0;
        long sink = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("frames"));
            while (count < n) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                if (t0 == 0 && !records.isEmpty()) {
                    t0 = System.nanoTime();
                }
                for (var r : records) {
                    sink += r.value().length;
                    count++;
                }
            }
            elapsed = System.nanoTime() - t0;
        }
        if (sink == 42) {
            System.out.print("");
        }
        return elapsed / 1e9;
    }

    static double sourceAlone(EmbeddedKafka kafka, int n) {
        KafkaSource<byte[], byte[]> source = KafkaSource.create(KafkaSourceOptions
                .builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(kafka.bootstrapServers()).topics("frames").groupId("source-" + UUID.randomUUID())
                .properties(FETCH).build());
        AtomicLong bytes = new AtomicLong();
        AtomicLong t0 = new AtomicLong();
        source.receive().doOnNext(r -> {
            t0.compareAndSet(0, System.nanoTime());
            bytes.addAndGet(r.value().length);
            r.ack();
        }).take(n).blockLast();
        return (System.nanoTime() - t0.get()) / 1e9;
    }

    /**
     * The full pipeline. (c): values as Kafka's {@code ByteBufferDeserializer} gives them (views of the fetched
     * batch, no copy), read by {@link RootFrameReader#read(ByteBuffer)} on the run's thread; (c2): the same on two
     * parse threads; (cd): frames read by {@link FrameDeserializer} inside the consumer's poll; (cb):
     * {@code byte[]} values (a copy each, as Kafka's {@code ByteArrayDeserializer} makes it) read on the run's thread.
     */
    static double pipeline(EmbeddedKafka kafka, int n, String variant) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        KafkaSink<WindowCount> sink = KafkaSink.builder((WindowCount w) -> Long.toString(w.start()), new StringSerializer(),
                        w -> "{\"ts\":" + w.start() + ",\"cnt\":" + w.uniqueUsers() + "}", new StringSerializer())
                .bootstrapServers(kafka.bootstrapServers()).topic("windows").build();
        UniqueUsers.Builder<KafkaRecord<byte[], FrameResult.Frame>> windows = windows();
        AtomicLong malformed = new AtomicLong();
        AtomicLong t0 = new AtomicLong();
        // the first record starts the clock; a malformed one would be counted (there are none)
        java.util.function.Function<FrameResult, FrameResult.Frame> frame = fr -> {
            t0.compareAndSet(0, System.nanoTime());
            if (fr instanceof FrameResult.Frame f) {
                return f;
            }
            malformed.incrementAndGet();
            return null;
        };
        String group = "pipeline-" + UUID.randomUUID();
        CrashSafeWindows.Builder<?, ?, FrameResult.Frame> run = switch (variant) {
            case "c", "c2" -> CrashSafeWindows.builder(source(kafka, group, new ByteBufferDeserializer()),
                            (KafkaRecord<byte[], ByteBuffer> r) -> frame.apply(reader.read(r.value())), CrashSafeWindows.tracking(() -> windows))
                    .parseParallelism(variant.equals("c2") ? 2 : 1);
            // malformed values would go to the source's dead letters, blank ones are skipped
            case "cd" -> CrashSafeWindows.builder(source(kafka, group, new FrameDeserializer(reader)),
                    (KafkaRecord<byte[], FrameResult> r) -> frame.apply(r.value()), CrashSafeWindows.tracking(() -> windows));
            case "cb" -> CrashSafeWindows.builder(source(kafka, group, new ByteArrayDeserializer()),
                    (KafkaRecord<byte[], byte[]> r) -> frame.apply(reader.read(r.value())), CrashSafeWindows.tracking(() -> windows));
            default -> throw new IllegalArgumentException("no variant " + variant);
        };
        long count = run.sink(sink)
                .stopAtEnd(true)
                .build()
                .run()
                .count()
                .block();
        double s = (System.nanoTime() - t0.get()) / 1e9;
        System.out.printf("    (%s) emitted %,d windows, %,d malformed%n", variant, count, malformed.get());
        return s;
    }

    /** Unique users per minute of the parsed frames, 5 s lateness: the operator of (c) and its variants. */
    static UniqueUsers.Builder<KafkaRecord<byte[], FrameResult.Frame>> windows() {
        return UniqueUsers.<KafkaRecord<byte[], FrameResult.Frame>>perWindow(Duration.ofMinutes(1))
                .userId(r -> r.value().uid())
                .eventTimeSeconds(r -> r.value().ts())
                .allowedLateness(Duration.ofSeconds(5));
    }

    private static <V> KafkaSourceOptions<byte[], V> source(EmbeddedKafka kafka, String group,
                                                            org.apache.kafka.common.serialization.Deserializer<V> values) {
        return KafkaSourceOptions.builder(new ByteArrayDeserializer(), values)
                .bootstrapServers(kafka.bootstrapServers()).topics("frames").groupId(group)
                .properties(FETCH).build();
    }
}
