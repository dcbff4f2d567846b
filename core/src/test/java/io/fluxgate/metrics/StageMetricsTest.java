package io.fluxgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class StageMetricsTest {

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

    private double counter(String name) {
        return registry.get(StageMetrics.PREFIX + name).tag("name", "enrich").counter().count();
    }

    private double gauge(String name) {
        return registry.get(StageMetrics.PREFIX + name).tag("name", "enrich").gauge().value();
    }

    @Test
    void countsInOutAndTimesEachElement() {
        // the stage takes 5ms of mock time per element
        Function<Flux<Integer>, Flux<Integer>> stage = f -> f.map(i -> {
            clock.add(Duration.ofMillis(5));
            return i * 2;
        });
        StepVerifier.create(Flux.range(1, 4).transform(StageMetrics.builder().name("enrich").meterRegistry(registry)
                        .tags(Tags.of("pipeline", "users")).build(stage)))
                .expectNext(2, 4, 6, 8)
                .verifyComplete();
        assertThat(counter("in")).isEqualTo(4);
        assertThat(counter("out")).isEqualTo(4);
        var timer = registry.get(StageMetrics.PREFIX + "latency").tags("name", "enrich", "pipeline", "users").timer();
        assertThat(timer.count()).isEqualTo(4);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(20);
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(5);
    }

    @Test
    void outstandingDemandAndSubscriptionsAreGauged() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(StageMetrics.builder().name("enrich").meterRegistry(registry).build((Flux<Integer> f) -> f.map(i -> i))), 0)
                .then(() -> assertThat(gauge("subscriptions")).isEqualTo(1))
                .thenRequest(5)
                .then(() -> assertThat(gauge("demand")).isEqualTo(5))
                .then(() -> source.next(1, 2))
                .expectNext(1, 2)
                .then(() -> assertThat(gauge("demand")).isEqualTo(3))
                .then(() -> source.assertMinRequested(3))
                .thenCancel()
                .verify();
        source.assertCancelled();
        assertThat(gauge("subscriptions")).isZero();
        assertThat(gauge("demand")).isZero();
    }

    @Test
    void errorsAreCountedWithTheExceptionType() {
        StepVerifier.create(Flux.just(1, 0).transform(StageMetrics.builder().name("enrich").meterRegistry(registry).build((Flux<Integer> f) -> f.map(i -> 10 / i))))
                .expectNext(10)
                .verifyError(ArithmeticException.class);
        assertThat(registry.get(StageMetrics.PREFIX + "errors").tags("name", "enrich", "exception",
                "ArithmeticException").counter().count()).isEqualTo(1);
        assertThat(counter("in")).isEqualTo(2);
        assertThat(counter("out")).isEqualTo(1);
    }

    @Test
    void filteringStageCountsDropsAndLatencyCanBeTurnedOff() {
        StepVerifier.create(Flux.range(1, 10).transform(StageMetrics.builder().name("enrich").meterRegistry(registry)
                        .latency(false).build((Flux<Integer> f) -> f.filter(i -> i % 2 == 0))))
                .expectNextCount(5)
                .verifyComplete();
        assertThat(counter("in")).isEqualTo(10);
        assertThat(counter("out")).isEqualTo(5);
        assertThat(registry.get(StageMetrics.PREFIX + "latency").timer().count()).isZero();
    }

    @Test
    void latencyMemoryIsBoundedAndStaysAligned() {
        // a stage that holds everything until completion: only maxPending entries are timed
        StepVerifier.create(Flux.range(1, 100).transform(StageMetrics.builder().name("enrich").meterRegistry(registry)
                        .maxPending(10).build((Flux<Integer> f) -> f.collectList().flatMapIterable(l -> l))))
                .expectNextCount(100)
                .verifyComplete();
        assertThat(registry.get(StageMetrics.PREFIX + "latency").timer().count()).isEqualTo(10);
    }

    @Test
    void noRegistryMeansTheStageItself() {
        Function<Flux<Integer>, Flux<Integer>> stage = f -> f.map(i -> i);
        assertThat(StageMetrics.builder().name("x").build(stage)).isSameAs(stage);
    }

    @Test
    void subscriptionsShareMeters() {
        Function<Flux<Integer>, Flux<Integer>> wrapped = StageMetrics.builder().name("enrich").meterRegistry(registry).build(f -> f);
        Flux.range(0, 3).transform(wrapped).blockLast();
        Flux.range(0, 4).transform(wrapped).blockLast();
        assertThat(counter("out")).isEqualTo(7);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> StageMetrics.builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' '");
        assertThatThrownBy(() -> StageMetrics.builder().name("x").maxPending(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    }
}
