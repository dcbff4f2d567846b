package io.fluxgate.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.breaker.CircuitBreakerConfig;
import io.fluxgate.breaker.CircuitBreakerState;
import io.fluxgate.breaker.OpenBehavior;
import io.fluxgate.ratelimit.RateLimit;
import io.fluxgate.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Every timed operator follows virtual time by default: a breaker built without {@code .scheduler(...)} reads and
 * waits on the virtual clock under {@code StepVerifier.withVirtualTime} (wherever it was built), and
 * {@code RateLimit}'s {@code .scheduler(s)} puts the limiter on {@code s}'s clock.
 */
class VirtualTimeTest {

    private static final RuntimeException DOWN = new RuntimeException("down");

    private static CircuitBreakerConfig small() {
        return CircuitBreakerConfig.builder().slidingWindowSize(2).minimumNumberOfCalls(2).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10)).permittedNumberOfCallsInHalfOpenState(1)
                .writableStackTraceEnabled(false).build();
    }

    private static Flux<Integer> downForFiveSeconds(CircuitBreaker b, AtomicLong requested, List<Long> calledAt) {
        VirtualTimeScheduler vts = VirtualTimeScheduler.get();
        return Flux.range(1, 6)
                .doOnRequest(requested::addAndGet)
                .transform(b.<Integer, Integer>protecting(i -> {
                            long now = vts.now(TimeUnit.SECONDS);
                            calledAt.add(now);
                            return now < 5 ? Mono.<Integer>error(DOWN) : Mono.just(i);
                        })
                        .whenOpen(OpenBehavior.BACKPRESSURE)
                        .fallback((i, e) -> Mono.just(-i))
                        .prefetch(0)
                        .build());
    }

    @Test
    void breakerBuiltInsideWithVirtualTimeWithoutASchedulerWaitsOnTheVirtualClock() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        AtomicLong requested = new AtomicLong();
        List<Long> calledAt = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = CircuitBreaker.builder().name("vt").config(small()).build(); // no scheduler
                    ref.set(b);
                    return downForFiveSeconds(b, requested, calledAt);
                })
                .expectNext(-1, -2)
                .then(() -> assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.OPEN))
                .expectNoEvent(Duration.ofMillis(9_999))
                .then(() -> assertThat(requested).as("no demand while element 3 waits").hasValue(3))
                .thenAwait(Duration.ofMillis(1).plusNanos(1))
                .expectNext(3, 4, 5, 6)
                .verifyComplete();
        assertThat(calledAt).startsWith(0L, 0L, 10L);
        assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.CLOSED);
        ref.get().dispose();
    }

    @Test
    void breakerBuiltOutsideIsUsedOnTheVirtualClockToo() {
        CircuitBreaker b = CircuitBreaker.of("shared", small()); // built before virtual time is installed
        AtomicLong requested = new AtomicLong();
        List<Long> calledAt = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> downForFiveSeconds(b, requested, calledAt))
                .expectNext(-1, -2)
                .expectNoEvent(Duration.ofMillis(9_999))
                .thenAwait(Duration.ofMillis(1).plusNanos(1))
                .expectNext(3, 4, 5, 6)
                .verifyComplete();
        assertThat(calledAt).startsWith(0L, 0L, 10L);
        b.dispose();
    }

    @Test
    void breakerWithoutSchedulerTimesCallsOnTheVirtualClock() {
        AtomicReference<CircuitBreaker> ref = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> {
                    CircuitBreaker b = CircuitBreaker.builder().name("slow")
                            .config(CircuitBreakerConfig.builder().slidingWindowSize(1).minimumNumberOfCalls(1)
                                    .slowCallDurationThreshold(Duration.ofSeconds(2)).slowCallRateThreshold(100)
                                    .build())
                            .build();
                    ref.set(b);
                    return Flux.just(1).transform(b.<Integer, Integer>protect(
                            i -> Mono.delay(Duration.ofSeconds(3)).thenReturn(i)));
                })
                .thenAwait(Duration.ofSeconds(3))
                .expectNext(1)
                .verifyComplete();
        // 3 virtual seconds (not a few real microseconds): the call counted as slow and opened the breaker
        assertThat(ref.get().metrics().slowCalls()).isEqualTo(1);
        assertThat(ref.get().state()).isEqualTo(CircuitBreakerState.OPEN);
        ref.get().dispose();
    }

    @Test
    void rateLimitSchedulerAlignsTheLimitersClock() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        RateLimiter limiter = RateLimiter.perSecond(1); // default clock: System.nanoTime()
        List<Integer> out = new CopyOnWriteArrayList<>();
        Flux.range(1, 4).transform(RateLimit.builder(limiter).scheduler(vts).build()).subscribe(out::add);
        assertThat(out).containsExactly(1);
        vts.advanceTimeBy(Duration.ofMillis(999));
        assertThat(out).containsExactly(1);
        vts.advanceTimeBy(Duration.ofMillis(1));
        assertThat(out).containsExactly(1, 2);
        vts.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(out).containsExactly(1, 2, 3);
        // the limiter now reads the scheduler's clock: no permit until virtual time moves on
        assertThat(limiter.tryAcquire()).isFalse();
        vts.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(out).containsExactly(1, 2, 3, 4);
        assertThat(limiter.tryAcquire()).isTrue();
    }

    @Test
    void rateLimitUnderWithVirtualTimeWithoutASchedulerPacesOnTheVirtualClock() {
        StepVerifier.withVirtualTime(() -> Flux.range(1, 3).transform(RateLimit.of(1, Duration.ofSeconds(1))))
                .expectNext(1)
                .expectNoEvent(Duration.ofSeconds(1))
                .expectNext(2)
                .expectNoEvent(Duration.ofSeconds(1))
                .expectNext(3)
                .verifyComplete();
    }

    @Test
    void aLimiterKeepsOneClock() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        RateLimiter shared = RateLimiter.perSecond(5);
        RateLimit.builder(shared).scheduler(vts).build();
        RateLimit.builder(shared).scheduler(vts).build(); // the same scheduler again is fine
        assertThatThrownBy(() -> RateLimit.builder(shared).scheduler(VirtualTimeScheduler.create()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot align");
        // a limiter on its own clock keeps it
        long[] now = {0};
        RateLimiter own = RateLimiter.builder().permits(1).per(Duration.ofSeconds(1)).nanoClock(() -> now[0]).build();
        RateLimit.builder(own).scheduler(vts).build();
        assertThat(own.tryAcquire()).isTrue();
        vts.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(own.tryAcquire()).isFalse();
        now[0] = 1_000_000_000L;
        assertThat(own.tryAcquire()).isTrue();
    }
}
