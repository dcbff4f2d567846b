package io.fluxgate.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.fluxgate.progress.ProgressSnapshot.State;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class ProgressTest {

    private final List<ProgressSnapshot> reports = new CopyOnWriteArrayList<>();

    @Test
    void reportsCountRateAndEtaAtEachIntervalOnVirtualTime() {
        // elements at 50ms, 150ms, ... so none coincides with a report tick
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(50), Duration.ofMillis(100)).take(50)
                        .transform(Progress.builder().name("import").total(50).interval(Duration.ofSeconds(1))
                                .listener(reports::add).build()))
                .thenAwait(Duration.ofSeconds(1))
                .then(() -> {
                    assertThat(reports).hasSize(1);
                    ProgressSnapshot first = reports.get(0);
                    assertThat(first.name()).isEqualTo("import");
                    assertThat(first.state()).isEqualTo(State.RUNNING);
                    assertThat(first.count()).isEqualTo(10);
                    assertThat(first.elapsed()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(first.ratePerSecond()).isEqualTo(10.0);
                    assertThat(first.averageRatePerSecond()).isEqualTo(10.0);
                    assertThat(first.fraction()).hasValue(0.2);
                    assertThat(first.eta()).contains(Duration.ofSeconds(4));
                })
                .thenAwait(Duration.ofSeconds(4))
                .expectNextCount(50)
                .verifyComplete();
        assertThat(reports).extracting(ProgressSnapshot::state)
                .containsExactly(State.RUNNING, State.RUNNING, State.RUNNING, State.RUNNING, State.COMPLETED);
        ProgressSnapshot last = reports.get(reports.size() - 1);
        assertThat(last.count()).isEqualTo(50);
        assertThat(last.eta()).contains(Duration.ZERO);
        assertThat(last.fraction()).hasValue(1.0);
    }

    @Test
    void intervalRateFollowsSpeedChangesWhileAverageSmoothsThem() {
        // 10/s for 2s, then 2/s
        StepVerifier.withVirtualTime(() -> Flux.concat(
                                Flux.interval(Duration.ofMillis(50), Duration.ofMillis(100)).take(20),
                                Flux.interval(Duration.ofMillis(250), Duration.ofMillis(500)).take(5))
                        .transform(Progress.builder().interval(Duration.ofSeconds(2)).listener(reports::add).build()))
                .thenAwait(Duration.ofSeconds(5))
                .expectNextCount(25)
                .verifyComplete();
        assertThat(reports.get(0).ratePerSecond()).isEqualTo(10.0);
        assertThat(reports.get(1).ratePerSecond()).isEqualTo(2.0);
        assertThat(reports.get(1).averageRatePerSecond()).isEqualTo(6.0);
        assertThat(reports.get(1).eta()).isEmpty();
        assertThat(reports.get(1).totalIfKnown()).isEmpty();
    }

    @Test
    void unknownTotalHasNoFractionOrEtaAndZeroElapsedHasZeroRate() {
        StepVerifier.create(Flux.<Integer>empty().transform(Progress.every(Duration.ofSeconds(1), reports::add)))
                .verifyComplete();
        assertThat(reports).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(State.COMPLETED);
            assertThat(s.fraction()).isEmpty();
            assertThat(s.count()).isZero();
        });
    }

    @Test
    void zeroTotalIsFullyDone() {
        ProgressSnapshot s = new ProgressSnapshot("x", State.RUNNING, 0, 0, Duration.ZERO, 0, 0);
        assertThat(s.fraction()).hasValue(1.0);
        assertThat(s.eta()).contains(Duration.ZERO);
        assertThat(s.toString()).contains("0/0");
    }

    @Test
    void finalReportCarriesFailure() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Progress.every(Duration.ofSeconds(1), reports::add)))
                .then(() -> source.next(1, 2))
                .expectNext(1, 2)
                .then(() -> source.error(new IllegalStateException("boom")))
                .verifyErrorMessage("boom");
        assertThat(reports).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(State.FAILED);
            assertThat(s.count()).isEqualTo(2);
        });
    }

    @Test
    void cancelStopsReportingAndReportsCancelled() {
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(50), Duration.ofMillis(100))
                        .transform(Progress.every(Duration.ofSeconds(1), reports::add)))
                .thenAwait(Duration.ofMillis(1500))
                .expectNextCount(15)
                .thenCancel()
                .verify();
        assertThat(reports).extracting(ProgressSnapshot::state).containsExactly(State.RUNNING, State.CANCELLED);
        assertThat(reports.get(1).count()).isEqualTo(15);
    }

    @Test
    void demandIsPassedThroughUnchanged() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Progress.every(Duration.ofSeconds(1), reports::add)), 0)
                .then(() -> source.assertMinRequested(0).assertMaxRequested(0))
                .thenRequest(3)
                .then(() -> source.assertMinRequested(3))
                .then(() -> source.next(1, 2, 3))
                .expectNext(1, 2, 3)
                .then(() -> source.assertMaxRequested(0))
                .thenCancel()
                .verify();
        source.assertCancelled();
    }

    @Test
    void throwingListenerDoesNotBreakTheStream() {
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(100)).take(30)
                        .transform(Progress.every(Duration.ofSeconds(1), s -> {
                            throw new IllegalStateException("bar broke");
                        })))
                .thenAwait(Duration.ofSeconds(3))
                .expectNextCount(30)
                .verifyComplete();
    }

    @Test
    void transformerIsReusableWithIndependentCounts() {
        Function<Flux<Integer>, Flux<Integer>> progress = Progress.every(Duration.ofSeconds(1), reports::add);
        Flux.range(0, 5).transform(progress).blockLast();
        Flux.range(0, 7).transform(progress).blockLast();
        assertThat(reports).extracting(ProgressSnapshot::count).containsExactly(5L, 7L);
    }

    @Test
    void aWeigherCountsEachElementsWeightAndTheEtaIsInThatUnit() {
        // lines of 10, 20, 30, ... bytes, one every 100 ms, against an expected total of 1100 bytes
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(50), Duration.ofMillis(100)).take(10)
                        .map(i -> "x".repeat((int) (i + 1) * 10))
                        .transform(Progress.builder().total(1100).interval(Duration.ofMillis(500))
                                .listener(reports::add).<String>build(String::length)))
                .thenAwait(Duration.ofMillis(500))
                .then(() -> {
                    ProgressSnapshot first = reports.get(0);
                    assertThat(first.count()).isEqualTo(10 + 20 + 30 + 40 + 50);
                    assertThat(first.averageRatePerSecond()).isEqualTo(300.0);
                    assertThat(first.eta()).contains(Duration.ofMillis(3166).plusNanos(666_666));
                })
                .thenAwait(Duration.ofSeconds(1))
                .expectNextCount(10)
                .verifyComplete();
        assertThat(reports.get(reports.size() - 1).count()).isEqualTo(550);
    }

    @Test
    void aNegativeWeightFailsTheStreamNamingIt() {
        StepVerifier.create(Flux.just(3L, -4L, 5L)
                        .transform(Progress.builder().listener(reports::add).<Long>build(v -> v)))
                .expectNext(3L)
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("-4"));
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Progress.builder().total(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
        assertThatThrownBy(() -> Progress.builder().interval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Progress.builder().interval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> Progress.builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' '");
        assertThatThrownBy(() -> Progress.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listener");
        assertThatThrownBy(() -> Progress.builder().listener(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Progress.builder().listener(reports::add).build(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("weigher");
    }
}
