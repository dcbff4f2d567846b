package io.fluxgate.breaker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The Reactor layer: both open behaviours, demand, cancel, and one record or release per permission. */
class ProtectTest {

    static final IOException DOWN = new IOException("downstream down");

    /** Two calls decide; 50% failures open; 10 s open; one probe. */
    static CircuitBreakerConfig.Builder small() {
        return CircuitBreakerConfig.builder()
                .slidingWindowSize(2).minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .permittedNumberOfCallsInHalfOpenState(1)
                .writableStackTraceEnabled(false);
    }

    final List<CircuitBreaker> breakers = new ArrayList<>();

    /** Built inside withVirtualTime suppliers: the default scheduler then is the virtual one. */
    CircuitBreaker breaker(CircuitBreakerConfig config) {
        CircuitBreaker b = CircuitBreaker.builder().name("test").config(config).scheduler(Schedulers.parallel()).build();
        breakers.add(b);
        return b;
    }

    @AfterEach
    void stopCheckers() {
        breakers.forEach(CircuitBreaker::dispose);
        VirtualTimeScheduler.reset();
    }

    /** Counts of each per-call event, to check that every permission ends exactly once. */
    static final class Outcomes {
        final AtomicInteger success = new AtomicInteger();
        final AtomicInteger error = new AtomicInteger();
        final AtomicInteger ignored = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        final AtomicInteger notPermitted = new AtomicInteger();

        Outcomes(CircuitBreaker b) {
            b.events().onSuccess(e -> success.incrementAndGet())
                    .onError(e -> error.incrementAndGet())
                    .onIgnoredError(e -> ignored.incrementAndGet())
                    .onReleased(e -> released.incrementAndGet())
                    .onCallNotPermitted(e -> notPermitted.incrementAndGet());
        }

        String summary() {
            return "success=" + success + " error=" + error + " ignored=" + ignored + " released=" + released
                    + " notPermitted=" + notPermitted;
        }
    }

    // ------------------------------------------------------------------ FAIL_FAST

    @Test
    void failFastWithoutFallbackEndsTheStreamWithCallNotPermitted() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        b.transitionToForcedOpenState();
        AtomicInteger called = new AtomicInteger();
        StepVerifier.create(Flux.range(1, 3).transform(b.<Integer, Integer>protect(i -> {
                    called.incrementAndGet();
                    return Mono.just(i);
                })))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CallNotPermittedException.class)
                        .hasMessageContaining("'x'").hasMessageContaining("FORCED_OPEN"))
                .verify(Duration.ofSeconds(5));
        assertThat(called).hasValue(0);
        assertThat(b.metrics().notPermittedCalls()).isEqualTo(1);
    }

    @Test
    void failFastWithFallbackGoesOnPastFailuresAndRefusals() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        Outcomes o = new Outcomes(b);
        AtomicInteger called = new AtomicInteger();
        Flux<String> out = Flux.range(1, 6).transform(b.<Integer, String>protect(
                i -> {
                    called.incrementAndGet();
                    return Mono.<String>error(DOWN).hide();
                },
                (i, e) -> Mono.just(i + ":" + e.getClass().getSimpleName())));
        StepVerifier.create(out)
                .expectNext("1:IOException", "2:IOException")
                .expectNext("3:CallNotPermittedException", "4:CallNotPermittedException",
                        "5:CallNotPermittedException", "6:CallNotPermittedException")
                .verifyComplete();
        assertThat(called).hasValue(2);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(o.summary()).isEqualTo("success=0 error=2 ignored=0 released=0 notPermitted=4");
    }

    @Test
    void failFastRecoversThroughHalfOpenInVirtualTime() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        AtomicLong healthyFrom = new AtomicLong(Long.MAX_VALUE);
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().build());
                    ref.set(b);
                    VirtualTimeScheduler vts = VirtualTimeScheduler.get();
                    return Flux.interval(Duration.ofSeconds(1)).take(15)
                            .transform(b.<Long, String>protect(
                                    i -> vts.now(TimeUnit.SECONDS) >= healthyFrom.get()
                                            ? Mono.just("ok" + i) : Mono.error(DOWN),
                                    (i, e) -> Mono.just(e instanceof CallNotPermittedException ? "refused" + i : "failed" + i)));
                })
                .then(() -> healthyFrom.set(5))
                .thenAwait(Duration.ofSeconds(15))
                // t=1,2 fail -> OPEN at 2 s for 10 s; t=12 is exactly the end of the wait, still refused (strictly
                // after, as Resilience4j); t=13 is the probe (healthy) -> CLOSED
                .expectNext("failed0", "failed1")
                .expectNext("refused2", "refused3", "refused4", "refused5", "refused6", "refused7", "refused8",
                        "refused9", "refused10", "refused11")
                .expectNext("ok12", "ok13", "ok14")
                .verifyComplete();
        assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    // ------------------------------------------------------------------ BACKPRESSURE

    @Test
    void backpressureStopsDemandWhileOpenAndResumesWithoutDroppingOrFailing() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        AtomicLong requested = new AtomicLong();
        List<Long> calledAt = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().build());
                    ref.set(b);
                    VirtualTimeScheduler vts = VirtualTimeScheduler.get();
                    return Flux.range(1, 10)
                            .doOnRequest(requested::addAndGet)
                            .transform(b.<Integer, Integer>protecting(i -> {
                                        long now = vts.now(TimeUnit.SECONDS);
                                        calledAt.add(now);
                                        // the downstream is down for the first 5 seconds
                                        return now < 5 ? Mono.<Integer>error(DOWN) : Mono.just(i);
                                    })
                                    .whenOpen(OpenBehavior.BACKPRESSURE)
                                    .fallback((i, e) -> Mono.just(-i))
                                    .prefetch(0)
                                    .build());
                })
                .expectNext(-1, -2) // failed calls go to the fallback; the breaker is now OPEN
                .then(() -> assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.OPEN))
                .expectNoEvent(Duration.ofMillis(9_999))
                .then(() -> assertThat(requested).as("no demand while element 3 waits").hasValue(3))
                .thenAwait(Duration.ofMillis(1).plusNanos(1)) // strictly after the wait in OPEN
                .expectNext(3, 4, 5, 6, 7, 8, 9, 10) // 3 was the probe; it closed the breaker
                .verifyComplete();
        CircuitBreaker b = ref.get();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(b.metrics().notPermittedCalls()).isZero();
        assertThat(calledAt).hasSize(10).startsWith(0L, 0L, 10L);
    }

    @Test
    void backpressureWaitersWakeOnAManualTransition() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().build());
                    ref.set(b);
                    b.transitionToForcedOpenState();
                    return Flux.range(1, 3).transform(b.<Integer, Integer>protect(Mono::just, OpenBehavior.BACKPRESSURE));
                })
                .expectSubscription()
                .expectNoEvent(Duration.ofHours(1)) // FORCED_OPEN has no end of its own
                .then(() -> ref.get().transitionToClosedState())
                .expectNext(1, 2, 3)
                .verifyComplete();
    }

    @Test
    void backpressureFailedProbeWaitsAgainWithBackoff() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        List<Long> calledAt = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().openStateBackoff(2, Duration.ofSeconds(100)).build());
                    ref.set(b);
                    VirtualTimeScheduler vts = VirtualTimeScheduler.get();
                    return Flux.range(1, 4).transform(b.<Integer, Integer>protecting(i -> {
                                long now = vts.now(TimeUnit.SECONDS);
                                calledAt.add(now);
                                return now < 25 ? Mono.error(DOWN) : Mono.just(i);
                            })
                            .whenOpen(OpenBehavior.BACKPRESSURE)
                            .fallback((i, e) -> Mono.empty())
                            .build());
                })
                .thenAwait(Duration.ofSeconds(100))
                .expectNext(4)
                .verifyComplete();
        // 1, 2 fail at 0 -> open 10 s; 3 probes at 10 and fails -> open 20 s; 4 probes at 30 and passes
        assertThat(calledAt).containsExactly(0L, 0L, 10L, 30L);
    }

    @Test
    void oneStreamsFailuresPauseAnotherBackpressureStreamSharingTheBreaker() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        List<String> log = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().build());
                    ref.set(b);
                    VirtualTimeScheduler vts = VirtualTimeScheduler.get();
                    // stream A fails at t=1 s and t=2 s: the shared breaker opens at 2 s until 12 s
                    Flux<String> a = Flux.interval(Duration.ofSeconds(1)).take(2)
                            .transform(b.<Long, String>protect(i -> Mono.error(DOWN), (i, e) -> Mono.just("a-failed")));
                    // stream B ticks every second from t=3 s and is paused while the breaker is open
                    Flux<String> bStream = Flux.interval(Duration.ofSeconds(3), Duration.ofSeconds(1)).take(3)
                            .onBackpressureBuffer()
                            .transform(b.<Long, String>protect(i -> Mono.just("b" + i + "@" + vts.now(TimeUnit.SECONDS)),
                                    OpenBehavior.BACKPRESSURE));
                    return Flux.merge(a, bStream).doOnNext(log::add);
                })
                .thenAwait(Duration.ofSeconds(30))
                .expectNext("a-failed", "a-failed", "b0@12", "b1@12", "b2@12")
                .verifyComplete();
        assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(ref.get().metrics().notPermittedCalls()).isZero();
    }

    // ------------------------------------------------------------------ demand, order, concurrency

    @Test
    void honoursDownstreamDemand() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        StepVerifier.create(Flux.range(1, 5).transform(b.<Integer, Integer>protect(i -> Mono.just(i).hide())), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext(1)
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(2)
                .expectNext(2, 3)
                .thenRequest(Long.MAX_VALUE)
                .expectNext(4, 5)
                .verifyComplete();
        assertThat(b.metrics().bufferedCalls()).isEqualTo(2); // window of 2
    }

    @Test
    void aCallSubscribedButNotYetRequestedIsNotInFlight() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        StepVerifier.create(Flux.just(1).transform(b.<Integer, Integer>protect(i -> Mono.just(i).hide())), 0)
                .expectSubscription()
                .then(() -> assertThat(b.metrics().inFlightCalls()).isZero())
                .thenCancel()
                .verify();
        assertThat(b.metrics().inFlightCalls()).isZero();
    }

    @Test
    void concurrentCallsKeepUpstreamOrder() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        Flux<Integer> out = Flux.range(1, 50).transform(b.<Integer, Integer>protecting(
                        i -> Mono.just(i).delayElement(Duration.ofMillis(50 - i)))
                .maxInFlight(8).build());
        StepVerifier.create(out).expectNextSequence(java.util.stream.IntStream.rangeClosed(1, 50).boxed().toList())
                .verifyComplete();
        assertThat(b.metrics().inFlightCalls()).isZero();
    }

    @Test
    void multiValuedCallsRecordOnceOnCompletion() {
        CircuitBreaker b = CircuitBreaker.of("x", small().slidingWindowSize(10).build());
        Outcomes o = new Outcomes(b);
        StepVerifier.create(Flux.range(1, 3).transform(b.<Integer, Integer>protect(i -> Flux.range(i * 10, 3).hide())))
                .expectNext(10, 11, 12, 20, 21, 22, 30, 31, 32)
                .verifyComplete();
        assertThat(o.summary()).isEqualTo("success=3 error=0 ignored=0 released=0 notPermitted=0");
    }

    // ------------------------------------------------------------------ exactly once

    @Test
    void cancelReleasesTheHalfOpenPermitOnce() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        Outcomes o = new Outcomes(b);
        b.transitionToOpenState();
        b.transitionToHalfOpenState();
        TestPublisher<Integer> call = TestPublisher.create();
        StepVerifier.create(Flux.just(1).transform(b.<Integer, Integer>protect(i -> call)))
                .expectSubscription()
                .then(() -> assertThat(b.metrics().inFlightCalls()).isEqualTo(1))
                .thenCancel()
                .verify();
        call.assertCancelled();
        assertThat(o.summary()).isEqualTo("success=0 error=0 ignored=0 released=1 notPermitted=0");
        assertThat(b.metrics().inFlightCalls()).isZero();
        // the permit is back: one more probe passes and closes the breaker
        StepVerifier.create(Mono.just(1).transform(b.protectMono())).expectNext(1).verifyComplete();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void anOuterTimeoutCancelsAndReleasesOnce() {
        AtomicReference<Outcomes> o = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().build());
                    o.set(new Outcomes(b));
                    return Mono.never().transform(b.protectMono()).timeout(Duration.ofSeconds(1));
                })
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify();
        assertThat(o.get().summary()).isEqualTo("success=0 error=0 ignored=0 released=1 notPermitted=0");
    }

    @Test
    void aTimeoutInsideTheCallIsRecordedOnceAsAFailure() {
        AtomicReference<Outcomes> o = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().slidingWindowSize(10).build());
                    o.set(new Outcomes(b));
                    return Flux.just(1).transform(b.<Integer, Integer>protect(
                            i -> Mono.<Integer>never().timeout(Duration.ofSeconds(1)),
                            (i, e) -> Mono.just(-1)));
                })
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(-1)
                .verifyComplete();
        assertThat(o.get().summary()).isEqualTo("success=0 error=1 ignored=0 released=0 notPermitted=0");
    }

    @Test
    void zipCancellingTheProtectedSideReleasesOnce() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        Outcomes o = new Outcomes(b);
        Mono<Integer> slow = Mono.<Integer>never().transform(b.protectMono());
        StepVerifier.create(Mono.zip(slow, Mono.error(new IllegalStateException("other side"))))
                .expectErrorMessage("other side")
                .verify(Duration.ofSeconds(5));
        assertThat(o.summary()).isEqualTo("success=0 error=0 ignored=0 released=1 notPermitted=0");
        assertThat(b.metrics().inFlightCalls()).isZero();
    }

    @Test
    void anExceptionThrownByTheCallFunctionIsRecordedOnce() {
        CircuitBreaker b = CircuitBreaker.of("x", small().slidingWindowSize(10).build());
        Outcomes o = new Outcomes(b);
        StepVerifier.create(Flux.range(1, 2).transform(b.<Integer, Integer>protect(i -> {
                    throw new IllegalStateException("thrown by call " + i);
                })))
                .expectErrorMessage("thrown by call 1")
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(Flux.range(1, 2).transform(b.<Integer, Integer>protect(i -> null)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("null Publisher"))
                .verify(Duration.ofSeconds(5));
        assertThat(o.summary()).isEqualTo("success=0 error=2 ignored=0 released=0 notPermitted=0");
        assertThat(b.metrics().failedCalls()).isEqualTo(2);
    }

    @Test
    void emptyCallsAreOneSuccessEach() {
        CircuitBreaker b = CircuitBreaker.of("x", small().slidingWindowSize(10).build());
        Outcomes o = new Outcomes(b);
        StepVerifier.create(Flux.range(1, 4).transform(b.<Integer, Integer>protect(i -> switch (i) {
                    case 1 -> Mono.empty();
                    case 2 -> Mono.<Integer>empty().hide();
                    case 3 -> Flux.<Integer>empty().hide();
                    default -> Mono.fromCallable(() -> null);
                })))
                .verifyComplete();
        assertThat(o.summary()).isEqualTo("success=4 error=0 ignored=0 released=0 notPermitted=0");
        assertThat(b.metrics().bufferedCalls()).isEqualTo(4);
        assertThat(b.metrics().inFlightCalls()).isZero();
    }

    @Test
    void cancellingTheStreamMidCallReleasesOnceAndDoesNotCallAgain() {
        CircuitBreaker b = CircuitBreaker.of("x", small().slidingWindowSize(10).build());
        Outcomes o = new Outcomes(b);
        AtomicInteger called = new AtomicInteger();
        StepVerifier.create(Flux.range(1, 100).transform(b.<Integer, Integer>protect(i -> {
                    called.incrementAndGet();
                    return i < 3 ? Mono.just(i).hide() : Mono.never();
                })))
                .expectNext(1, 2)
                .expectNoEvent(Duration.ofMillis(20))
                .thenCancel()
                .verify();
        assertThat(called).hasValue(3);
        assertThat(o.summary()).isEqualTo("success=2 error=0 ignored=0 released=1 notPermitted=0");
    }

    @Test
    void ignoredErrorsReachTheFallbackButNoRate() {
        CircuitBreaker b = CircuitBreaker.of("x", small().ignoreExceptions(IllegalArgumentException.class).build());
        Outcomes o = new Outcomes(b);
        StepVerifier.create(Flux.range(1, 5).transform(b.<Integer, Integer>protect(
                        i -> Mono.<Integer>error(new IllegalArgumentException("bad input")).hide(),
                        (i, e) -> Mono.just(-i))))
                .expectNext(-1, -2, -3, -4, -5)
                .verifyComplete();
        assertThat(o.summary()).isEqualTo("success=0 error=0 ignored=5 released=0 notPermitted=0");
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aThrowingFallbackEndsTheStreamWithItsErrorAndTheCauseSuppressed() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        StepVerifier.create(Flux.just(1).transform(b.<Integer, Integer>protect(
                        i -> Mono.error(DOWN),
                        (i, e) -> {
                            throw new IllegalStateException("fallback broke");
                        })))
                .expectErrorSatisfies(e -> assertThat(e).hasMessage("fallback broke").hasSuppressedException(DOWN))
                .verify(Duration.ofSeconds(5));
    }

    // ------------------------------------------------------------------ in-flight slow calls

    @Test
    void hangingCallsOpenTheBreakerBeforeTheirTimeoutFires() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        List<CircuitBreakerEvent> transitions = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small()
                            .slidingWindowSize(4).minimumNumberOfCalls(4)
                            .slowCallDurationThreshold(Duration.ofSeconds(2))
                            .slowCallRateThreshold(50)
                            .waitDurationInOpenState(Duration.ofMinutes(1)).build());
                    ref.set(b);
                    b.events().onStateTransition(transitions::add).onSlowCallRateExceeded(transitions::add);
                    return Flux.range(1, 8).transform(b.<Integer, String>protecting(
                                    i -> i <= 2 ? Mono.just("fast" + i) : Mono.<String>never().timeout(Duration.ofSeconds(30)))
                            .maxInFlight(4)
                            .fallback((i, e) -> Mono.just(e.getClass().getSimpleName() + i))
                            .build());
                })
                .expectNext("fast1", "fast2")
                .then(() -> assertThat(ref.get().metrics().inFlightCalls()).isEqualTo(4))
                .thenAwait(Duration.ofMillis(2_999))
                .then(() -> assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.CLOSED))
                .thenAwait(Duration.ofMillis(1)) // the periodic check (every 1 s) sees 4 calls older than 2 s
                .then(() -> assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.OPEN))
                .then(() -> assertThat(transitions).hasSize(2)
                        .first().isInstanceOf(CircuitBreakerEvent.SlowCallRateExceeded.class))
                .thenAwait(Duration.ofSeconds(30))
                .expectNext("TimeoutException3", "TimeoutException4", "TimeoutException5", "TimeoutException6")
                .expectNext("CallNotPermittedException7", "CallNotPermittedException8")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(ref.get().metrics().inFlightCalls()).isZero();
    }

    @Test
    void aCallCancelledAfterItBecameSlowIsRecordedAsSlow() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().slidingWindowSize(10)
                            .slowCallDurationThreshold(Duration.ofSeconds(2)).build());
                    ref.set(b);
                    return Mono.never().transform(b.protectMono()).timeout(Duration.ofSeconds(3));
                })
                .thenAwait(Duration.ofSeconds(3))
                .expectError(TimeoutException.class)
                .verify();
        assertThat(ref.get().metrics().slowCalls()).isEqualTo(1);
        assertThat(ref.get().metrics().bufferedCalls()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ Mono form

    @Test
    void monoFormOnePermissionPerSubscription() {
        CircuitBreaker b = CircuitBreaker.of("x", small().build());
        AtomicInteger attempts = new AtomicInteger();
        Mono<Integer> call = Mono.defer(() -> {
            attempts.incrementAndGet();
            return Mono.<Integer>error(DOWN);
        }).transform(b.protectMono());
        StepVerifier.create(call.retry(5))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CallNotPermittedException.class))
                .verify(Duration.ofSeconds(5));
        assertThat(attempts).as("two failures open the breaker; the third attempt is refused").hasValue(2);
    }

    @Test
    void monoFormBackpressureDelaysTheSubscription() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = breaker(small().build());
                    ref.set(b);
                    b.transitionToOpenState();
                    return Mono.just("late").transform(b.protectMono(OpenBehavior.BACKPRESSURE));
                })
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10_000)) // not at exactly the wait: strictly after, as Resilience4j
                .thenAwait(Duration.ofNanos(1))
                .expectNext("late")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    // ------------------------------------------------------------------ bad arguments

    @Test
    void badArguments() {
        CircuitBreaker b = CircuitBreaker.ofDefaults("x");
        org.assertj.core.api.Assertions.assertThatNullPointerException().isThrownBy(() -> b.protect(null));
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> b.protect(Mono::just, (OpenBehavior) null));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> b.protecting(Mono::just).maxInFlight(0)).withMessageContaining("was 0");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> b.protecting(Mono::just).prefetch(-1)).withMessageContaining("was -1");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> b.protecting(Mono::just).maxInFlight(2).prefetch(0).build())
                .withMessageContaining("was 2");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> CircuitBreaker.builder().name(" ")).withMessageContaining("was ' '");
        org.assertj.core.api.Assertions.assertThatNullPointerException().isThrownBy(() -> CircuitBreaker.builder().name(null));
    }
}
