package io.fluxgate.benchmarks.kafka;

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
import io.fluxgate.kafka.json.FrameResult;
import io.fluxgate.kafka.json.RootFrameReader;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end Kafka throughput, one run, all against the same embedded broker and the same topic of N frames of
 * ~2 KB JSON ({@code {"uid": 19 hex chars, "ts": ...}} plus padding and nested objects with the same field names):
 * <ol>
 *   <li>(a) a plain {@code KafkaConsumer} poll loop that only reads (the ceiling);</li>
 *   <li>(b) {@link KafkaSource} alone, acknowledging every record;</li>
 *   <li>(c) {@link CrashSafeWindows}: source → {@link RootFrameReader} → unique users per minute → {@link KafkaSink},
 *       the frames read by {@link RootFrameReader#deserializer()} inside the consumer's poll;</li>
 *   <li>(cb) the same with {@code byte[]} values read by the parse function on the run's thread (the form of (c)
 *       up to session 3), and (c2) that on two parse threads ({@code parseParallelism(2)}).</li>
 * </ol>
 * Each is timed from its first record to its last (to completion, for (c): flush, sink acknowledgements and the
 * final commit included), so consumer-group joins are not counted. A warm-up pass of each variant runs first.
 * The three run interleaved for several rounds (the machine is shared and noisy); medians are reported with the
 * ratios to (a), in wall-clock time and in process CPU time (broker included). Usage: {@code KafkaPipelineBenchmark [frames [rounds [variants]]]} (default 1,000,000 frames, 3 rounds, variants
 * {@code a,b,c,cb,c2}; (a) always runs).
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
        java.util.Set<String> only = java.util.Set.of((args.length > 2 ? args[2] : "a,b,c,cb,c2").split(","));
        try (EmbeddedKafka kafka = new EmbeddedKafka(Map.of("log.segment.bytes", Integer.toString(512 * 1024 * 1024))).start()) {
            System.out.printf("broker started in %d ms%n", kafka.startupMillis());
            kafka.createTopic("frames", 1);
            kafka.createTopic("windows", 1);
            long t0 = System.nanoTime();
            long bytes = produce(kafka, n);
            System.out.printf("produced %,d frames (%,d MB, avg %d B) in %.1f s%n", n, bytes >> 20, bytes / n,
                    (System.nanoTime() - t0) / 1e9);

            // warm-up, one pass of each variant: the broker creates __consumer_offsets on first use, and the JIT
            // compiles each variant's code (and the Kafka client code they share, with each one's types) before any
            // pass is timed, as a long-running pipeline would have it
            plainConsumer(kafka, n);
            if (only.contains("b")) {
                sourceAlone(kafka, n);
            }
            if (only.contains("c")) {
                pipeline(kafka, n, 0);
            }
            if (only.contains("cb")) {
                pipeline(kafka, n, 1);
            }
            if (only.contains("c2")) {
                pipeline(kafka, n, 2);
            }
            double[][] t = new double[5][rounds];
            // process CPU seconds per variant (broker included: it runs in this JVM): on a shared machine the
            // wall-clock times measure the neighbours too, CPU per record does not
            double[][] cpu = new double[5][rounds];
            for (int round = 0; round < rounds; round++) {
                double c0 = cpuSeconds();
                t[0][round] = plainConsumer(kafka, n);
                double c1 = cpuSeconds();
                t[1][round] = only.contains("b") ? sourceAlone(kafka, n) : Double.NaN;
                double c2 = cpuSeconds();
                t[2][round] = only.contains("c") ? pipeline(kafka, n, 0) : Double.NaN;
                double c3 = cpuSeconds();
                t[3][round] = only.contains("cb") ? pipeline(kafka, n, 1) : Double.NaN;
                double c4 = cpuSeconds();
                t[4][round] = only.contains("c2") ? pipeline(kafka, n, 2) : Double.NaN;
                double c5 = cpuSeconds();
                cpu[0][round] = c1 - c0;
                cpu[1][round] = c2 - c1;
                cpu[2][round] = c3 - c2;
                cpu[3][round] = c4 - c3;
                cpu[4][round] = c5 - c4;
                System.out.printf("round %d: (a) %.2f s, (b) %.2f s, (c) %.2f s, (cb) %.2f s, (c2) %.2f s;"
                                + " CPU s: %.2f, %.2f, %.2f, %.2f, %.2f%n",
                        round + 1, t[0][round], t[1][round], t[2][round], t[3][round], t[4][round],
                        cpu[0][round], cpu[1][round], cpu[2][round], cpu[3][round], cpu[4][round]);
            }
            double a = median(t[0]);
            double aCpu = median(cpu[0]);
            report("(a) plain KafkaConsumer poll loop", n, a, a, median(cpu[0]), aCpu);
            report("(b) KafkaSource alone (ack each)", n, median(t[1]), a, median(cpu[1]), aCpu);
            report("(c) source -> frame parse -> unique users -> sink", n, median(t[2]), a, median(cpu[2]), aCpu);
            report("(cb) same, byte[] values parsed on the run's thread", n, median(t[3]), a, median(cpu[3]), aCpu);
            report("(c2) same as (cb), parseParallelism(2)", n, median(t[4]), a, median(cpu[4]), aCpu);
        }
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
     * (c) with {@code parseThreads} 0: the frames read by the value deserializer inside the consumer's poll; (cb)
     * and (c2) with 1 and 2: {@code byte[]} values read by the parse function on that many threads of the run.
     */
    static double pipeline(EmbeddedKafka kafka, int n, int parseThreads) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        KafkaSink<WindowCount> sink = KafkaSink.builder((WindowCount w) -> Long.toString(w.start()), new StringSerializer(),
                        w -> "{\"ts\":" + w.start() + ",\"cnt\":" + w.uniqueUsers() + "}", new StringSerializer())
                .bootstrapServers(kafka.bootstrapServers()).topic("windows").build();
        UniqueUsers.Builder<KafkaRecord<byte[], FrameResult.Frame>> windows =
                UniqueUsers.<KafkaRecord<byte[], FrameResult.Frame>>perWindow(Duration.ofMinutes(1))
                        .userId(r -> r.value().uid())
                        .eventTimeSeconds(r -> r.value().ts())
                        .allowedLateness(Duration.ofSeconds(5));
        AtomicLong malformed = new AtomicLong();
        AtomicLong t0 = new AtomicLong();
        String group = "pipeline-" + UUID.randomUUID();
        CrashSafeWindows.Builder<?, ?, FrameResult.Frame> run;
        if (parseThreads == 0) {
            // malformed values would go to the source's dead letters, blank ones are skipped
            run = CrashSafeWindows.builder(source(kafka, group, reader.deserializer()),
                    (KafkaRecord<byte[], FrameResult> r) -> {
                        t0.compareAndSet(0, System.nanoTime());
                        return r.value() instanceof FrameResult.Frame f ? f : null;
                    }, windows);
        } else {
            run = CrashSafeWindows.builder(source(kafka, group, new ByteArrayDeserializer()),
                            (KafkaRecord<byte[], byte[]> r) -> {
                                t0.compareAndSet(0, System.nanoTime());
                                FrameResult fr = reader.read(r.value());
                                if (fr instanceof FrameResult.Frame f) {
                                    return f;
                                }
                                malformed.incrementAndGet();
                                return null;
                            }, windows)
                    .parseParallelism(parseThreads);
        }
        long count = run.sink(sink)
                .stopAtEnd(true)
                .build()
                .run()
                .count()
                .block();
        double s = (System.nanoTime() - t0.get()) / 1e9;
        System.out.printf("    (%s) emitted %,d windows, %,d malformed%n", parseThreads == 0 ? "c" : parseThreads == 1 ? "cb" : "c2",
                count, malformed.get());
        return s;
    }

    private static <V> KafkaSourceOptions<byte[], V> source(EmbeddedKafka kafka, String group,
                                                            org.apache.kafka.common.serialization.Deserializer<V> values) {
        return KafkaSourceOptions.builder(new ByteArrayDeserializer(), values)
                .bootstrapServers(kafka.bootstrapServers()).topics("frames").groupId(group)
                .properties(FETCH).build();
    }
}
