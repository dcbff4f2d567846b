package io.fluxgate.benchmarks.peers;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline process of {@link PeersEndToEnd}: a plain {@link KafkaConsumer} that joins a new group (as the app
 * does), reads the topic from the beginning to the end offsets it found at the start, touches every value and
 * exits. It parses and counts nothing: the floor of any job over this topic. It closes without waiting for the
 * fetch its last poll sent ahead (see the close below).
 *
 * <p>{@code java -cp benchmarks.jar io.fluxgate.benchmarks.peers.PlainConsumerRun <bootstrap> <topic> <group id>}
 */
public final class PlainConsumerRun {

    private PlainConsumerRun() {
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long jvmStart = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli)
                .orElse(System.currentTimeMillis());
        long startUp = System.currentTimeMillis() - jvmStart;
        long created = 0;
        long offsetsRead = 0;
        long readDone = 0;
        long read = 0;
        long bytes = 0;
        long firstRecord = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            created = System.nanoTime();
            List<TopicPartition> partitions = consumer.partitionsFor(args[1]).stream()
                    .map(i -> new TopicPartition(args[1], i.partition())).toList();
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long total = ends.values().stream().mapToLong(Long::longValue).sum();
            offsetsRead = System.nanoTime();
            consumer.subscribe(List.of(args[1]));
            while (read < total) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (firstRecord == 0 && !records.isEmpty()) {
                    firstRecord = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    bytes += r.value() == null ? 0 : r.value().length;
                    read++;
                }
            }
            readDone = System.nanoTime();
            // Not the default close: it waits for the fetch the last poll sent ahead (pipelining), which the broker
            // holds for fetch.max.wait.ms (500 ms) as there is nothing more to read: ~0.5 s of every run the app's
            // own consumer does not spend (its close takes 10-50 ms), so the floor would be 0.5 s too high. Nothing
            // is committed (no auto-commit) and the group is never used again, so there is nothing to wait for.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        long end = System.nanoTime();
        System.out.printf(Locale.ROOT, "plain consumer: %,d records, %,d bytes; first record after %d ms, read in %d ms%n",
                read, bytes, (firstRecord - started) / 1_000_000, (end - firstRecord) / 1_000_000);
        System.out.printf(Locale.ROOT, "phases (ms): start-up %d, consumer created %d, end offsets %d, to first record"
                        + " (group join, first fetch) %d, reading %d, closing %d%n", startUp, (created - started) / 1_000_000,
                (offsetsRead - created) / 1_000_000, (firstRecord - offsetsRead) / 1_000_000,
                (readDone - firstRecord) / 1_000_000, (end - readDone) / 1_000_000);
    }
}
