package io.fluxgate.breaker;

import org.junit.jupiter.api.RepeatedTest;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Many threads race for half-open probes: never more probes than permitted. */
class HalfOpenContentionTest {
    static final int THREADS = 8;
    static final int ATTEMPTS = 500;
    static final int PERMITTED = 3;

    CircuitBreaker halfOpen() {
        CircuitBreaker b = CircuitBreaker.of("contended", CircuitBreakerConfig.builder()
                .permittedNumberOfCallsInHalfOpenState(PERMITTED)
                .writableStackTraceEnabled(false)
                .build());
        b.transitionToOpenState(); // HALF_OPEN is reached through OPEN, as in Resilience4j
        b.transitionToHalfOpenState();
        return b;
    }

    static void race(Runnable attempt) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < ATTEMPTS; i++) {
                    attempt.run();
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(30_000);
        }
    }

    @RepeatedTest(5)
    void hangingProbesNeverExceedThePermits() throws Exception {
        CircuitBreaker b = halfOpen();
        AtomicInteger probes = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Mono<Integer> call = Mono.<Integer>never().doOnSubscribe(s -> probes.incrementAndGet())
                .transform(b.protectMono());
        List<reactor.core.Disposable> running = new java.util.concurrent.CopyOnWriteArrayList<>();
        race(() -> running.add(call.subscribe(v -> { }, e -> refused.incrementAndGet())));
        assertThat(probes).hasValue(PERMITTED);
        assertThat(refused).hasValue(THREADS * ATTEMPTS - PERMITTED);
        assertThat(b.metrics().inFlightCalls()).isEqualTo(PERMITTED);
        running.forEach(reactor.core.Disposable::dispose);
        assertThat(b.metrics().inFlightCalls()).isZero();
        b.dispose();
    }

    @RepeatedTest(5)
    void failingProbesAreExactlyThePermittedOnesThenTheBreakerReopens() throws Exception {
        CircuitBreaker b = halfOpen();
        AtomicInteger calls = new AtomicInteger();
        Mono<Integer> call = Mono.<Integer>fromCallable(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("still down");
        }).transform(b.protectMono());
        race(() -> call.onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(5)));
        assertThat(calls).hasValue(PERMITTED);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(b.metrics().notPermittedCalls()).isEqualTo(THREADS * ATTEMPTS - PERMITTED);
    }

    @RepeatedTest(5)
    void cancelledProbesReturnTheirPermitsExactlyOnce() throws Exception {
        CircuitBreaker b = halfOpen();
        AtomicInteger inCall = new AtomicInteger();
        AtomicInteger maxInCall = new AtomicInteger();
        CountDownLatch never = new CountDownLatch(1);
        Mono<Integer> call = Mono.<Integer>never()
                .doOnSubscribe(s -> maxInCall.accumulateAndGet(inCall.incrementAndGet(), Math::max))
                .doOnCancel(inCall::decrementAndGet)
                .transform(b.protectMono());
        // subscribe then cancel at once, from many threads: permits come back and are taken again
        race(() -> call.subscribe(v -> { }, e -> { }).dispose());
        assertThat(maxInCall.get()).isLessThanOrEqualTo(PERMITTED);
        assertThat(inCall).hasValue(0);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        // all permits are free again
        List<reactor.core.Disposable> held = new ArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        for (int i = 0; i < PERMITTED + 2; i++) {
            held.add(call.subscribe(v -> { }, e -> refused.incrementAndGet()));
        }
        assertThat(refused).hasValue(2);
        held.forEach(reactor.core.Disposable::dispose);
        never.countDown();
        b.dispose();
    }
}
