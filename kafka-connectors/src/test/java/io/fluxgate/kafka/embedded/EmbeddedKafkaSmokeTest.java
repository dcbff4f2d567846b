package io.fluxgate.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Proves the embedded broker is a real Kafka broker: 10,000 records through plain Kafka clients and back. */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaSmokeTest {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaSmokeTest.class);
    private static final int COUNT = 10_000;

    @Test
    void tenThousandRecordsRoundTrip(EmbeddedKafka kafka) {
        log.info("Embedded Kafka startup took {} ms", kafka.startupMillis());
        String topic = "smoke-" + UUID.randomUUID();
        kafka.createTopic(topic, 3);

        // plain clients: the broker is proved independently of the connectors under test
        try (KafkaProducer<Integer, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new IntegerSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new java.util.ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, i, "value-" + i)));
            }
            producer.flush();
            for (var ack : acks) {
                assertThat(ack).succeedsWithin(Duration.ofSeconds(60));
            }
        }

        BitSet seen = new BitSet(COUNT);
        try (KafkaConsumer<Integer, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new IntegerDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.cardinality() < COUNT && System.nanoTime() < deadline) {
                for (ConsumerRecord<Integer, String> r : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(r.value()).isEqualTo("value-" + r.key());
                    seen.set(r.key());
                }
            }
        }
        assertThat(seen.cardinality()).isEqualTo(COUNT);
    }

    @Test
    void closeDeletesItsDirectoryAndRestartKeepsData() throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka().start();
        Path dir;
        try {
            dir = (Path) readField(kafka, "dir");
            assertThat(dir).isDirectory();
            kafka.createTopic("kept", 1);
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();
            try (var admin = kafka.admin()) {
                assertThat(admin.listTopics().names().get()).contains("kept");
            }
        } finally {
            kafka.close();
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    private static Object readField(Object target, String name) throws Exception {
        var f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }
}
