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
import reactor.core.publisher.Flux;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;

/** Proves the embedded broker is a real Kafka broker: 10,000 records through reactor-kafka and back. */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaSmokeTest {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaSmokeTest.class);
    private static final int COUNT = 10_000;

    @Test
    void tenThousandRecordsRoundTripThroughReactorKafka(EmbeddedKafka kafka) {
        log.info("Embedded Kafka startup took {} ms", kafka.startupMillis());
        String topic = "smoke-" + UUID.randomUUID();
        kafka.createTopic(topic, 3);

        SenderOptions<Integer, String> senderOptions = SenderOptions.<Integer, String>create(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, IntegerSerializer.class,
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                        ProducerConfig.ACKS_CONFIG, "all"));
        KafkaSender<Integer, String> sender = KafkaSender.create(senderOptions);
        try {
            long sent = sender.send(Flux.range(0, COUNT)
                            .map(i -> SenderRecord.create(new ProducerRecord<>(topic, i, "value-" + i), i)))
                    .doOnNext(r -> assertThat(r.exception()).isNull())
                    .count()
                    .block(Duration.ofSeconds(60));
            assertThat(sent).isEqualTo(COUNT);
        } finally {
            sender.close();
        }

        ReceiverOptions<Integer, String> receiverOptions = ReceiverOptions.<Integer, String>create(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, IntegerDeserializer.class,
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))
                .subscription(List.of(topic));
        BitSet seen = new BitSet(COUNT);
        KafkaReceiver.create(receiverOptions).receive()
                .doOnNext(r -> {
                    assertThat(r.value()).isEqualTo("value-" + r.key());
                    seen.set(r.key());
                    r.receiverOffset().acknowledge();
                })
                .take(COUNT)
                .blockLast(Duration.ofSeconds(60));
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
