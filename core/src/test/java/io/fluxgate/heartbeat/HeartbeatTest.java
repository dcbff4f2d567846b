package io.fluxgate.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.fluxgate.batch.AdaptiveBatch;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class HeartbeatTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    private static Function<Flux<String>, Flux<String>> ping() {
        return Heartbeat.every(SECOND).inject(() -> "ping");
    }

    @Test
    void silentSourceGetsOneBeatPerInterval() {
        StepVerifier.withVirtualTime(() -> Flux.<String>never().transform(ping()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ping")
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ping")
                .thenCancel()
                .verify();
    }

    @Test
    void everyUpstreamElementRestartsTheInterval() {
        StepVerifier.withVirtualTime(() -> Flux.concat(
                                Mono.delay(Duration.ofMillis(500)).thenReturn("a"),
                                Mono.delay(Duration.ofMillis(700)).thenReturn("b"),
                                Flux.never())
                        .transform(ping()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(500))
                .expectNext("a")
                .expectNoEvent(Duration.ofMillis(700))
                .expectNext("b")
                // b at 1.2 s: the beat is due at 2.2 s, not at 2 s
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ping")
                .thenCancel()
                .verify();
    }

    @Test
    void withoutDemandAtMostOneBeatIsPendingAndTheIntervalRestartsWhenItIsSent() {
        StepVerifier.withVirtualTime(() -> Flux.<String>never().transform(ping()), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(5))
                .thenRequest(10)
                .expectNext("ping")
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ping")
                .thenCancel()
                .verify();
    }

    @Test
    void aBeatUsingDemandUpstreamHoldsNeverOverflowsTheSubscriber() {
        TestPublisher<String> source = TestPublisher.create();
        List<Long> upstreamRequests = new CopyOnWriteArrayList<>();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> source.flux().doOnRequest(upstreamRequests::add).transform(ping())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)), 1)
                .expectSubscription()
                .thenAwait(SECOND)
                .expectNext("ping")
                // upstream still holds the one unit of demand it was given and uses it now: held, not emitted
                .then(() -> source.next("a"))
                .expectNoEvent(Duration.ofMillis(500))
                .thenRequest(1)
                .expectNext("a")
                .then(() -> assertThat(upstreamRequests).as("no demand added beyond what downstream asked").containsExactly(1L))
                .thenRequest(1)
                .then(() -> assertThat(upstreamRequests).containsExactly(1L, 1L))
                .then(() -> source.next("b"))
                .expectNext("b")
                .thenCancel()
                .verify();
        assertThat(discarded).isEmpty();
    }

    @Test
    void dataArrivingWhileABeatIsPendingMakesTheBeatStale() {
        TestPublisher<String> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(ping()), 1)
                .expectSubscription()
                .thenAwait(SECOND)
                .expectNext("ping")
                .thenAwait(Duration.ofMillis(1500)) // a beat is pending since 2 s, without demand
                .then(() -> source.next("a"))       // at 2.5 s
                .thenRequest(1)
                .expectNext("a")
                .expectNoEvent(Duration.ofMillis(999))
                .thenRequest(1)
                .thenAwait(Duration.ofMillis(1))      // 1 s after "a"
                .expectNext("ping")
                .thenCancel()
                .verify();
    }

    @Test
    void ticksAreTypedAndCarrySequenceAndSilence() {
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just("a"), Flux.<String>never())
                        .transform(Heartbeat.every(SECOND).ticks()), 1)
                .expectNext(new Pulse.Item<>("a"))
                .thenAwait(Duration.ofSeconds(3))
                .thenRequest(2)
                // the first tick waited for demand: 3 s of silence
                .expectNext(new Pulse.Tick<>(1, Duration.ofSeconds(3)))
                .thenAwait(SECOND)
                .assertNext(p -> assertThat(p).isEqualTo(new Pulse.Tick<String>(2, SECOND)).matches(Pulse::isTick))
                .thenCancel()
                .verify();
    }

    @Test
    void completionDeliversDataAndDropsAPendingBeat() {
        TestPublisher<String> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(ping()), 0)
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .then(source::complete)
                .thenRequest(1)
                .verifyComplete();
        StepVerifier.withVirtualTime(() -> Flux.just("a", "b").transform(ping()))
                .expectNext("a", "b")
                .verifyComplete();
    }

    @Test
    void errorIsDeliveredAtOnceAndQueuedElementsAreDiscarded() {
        TestPublisher<String> source = TestPublisher.create();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> source.flux().transform(ping())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)), 1)
                .expectSubscription()
                .thenAwait(SECOND)
                .expectNext("ping")
                .then(() -> source.next("a").error(new IllegalStateException("boom")))
                .expectErrorMessage("boom")
                .verify();
        assertThat(discarded).containsExactly("a");
    }

    @Test
    void cancelDiscardsQueuedElementsStopsTheTimerAndIsIdempotent() {
        TestPublisher<String> source = TestPublisher.create();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        AtomicInteger beats = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> source.flux()
                        .transform(Heartbeat.every(SECOND).<String>inject(() -> "ping" + beats.incrementAndGet()))
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)), 1)
                .expectSubscription()
                .thenAwait(SECOND)
                .expectNext("ping1")
                .then(() -> source.next("a"))
                .thenCancel()
                .verify();
        assertThat(discarded).containsExactly("a");
        source.assertCancelled();
        assertThat(beats).hasValue(1);
    }

    @Test
    void throwingOrNullBeatSupplierFailsTheStream() {
        StepVerifier.withVirtualTime(() -> Flux.<String>never()
                        .transform(Heartbeat.every(SECOND).<String>inject(() -> {
                            throw new IllegalStateException("no beat");
                        })))
                .expectSubscription()
                .thenAwait(SECOND)
                .expectErrorMessage("no beat")
                .verify();
        StepVerifier.withVirtualTime(() -> Flux.<String>never().transform(Heartbeat.every(SECOND).<String>inject(() -> null)))
                .expectSubscription()
                .thenAwait(SECOND)
                .expectError(NullPointerException.class)
                .verify();
    }

    @Test
    void composesWithOtherSchedulerTimedOperatorsOnTheSameVirtualClock() {
        // the heartbeat's idle rule and the batch's max-wait rule both read the scheduler clock
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just("a"), Flux.<String>never())
                        .transform(Heartbeat.every(SECOND).ticks())
                        .transform(AdaptiveBatch.of(10, Duration.ofMillis(300))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(300))
                .expectNext(List.of(new Pulse.Item<>("a")))
                .expectNoEvent(Duration.ofMillis(1000))
                .expectNext(List.of(new Pulse.Tick<>(1, SECOND)))
                .thenCancel()
                .verify();
    }

    @Test
    void realSchedulerPassesEverythingThrough() {
        List<Integer> out = Flux.range(0, 10_000).publishOn(Schedulers.boundedElastic(), 16)
                .transform(Heartbeat.every(Duration.ofMillis(1)).inject(() -> -1))
                .filter(i -> i >= 0)
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(out).hasSize(10_000).isSorted();
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> Heartbeat.every(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interval must be positive, was PT0S");
        assertThatThrownBy(() -> Heartbeat.every(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Heartbeat.every(SECOND).inject(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Heartbeat.every(SECOND).scheduler(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new IdleDetector(Duration.ofSeconds(-1), System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idleDetectorOnAnInjectedClock() {
        long[] now = {100};
        IdleDetector idle = new IdleDetector(Duration.ofNanos(10), () -> now[0]);
        assertThat(idle.isIdle()).isFalse();
        assertThat(idle.nanosUntilIdle()).isEqualTo(10);
        now[0] = 109;
        assertThat(idle.isIdle()).isFalse();
        now[0] = 110;
        assertThat(idle.isIdle()).isTrue();
        assertThat(idle.silence()).isEqualTo(Duration.ofNanos(10));
        idle.markActive();
        assertThat(idle.nanosUntilIdle()).isEqualTo(10);
        assertThat(idle.interval()).isEqualTo(Duration.ofNanos(10));
    }
}
