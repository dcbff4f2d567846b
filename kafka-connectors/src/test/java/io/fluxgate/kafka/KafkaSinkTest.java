package io.fluxgate.kafka;

import static io.fluxgate.kafka.KafkaTestSupport.stringSource;
import static io.fluxgate.kafka.KafkaTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.json.JsonSerde;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@ExtendWith(EmbeddedKafkaExtension.class)
class KafkaSinkTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    record Reading(String sensor, int value) {
    }

    private static KafkaSink.Builder<Reading, String, Reading> sink(EmbeddedKafka kafka, String topic) {
        return KafkaSink.builder(Reading::sensor, new StringSerializer(), r -> r, JsonSerde.<Reading>serializer())
                .bootstrapServers(kafka.bootstrapServers())
                .topic(topic);
    }

    @Test
    void writesEveryElementInOrderAndResultsCarryTheElement(EmbeddedKafka kafka) {
        String topic = unique("sink-rt");
        kafka.createTopic(topic, 2);
        List<Reading> input = Flux.range(0, 500).map(i -> new Reading("s" + (i % 7), i)).collectList().block();
        List<SendResult<Reading>> results = Flux.fromIterable(input).transform(sink(kafka, topic).maxInFlight(16).build())
                .collectList().block(TIMEOUT);
        assertThat(results).extracting(SendResult::element).containsExactlyInAnyOrderElementsOf(input);
        // acknowledgement order: input order within a partition (same key, same partition)
        for (int k = 0; k < 7; k++) {
            String sensor = "s" + k;
            assertThat(results.stream().map(SendResult::element).filter(r -> r.sensor().equals(sensor)).map(Reading::value))
                    .isSorted();
        }
        assertThat(results).allMatch(SendResult::isSent).allMatch(r -> r.topic().equals(topic) && r.offset() >= 0);

        KafkaSource<String, Reading> source = KafkaSource.create(KafkaSourceOptions
                .builder(new StringDeserializer(), JsonSerde.deserializer(Reading.class))
                .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(unique("g")).build());
        Set<Reading> back = source.receive().take(500).map(KafkaRecord::value).collect(Collectors.toSet()).block(TIMEOUT);
        assertThat(back).containsExactlyInAnyOrderElementsOf(input);
    }

    @Test
    void valueOverTheBrokersLimitFailsWithAClearError(EmbeddedKafka kafka) {
        String topic = unique("sink-big");
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", "20000"));
        Reading big = new Reading("x".repeat(30_000), 1);
        StepVerifier.create(Flux.just(new Reading("ok", 0), big).transform(sink(kafka, topic).build()))
                .assertNext(r -> assertThat(r.element().sensor()).isEqualTo("ok"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(KafkaSinkException.class)
                            .hasMessageContaining("record for topic " + topic + " is too large")
                            .hasMessageContaining("max.message.bytes")
                            .hasCauseInstanceOf(RecordTooLargeException.class);
                    assertThat(((KafkaSinkException) e).element()).isEqualTo(big);
                })
                .verify(TIMEOUT);
    }

    @Test
    void valueOverTheProducersLimitFailsWithAClearError(EmbeddedKafka kafka) {
        String topic = unique("sink-huge");
        kafka.createTopic(topic, 1);
        Reading huge = new Reading("y".repeat(2_000_000), 1);
        StepVerifier.create(Flux.just(huge).transform(sink(kafka, topic)
                        .errorPolicy(SinkErrorPolicy.retry(3, Duration.ofMillis(10))).build()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KafkaSinkException.class)
                        .hasMessageContaining("too large")
                        .hasMessageContaining("max.request.size"))
                .verify(TIMEOUT);
    }

    @Test
    void deadLetterPolicyWritesTheFailedElementElsewhereAndGoesOn(EmbeddedKafka kafka) {
        String topic = unique("sink-dlq");
        String dlq = topic + ".dlq";
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", "20000"));
        kafka.createTopic(dlq, 1);
        Reading big = new Reading("z".repeat(30_000), 2);
        List<SendResult<Reading>> results = Flux.just(new Reading("a", 1), big, new Reading("b", 3))
                .transform(sink(kafka, topic).errorPolicy(SinkErrorPolicy.deadLetter(dlq)).build())
                .collectList().block(TIMEOUT);
        assertThat(results).extracting(SendResult::outcome).containsExactly(
                SendResult.Outcome.SENT, SendResult.Outcome.DEAD_LETTERED, SendResult.Outcome.SENT);
        assertThat(results.get(1).topic()).isEqualTo(dlq);
        assertThat(results.get(1).error()).isInstanceOf(RecordTooLargeException.class);
        KafkaRecord<String, String> dead = KafkaSource.create(stringSource(kafka, dlq, unique("g")).build())
                .receive().next().block(TIMEOUT);
        assertThat(dead.key()).isEqualTo(big.sensor());
    }

    @Test
    void builderValidatesWithTheBadValueInTheMessage() {
        var b = KafkaSink.builder((String s) -> s, new StringSerializer(), s -> s, new StringSerializer());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxInFlight must be >= 1, was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.topic(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topic must not be blank, was ' '");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.bootstrapServers(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bootstrapServers must not be blank, was ''");
        org.assertj.core.api.Assertions.assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SinkErrorPolicy.retry(-1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("retries must be >= 0, was -1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SinkErrorPolicy.retry(1, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("backoff must not be negative, was PT-0.001S");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SinkErrorPolicy.deadLetter(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("deadLetterTopic must not be blank, was ' '");
    }
}
