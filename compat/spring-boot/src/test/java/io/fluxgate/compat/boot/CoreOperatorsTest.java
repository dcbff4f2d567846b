package io.fluxgate.compat.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** fluxgate-core's operators on the Reactor line Boot 4.1 manages, tested with reactor-test as a user would. */
class CoreOperatorsTest {

    record Visit(String user, long second) {
    }

    @Test
    void uniqueUsersPerWindow() {
        Flux<Visit> visits = Flux.just(new Visit("a", 0), new Visit("b", 10), new Visit("a", 20), new Visit("c", 70));
        StepVerifier.create(visits.transform(UniqueUsers.<Visit>perWindow(Duration.ofMinutes(1))
                        .userId(Visit::user).eventTimeSeconds(Visit::second).exact().build()))
                .assertNext((WindowCount w) -> assertThat(w.start()).isZero())
                .assertNext((WindowCount w) -> assertThat(w.uniqueUsers()).isEqualTo(1))
                .verifyComplete();
    }

    @Test
    void dedupeByKeyKeepsTheFirstOfEachKey() {
        StepVerifier.create(Flux.just("a1", "b1", "a2", "c1", "b2").transform(Dedupe.byKey((String s) -> s.charAt(0)).build()))
                .expectNext("a1", "b1", "c1")
                .verifyComplete();
    }

    @Test
    void adaptiveBatchKeepsEveryElementInOrder() {
        StepVerifier.withVirtualTime(() -> Flux.range(0, 1000).transform(AdaptiveBatch.of(100, Duration.ofMillis(50)))
                        .flatMapIterable((List<Integer> batch) -> {
                            assertThat(batch).hasSizeLessThanOrEqualTo(100);
                            return batch;
                        }))
                .thenAwait(Duration.ofSeconds(1))
                .expectNextSequence(Flux.range(0, 1000).toIterable())
                .verifyComplete();
    }
}
