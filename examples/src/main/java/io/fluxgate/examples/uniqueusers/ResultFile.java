package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Writes {@code --output-file} from the output topic, not from the stream: the topic holds the results of every
 * run with this group id, the last write per window winning, so after a crash and a restart the file still lists
 * every window exactly once, in ascending {@code ts}. The file is written to a temporary sibling and moved into
 * place, so a reader never sees half a file.
 */
final class ResultFile {

    private ResultFile() {
    }

    /** A consumer's settings for reading topics of our own as bytes, assigned rather than in a group. */
    static Properties readerProperties(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /** Reads the whole topic up to the given end offsets and returns the last value of each key. */
    static Map<String, byte[]> lastValuePerKey(String bootstrapServers, Map<TopicPartition, Long> endOffsets) {
        Map<String, byte[]> last = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(readerProperties(bootstrapServers))) {
            List<TopicPartition> partitions = new ArrayList<>(endOffsets.keySet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> remaining = new HashMap<>(endOffsets);
            remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading back the results, still missing " + remaining);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null) {
                        String key = new String(r.key(), StandardCharsets.UTF_8);
                        if (r.value() == null) {
                            last.remove(key);
                        } else {
                            last.put(key, r.value());
                        }
                    }
                }
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            }
        }
        return last;
    }

    /**
     * Writes the values as JSON lines ordered by window start, then size: the map is keyed by
     * (start, size in seconds).
     */
    static void write(Path file, TreeMap<long[], byte[]> ordered) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (byte[] value : ordered.values()) {
                w.write(new String(value, StandardCharsets.UTF_8));
                w.write('\n');
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
