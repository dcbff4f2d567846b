package io.fluxgate.benchmarks.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.fluxgate.kafka.CrashSafeWindows;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.frame.FrameResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What an idle partition costs the busy one next to it: the same N frames read from a topic of one partition and
 * from a topic of two whose second holds a single frame, through {@link KafkaSource} (acknowledging each) and
 * through {@link CrashSafeWindows} (frames read by {@link FrameDeserializer}), with the sources'
 * default {@code max.poll.records} (unlimited) or a given one (Kafka's default is 500). Rounds alternate; each
 * line gives the seconds and the ratio two partitions / one.
 *
 * <p>{@code java -Xmx2g -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.kafka.IdlePartitionRun
 * [frames [rounds [maxPollRecords]]]} (default 100,000 frames, 2 rounds, the sources' default).
 */
public final class IdlePartitionRun {

    private IdlePartitionRun() {
    }

    public static void main(String[] args) {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Map<String, Object> props = args.length > 2 ? Map.of("max.poll.records", Integer.parseInt(args[2])) : Map.of();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            kafka.createTopic("one", 1);
            kafka.createTopic("two", 2);
            Random rnd = new Random(1);
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "linger.ms", 20, "batch.size", 512 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < n; i++) {
                    byte[] v = KafkaPipelineBenchmark.frame(i, n, rnd);
                    p.send(new ProducerRecord<>("one", 0, null, v));
                    p.send(new ProducerRecord<>("two", 0, null, v));
                }
                p.send(new ProducerRecord<>("two", 1, null, KafkaPipelineBenchmark.frame(n, n, rnd)));
                p.flush();
            }
            System.out.printf("%,d frames, consumer properties %s%n", n, props);
            for (int round = 0; round <= rounds; round++) {
                String which = round == 0 ? "warm-up" : "round " + round;
                double s1 = seconds(() -> source(kafka, "one", n, props));
                double s2 = seconds(() -> source(kafka, "two", n + 1, props));
                double w1 = seconds(() -> windows(kafka, "one", props));
                double w2 = seconds(() -> windows(kafka, "two", props));
                System.out.printf("%s: KafkaSource %.2f s / %.2f s (%.1fx); CrashSafeWindows %.2f s / %.2f s (%.1fx)%n",
                        which, s1, s2, s2 / s1, w1, w2, w2 / w1);
            }
        }
    }

    private static double seconds(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void source(EmbeddedKafka kafka, String topic, int n, Map<String, Object> props) {
        KafkaSource.create(KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId("s-" + UUID.randomUUID())
                        .properties(props).build())
                .receive().doOnNext(KafkaRecord::ack).take(n).count().block();
    }

    private static void windows(EmbeddedKafka kafka, String topic, Map<String, Object> props) {
        KafkaSourceOptions<byte[], FrameResult> source = KafkaSourceOptions
                .builder(new ByteArrayDeserializer(), new FrameDeserializer())
                .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId("w-" + UUID.randomUUID())
                .properties(props).build();
        UniqueUsers.Builder<KafkaRecord<byte[], FrameResult.Frame>> windows =
                KafkaPipelineBenchmark.windows().partitionIdleTimeout(Duration.ofSeconds(1));
        CrashSafeWindows.builder(source,
                        (KafkaRecord<byte[], FrameResult> r) -> r.value() instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(() -> windows))
                .sink(w -> w).stopAtEnd(true).build().run().count().block();
    }
}
