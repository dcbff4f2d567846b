package io.fluxgate.compat.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.SendResult;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/**
 * The JUnit extension of fluxgate-kafka-test on the JUnit line Boot 4.1 manages (6), without a Spring context: the
 * injected broker serves a {@code KafkaSink} to {@code KafkaSource} round trip on the consumer group protocol.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaExtensionTest {

    @Test
    void injectedBrokerServesARoundTripOnTheConsumerGroupProtocol(EmbeddedKafka kafka) {
        kafka.createTopic("ext-round-trip", 2);
        List<SendResult<Integer>> sent = Flux.range(0, 500)
                .transform(KafkaSink.builder((Integer i) -> "k" + i, new StringSerializer(), (Integer i) -> "v" + i,
                                new StringSerializer())
                        .bootstrapServers(kafka.bootstrapServers()).topic("ext-round-trip").build())
                .collectList().block(Duration.ofSeconds(60));
        assertThat(sent).hasSize(500).allMatch(SendResult::isSent);

        List<String> read = KafkaSource.create(KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                        .bootstrapServers(kafka.bootstrapServers()).topics("ext-round-trip").groupId("ext-g")
                        .groupProtocol(GroupProtocol.CONSUMER)
                        .build())
                .receive()
                .doOnNext(KafkaRecord::ack)
                .map(KafkaRecord::value)
                .take(500)
                .collectList().block(Duration.ofSeconds(60));
        assertThat(read).hasSize(500).doesNotHaveDuplicates().allMatch(v -> v.startsWith("v"));
    }
}
