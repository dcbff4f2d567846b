package io.fluxgate.benchmarks.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import io.fluxgate.examples.uniqueusers.UniqueUsersApp;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The main job end to end: frames/s of the whole unique-users app (source, parse, windows, sink, commits) over a
 * topic of N generated ~2 KB frames in the embedded broker, next to a plain read-only {@link KafkaConsumer} poll
 * loop over the same topic (the ceiling), alternating in one JVM, medians of the rounds.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.e2e.UniqueUsersEndToEnd [frames] [rounds] [threads]}
 * where {@code threads} lists the app's {@code --threads} values to run each round, e.g. {@code 1,2} (default
 * {@code 1}, the app's default).
 */
public final class UniqueUsersEndToEnd {

    private UniqueUsersEndToEnd() {
    }

    public static void main(String[] args) throws Exception {
        long frames = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] threads = Arrays.stream((args.length > 2 ? args[2] : "1").split(",")).mapToInt(Integer::parseInt).toArray();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            System.out.printf(Locale.ROOT, "broker started in %d ms; loading %,d frames%n", kafka.startupMillis(), frames);
            // Round 0 loads the topic (and warms the JIT); later rounds find it loaded and only count.
            app(bootstrap, frames, 0, threads[0]);
            for (int t = 1; t < threads.length; t++) {
                app(bootstrap, frames, -t, threads[t]);
            }
            List<Double> plain = new ArrayList<>();
            List<List<Double>> whole = new ArrayList<>();
            for (int t : threads) {
                whole.add(new ArrayList<>());
            }
            for (int round = 1; round <= rounds; round++) {
                double p = plainConsumer(bootstrap, frames);
                plain.add(p);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d: plain consumer %,.0f records/s", round, p));
                for (int t = 0; t < threads.length; t++) {
                    double a = app(bootstrap, frames, round * 100 + t, threads[t]);
                    whole.get(t).add(a);
                    line.append(String.format(Locale.ROOT, "; app --threads=%d %,.0f frames/s, ratio %.2f", threads[t], a, a / p));
                }
                System.out.println(line);
            }
            double mp = median(plain);
            for (int t = 0; t < threads.length; t++) {
                double ma = median(whole.get(t));
                System.out.printf(Locale.ROOT, "median of %d rounds, %,d frames: plain consumer %,.0f records/s, app --threads=%d"
                        + " %,.0f frames/s, app/plain = %.2f%n", rounds, frames, mp, threads[t], ma, ma / mp);
            }
        }
    }

    private static double app(String bootstrap, long frames, int round, int threads) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int code = UniqueUsersApp.run(new String[] {
            "--bootstrap-servers=" + bootstrap, "--generate=" + frames, "--input-topic=bench-frames",
            "--output-topic=bench-out-" + round, "--group-id=bench-" + round, "--no-progress", "--threads=" + threads},
                new PrintWriter(out, true), new PrintWriter(err, true));
        long elapsed = System.nanoTime() - start;
        if (code != 0) {
            throw new IllegalStateException("the app failed (" + code + "): " + err);
        }
        if (round == 0) {
            System.out.print(out);
        }
        return frames / (elapsed / 1e9);
    }

    private static double plainConsumer(String bootstrap, long frames) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long start = System.nanoTime();
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = consumer.partitionsFor("bench-frames").stream()
                    .map(PartitionInfo::partition).map(i -> new TopicPartition("bench-frames", i))
                    .collect(Collectors.toList());
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            long bytes = 0;
            while (read < total) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (var r : records) {
                    bytes += r.value().length;
                    read++;
                }
            }
            if (bytes == 0) {
                throw new IllegalStateException("read nothing");
            }
        }
        return read / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
