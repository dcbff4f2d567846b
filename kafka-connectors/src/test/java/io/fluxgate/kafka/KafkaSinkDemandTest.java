package io.fluxgate.kafka;

import static io.fluxgate.kafka.KafkaTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@link KafkaSink} on its own producer wrapper: demand, the in-flight bound and cancel. */
@ExtendWith(EmbeddedKafkaExtension.class)
class KafkaSinkDemandTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void upstreamIsRequestedWithinTheInFlightBoundWhileResultsWait(EmbeddedKafka kafka) {
        String topic = unique("sink-demand");
        kafka.createTopic(topic, 1);
        AtomicLong requested = new AtomicLong();
        AtomicBoolean cancelled = new AtomicBoolean();
        int maxInFlight = 4;
        KafkaSink<Integer> sink = KafkaSink.builder((Integer i) -> "k" + i, new StringSerializer(),
                        i -> "v" + i, new StringSerializer())
                .bootstrapServers(kafka.bootstrapServers()).topic(topic).maxInFlight(maxInFlight).build();
        Flux<Integer> upstream = Flux.range(0, 1000)
                .doOnRequest(n -> requested.addAndGet(n))
                .doOnCancel(() -> cancelled.set(true));
        StepVerifier.create(upstream.transform(sink).map(SendResult::element), 0)
                .expectSubscription()
                .thenRequest(2)
                .expectNext(0, 1)
                // results not taken hold back the sends: a few bounds' worth, not the whole upstream
                .expectNoEvent(Duration.ofMillis(500))
                .then(() -> assertThat(requested.get()).isLessThanOrEqualTo(4L * maxInFlight))
                .thenRequest(3)
                .expectNext(2, 3, 4)
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(cancelled).isTrue();
    }
}
