package io.fluxgate.benchmarks.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.share.KafkaShareSource;
import io.fluxgate.kafka.share.KafkaShareSourceOptions;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.Disposable;

/**
 * Share-group throughput (issue #25), one run against one embedded broker and one topic of N records: every record
 * read and accepted, by
 * <ol>
 *   <li>(a1) one plain {@code KafkaShareConsumer} loop in explicit mode (poll, accept each, poll again: the
 *       acknowledgements travel with the next poll), the baseline;</li>
 *   <li>(b1) one {@link KafkaShareSource} subscription accepting each record as it comes;</li>
 *   <li>(a2) two plain loops, each on its own thread, in the same share group;</li>
 *   <li>(b2) two {@link KafkaShareSource} subscriptions in the same share group.</li>
 * </ol>
 * Each pass uses a new share group reading the topic from its start ({@code share.auto.offset.reset=earliest}) and
 * is timed from its first record to the last acceptance, so group joins are not counted. A warm-up pass of each
 * variant runs first; then the variants run interleaved for several rounds and medians are reported, with the
 * ratios b1/a1 and b2/a2 (and a2/a1). Usage: {@code ShareSourceBenchmark [records [rounds [value bytes]]]}
 * (default 200,000 records, 3 rounds, 200-byte values).
 */
public final class ShareSourceBenchmark {

    private static final String TOPIC = "jobs";
    private static final int MAX_POLL_RECORDS = 500;
    private static final Duration LIMIT = Duration.ofMinutes(5);

    private ShareSourceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            System.out.printf("broker started in %d ms; load average %s%n", kafka.startupMillis(), loadAverage());
            kafka.createTopic(TOPIC, 1);
            produce(kafka, n, size);
            Map<String, String> names = new LinkedHashMap<>();
            names.put("a1", "(a1) plain KafkaShareConsumer loop, 1 instance");
            names.put("b1", "(b1) KafkaShareSource, 1 instance");
            names.put("a2", "(a2) plain KafkaShareConsumer loops, 2 instances");
            names.put("b2", "(b2) KafkaShareSource, 2 instances");
            List<String> run = List.copyOf(names.keySet());
            for (String v : run) {
                variant(kafka, n, v);
            }
            double[][] t = new double[run.size()][rounds];
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
                for (int i = 0; i < run.size(); i++) {
                    t[i][round] = variant(kafka, n, run.get(i));
                    line.append(String.format(" (%s) %.2f s;", run.get(i), t[i][round]));
                }
                System.out.println(line);
            }
            double[] median = new double[run.size()];
            for (int i = 0; i < run.size(); i++) {
                median[i] = median(t[i]);
                System.out.printf("%-52s %,10.0f records/s  %6.2f s%n", names.get(run.get(i)), n / median[i], median[i]);
            }
            System.out.printf("ratio b1/a1 %.2f   b2/a2 %.2f   a2/a1 %.2f   b2/b1 %.2f   (throughput; load average %s)%n",
                    median[0] / median[1], median[2] / median[3], median[0] / median[2], median[1] / median[3],
                    loadAverage());
        }
    }

    private static double variant(EmbeddedKafka kafka, int n, String v) throws Exception {
        String group = "bench-" + v + "-" + UUID.randomUUID();
        kafka.alterGroupConfig(group, Map.of("share.auto.offset.reset", "earliest"));
        return switch (v) {
            case "a1" -> plain(kafka, group, n, 1);
            case "a2" -> plain(kafka, group, n, 2);
            case "b1" -> source(kafka, group, n, 1);
            case "b2" -> source(kafka, group, n, 2);
            default -> throw new IllegalArgumentException(v);
        };
    }

    /** {@code instances} plain loops on threads of their own: seconds from the first record to the n-th accept. */
    static double plain(EmbeddedKafka kafka, String group, int n, int instances) throws Exception {
        AtomicLong accepted = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        CountDownLatch done = new CountDownLatch(instances);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            Thread t = new Thread(() -> {
                Map<String, Object> p = new HashMap<>();
                p.put("bootstrap.servers", kafka.bootstrapServers());
                p.put("group.id", group);
                p.put("share.acknowledgement.mode", "explicit");
                p.put("share.acquire.mode", "record_limit");
                p.put("max.poll.records", MAX_POLL_RECORDS);
                long sink = 0;
                try (KafkaShareConsumer<byte[], byte[]> c = new KafkaShareConsumer<>(p, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    c.subscribe(List.of(TOPIC));
                    long deadline = System.nanoTime() + LIMIT.toNanos();
                    while (accepted.get() < n && System.nanoTime() < deadline) {
                        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                        if (!records.isEmpty()) {
                            first.compareAndSet(0, System.nanoTime());
                        }
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            sink += r.value().length;
                            c.acknowledge(r, AcknowledgeType.ACCEPT);
                            if (accepted.incrementAndGet() == n) {
                                last.set(System.nanoTime());
                            }
                        }
                    }
                    c.commitSync();
                } finally {
                    done.countDown();
                }
                if (sink == 42) {
                    System.out.print("");
                }
            }, "plain-share-" + i);
            threads.add(t);
            t.start();
        }
        if (!done.await(LIMIT.toMillis() + 30_000, TimeUnit.MILLISECONDS) || last.get() == 0) {
            throw new IllegalStateException("plain loops accepted " + accepted.get() + " of " + n);
        }
        return (last.get() - first.get()) / 1e9;
    }

    /** {@code instances} subscriptions to one source: seconds from the first record to the n-th accept. */
    static double source(EmbeddedKafka kafka, String group, int n, int instances) throws Exception {
        KafkaShareSource<byte[], byte[]> source = KafkaShareSource.create(KafkaShareSourceOptions
                .builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(kafka.bootstrapServers()).topics(TOPIC).groupId(group)
                .maxPollRecords(MAX_POLL_RECORDS)
                .build());
        AtomicLong accepted = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        List<Disposable> running = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            running.add(source.receive().subscribe(r -> {
                first.compareAndSet(0, System.nanoTime());
                r.accept();
                if (accepted.incrementAndGet() == n) {
                    last.set(System.nanoTime());
                    all.countDown();
                }
            }));
        }
        try {
            if (!all.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("source accepted " + accepted.get() + " of " + n);
            }
        } finally {
            running.forEach(Disposable::dispose);
        }
        return (last.get() - first.get()) / 1e9;
    }

    static void produce(EmbeddedKafka kafka, int n, int size) {
        byte[] pad = "x".repeat(Math.max(0, size - 16)).getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.ACKS_CONFIG, "1"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                byte[] head = String.format("job-%011d", i).getBytes(StandardCharsets.UTF_8);
                byte[] v = Arrays.copyOf(head, head.length + pad.length);
                System.arraycopy(pad, 0, v, head.length, pad.length);
                p.send(new ProducerRecord<>(TOPIC, v));
            }
            p.flush();
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            String s = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
            return String.join(" ", Arrays.copyOf(s.split(" "), 3));
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
