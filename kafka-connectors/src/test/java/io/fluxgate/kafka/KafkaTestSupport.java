package io.fluxgate.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Small helpers for the connector tests; plain Kafka clients, so that they do not test our code with itself. */
public final class KafkaTestSupport {

    private KafkaTestSupport() {
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Produces {@code key-i -> value-i} for i in [from, to), keyed so that partitioning spreads them. */
    static void produce(EmbeddedKafka kafka, String topic, int from, int to) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                // plain, ordered, non-idempotent test-data producer: independent of the code under test
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            }
            p.flush();
        }
    }

    static void produceRaw(EmbeddedKafka kafka, String topic, List<String> values) {
        produceRecords(kafka, values.stream().map(v -> new ProducerRecord<String, String>(topic, v)).toList());
    }

    /** Sends the records in order (each to its own partition, if it names one). */
    static void produceRecords(EmbeddedKafka kafka, List<ProducerRecord<String, String>> records) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                // plain, ordered, non-idempotent test-data producer: independent of the code under test
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> r : records) {
                p.send(r);
            }
            p.flush();
        }
    }

    /** Committed offsets of a group, by partition (public: the reactor-kafka adapter's tests use it too). */
    public static Map<TopicPartition, Long> committed(EmbeddedKafka kafka, String group) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            m.forEach((tp, om) -> {
                if (om != null) {
                    out.put(tp, om.offset());
                }
            });
            return out;
        }
    }

    static KafkaSourceOptions.Builder<String, String> stringSource(EmbeddedKafka kafka, String topic, String group) {
        return KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers(kafka.bootstrapServers())
                .topics(topic)
                .groupId(group)
                .commitInterval(Duration.ofMillis(100));
    }
}
