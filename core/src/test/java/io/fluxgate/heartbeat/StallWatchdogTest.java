package io.fluxgate.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.fluxgate.heartbeat.StageHealth.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class StallWatchdogTest {

    private static final Duration TEN = Duration.ofSeconds(10);

    private final List<String> events = new CopyOnWriteArrayList<>();

    private final StallListener recording = new StallListener() {
        @Override
        public void onStalled(StageHealth h) {
            events.add("stalled:" + h.stage() + ":" + h.inFlight());
        }

        @Override
        public void onRecovered(StageHealth h) {
            events.add("recovered:" + h.status());
        }

        @Override
        public void onFailed(StageStalledException e) {
            events.add("failed:" + e.stage());
        }
    };

    private StallWatchdog.Builder watchdog() {
        return StallWatchdog.builder().name("enrich").stallAfter(TEN).checkEvery(Duration.ofSeconds(1)).listener(recording);
    }

    /** A 1:1 stage that never answers for element 3, and answers 7 after 15 s. */
    private static Function<Flux<Integer>, Flux<Integer>> stuckOn3() {
        return f -> f.concatMap(x -> x == 3 ? Mono.never() : x == 7 ? Mono.delay(Duration.ofSeconds(15)).thenReturn(x) : Mono.just(x));
    }

    @Test
    void stalledIsDetectedOnceAfterTheThresholdWithDemandOutstanding() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StallWatchdog w = watchdog().meterRegistry(registry).build();
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just(1, 2, 3), Flux.never()).transform(w.watch(stuckOn3())))
                .expectNext(1, 2)
                .thenAwait(Duration.ofSeconds(9))
                .then(() -> {
                    assertThat(w.health().status()).isEqualTo(Status.BUSY);
                    assertThat(events).isEmpty();
                })
                .thenAwait(Duration.ofSeconds(1))
                .then(() -> {
                    StageHealth h = w.health();
                    assertThat(h.status()).isEqualTo(Status.STALLED);
                    assertThat(h.isHealthy()).isFalse();
                    assertThat(h.inFlight()).isEqualTo(1);
                    assertThat(h.oldestInFlightAge()).isEqualTo(TEN);
                    assertThat(h.stalledFor()).isEqualTo(TEN);
                    assertThat(h.inputs()).isEqualTo(3);
                    assertThat(h.outputs()).isEqualTo(2);
                    assertThat(registry.get(StallWatchdog.STALLED).tag("name", "enrich").gauge().value()).isEqualTo(1.0);
                    assertThat(registry.get(StallWatchdog.INFLIGHT).gauge().value()).isEqualTo(1.0);
                    assertThat(registry.get(StallWatchdog.OLDEST_AGE).gauge().value()).isEqualTo(10.0);
                })
                .thenAwait(Duration.ofSeconds(60))
                .then(() -> assertThat(events).containsExactly("stalled:enrich:1"))
                .thenCancel()
                .verify();
        assertThat(events).containsExactly("stalled:enrich:1", "recovered:IDLE");
        assertThat(w.health().status()).isEqualTo(Status.IDLE);
        assertThat(registry.get(StallWatchdog.STALLS).functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get(StallWatchdog.STALLED).gauge().value()).isEqualTo(0.0);
    }

    @Test
    void recoveryIsReportedOnTheNextOutput() {
        StallWatchdog w = watchdog().build();
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just(6, 7, 8), Flux.never()).transform(w.watch(stuckOn3())))
                .expectNext(6)
                .thenAwait(TEN)
                .then(() -> assertThat(events).containsExactly("stalled:enrich:1"))
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(7, 8)
                .then(() -> assertThat(events).containsExactly("stalled:enrich:1", "recovered:IDLE"))
                .then(() -> assertThat(w.health().status()).isEqualTo(Status.IDLE))
                .thenCancel()
                .verify();
    }

    @Test
    void noDemandIsBackpressureNotAStallAndTheClockStartsWhenDemandArrives() {
        StallWatchdog w = watchdog().build();
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just(1, 2, 3), Flux.never()).transform(w.watch(stuckOn3())), 2)
                .expectNext(1, 2)
                .thenAwait(Duration.ofSeconds(60))
                .then(() -> {
                    assertThat(w.health().status()).isEqualTo(Status.BACKPRESSURED);
                    assertThat(w.health().oldestInFlightAge()).isEqualTo(Duration.ofSeconds(60));
                    assertThat(events).isEmpty();
                })
                .thenRequest(1)
                .thenAwait(Duration.ofSeconds(9))
                .then(() -> assertThat(w.health().status()).isEqualTo(Status.BUSY))
                .thenAwait(Duration.ofSeconds(1))
                .then(() -> assertThat(events).containsExactly("stalled:enrich:1"))
                .thenCancel()
                .verify();
    }

    @Test
    void aQuietSourceIsIdleNotStalled() {
        StallWatchdog w = watchdog().build();
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just(1, 2), Flux.<Integer>never()).transform(w.watch(f -> f.map(x -> x * 10))))
                .expectNext(10, 20)
                .thenAwait(Duration.ofMinutes(10))
                .then(() -> assertThat(w.health().status()).isEqualTo(Status.IDLE))
                .thenCancel()
                .verify();
        assertThat(events).isEmpty();
    }

    @Test
    void failAfterFailsTheStageWithAnExceptionNamingItAndCancelsIt() {
        PublisherProbe<Integer> probe = PublisherProbe.of(Flux.concat(Flux.just(1, 2, 3), Flux.never()));
        StallWatchdog w = watchdog().failAfter(Duration.ofSeconds(30)).build();
        StepVerifier.withVirtualTime(() -> probe.flux().transform(w.watch(stuckOn3())))
                .expectNext(1, 2)
                .expectNoEvent(Duration.ofSeconds(29))
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StageStalledException.class)
                        .hasMessageContaining("stage 'enrich' stalled")
                        .hasMessageContaining("no output for PT30S")
                        .satisfies(x -> assertThat(((StageStalledException) x).stage()).isEqualTo("enrich")))
                .verify();
        probe.assertWasCancelled();
        assertThat(events).containsExactly("stalled:enrich:1", "failed:enrich");
        assertThat(w.health().status()).isEqualTo(Status.FAILED);
        assertThat(w.health().isHealthy()).isFalse();
    }

    @Test
    void demandCancelAndDiscardPassThroughUnchanged() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        List<Long> upstreamRequests = new CopyOnWriteArrayList<>();
        StallWatchdog w = watchdog().build();
        StepVerifier.withVirtualTime(() -> Flux.range(1, 100).doOnRequest(upstreamRequests::add)
                        .transform(w.watch(f -> f.filter(x -> x % 2 == 0)))
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)), 0)
                .expectSubscription()
                .then(() -> assertThat(upstreamRequests).isEmpty())
                .thenRequest(1)
                .expectNext(2)
                .thenCancel()
                .verify();
        assertThat(upstreamRequests).first().isEqualTo(1L);
        assertThat(discarded).as("filter's discards still reach the hook").contains(1);
    }

    @Test
    void listenerExceptionsDoNotBreakTheStream() {
        StallWatchdog w = StallWatchdog.builder().name("s").stallAfter(TEN).listener(new StallListener() {
            @Override
            public void onStalled(StageHealth h) {
                throw new IllegalStateException("listener bug");
            }
        }).build();
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just(6, 7), Flux.never()).transform(w.watch(stuckOn3())))
                .expectNext(6)
                .thenAwait(Duration.ofSeconds(15))
                .expectNext(7)
                .thenCancel()
                .verify();
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> StallWatchdog.builder().name(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' '");
        assertThatThrownBy(() -> StallWatchdog.builder().name(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StallWatchdog.builder().name("s").stallAfter(Duration.ZERO)).hasMessageContaining("stallAfter");
        assertThatThrownBy(() -> StallWatchdog.builder().name("s").failAfter(Duration.ofSeconds(-1))).hasMessageContaining("failAfter");
        assertThatThrownBy(() -> StallWatchdog.builder().name("s").checkEvery(Duration.ZERO)).hasMessageContaining("checkEvery");
        assertThatThrownBy(() -> StallWatchdog.builder().name("s").stallAfter(TEN).failAfter(Duration.ofSeconds(5)).build())
                .hasMessageContaining("failAfter PT5S must not be shorter than stallAfter PT10S");
        assertThatThrownBy(() -> StallWatchdog.builder().name("s").listener(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StallWatchdog.builder().name("s").build().watch(null)).isInstanceOf(NullPointerException.class);
    }
}
