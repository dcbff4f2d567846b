package io.fluxgate.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import java.util.ArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Proves the embedded broker is a real Kafka broker (10,000 records through plain clients and back) and that a
 * failed start is one clear exception. */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaSmokeTest {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaSmokeTest.class);
    private static final int COUNT = 10_000;

    @Test
    void tenThousandRecordsRoundTripThroughPlainClients(EmbeddedKafka kafka) throws Exception {
        log.info("Embedded Kafka {} startup took {} ms", EmbeddedKafka.brokerVersion(), kafka.startupMillis());
        String topic = "smoke-" + UUID.randomUUID();
        kafka.createTopic(topic, 3);

        try (KafkaProducer<Integer, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new IntegerSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>(COUNT);
            for (int i = 0; i < COUNT; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, i, "value-" + i)));
            }
            for (Future<RecordMetadata> f : sends) {
                f.get(60, TimeUnit.SECONDS);
            }
        }

        BitSet seen = new BitSet(COUNT);
        try (KafkaConsumer<Integer, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new IntegerDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
    void aConfigurationFailureComesOutAsOneExceptionNamingTheBrokerVersion() {
        EmbeddedKafka kafka = new EmbeddedKafka(Map.of("num.io.threads", "not-a-number"));
        assertThatThrownBy(kafka::start)
                .isInstanceOf(EmbeddedKafkaStartException.class)
                .hasMessageStartingWith("embedded Kafka broker " + EmbeddedKafka.brokerVersion() + " (kafka-clients "
                        + EmbeddedKafka.clientsVersion() + ") failed to start: ")
                .hasMessageContaining("num.io.threads")
                .hasCauseInstanceOf(ConfigException.class);
        assertThat(kafka.isRunning()).isFalse();
    }

    /**
     * Kafka throws an Error while it starts (here a class it loads from the broker configuration fails to link, the way
     * mixed Kafka jars throw NoSuchMethodError): the user still sees one exception with the broker version, and the
     * temporary directory is gone.
     */
    @Test
    void anErrorInsideKafkaIsWrappedToo() throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(Map.of("principal.builder.class", LinkageFailingClass.class.getName()));
        assertThatThrownBy(kafka::start)
                .isInstanceOf(EmbeddedKafkaStartException.class)
                .hasMessageStartingWith("embedded Kafka broker " + EmbeddedKafka.brokerVersion())
                .hasMessageContaining("NoSuchMethodError")
                .hasMessageContaining("must all be one Kafka release")
                .hasRootCauseInstanceOf(NoSuchMethodError.class);
        assertThat(readField(kafka, "dir")).as("temporary directory removed").isNull();
    }

    @Test
    void brokerAndClientsVersionsAreTheKafkaReleaseOfTheirJars() {
        assertThat(EmbeddedKafka.brokerVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(EmbeddedKafka.clientsVersion()).isEqualTo(EmbeddedKafka.brokerVersion());
    }

    /** A class that fails to initialise as one compiled against another Kafka release would. */
    public static final class LinkageFailingClass {
        static {
            if (Boolean.parseBoolean("true")) {
                throw new NoSuchMethodError("'scala.collection.Seq kafka.server.KafkaConfig.controllerListenerNames()'");
            }
        }
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
