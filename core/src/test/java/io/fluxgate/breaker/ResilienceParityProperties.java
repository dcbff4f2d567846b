package io.fluxgate.breaker;

import io.fluxgate.breaker.internal.StateMachine;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differential property: the same sequence of call outcomes and clock advances drives Resilience4j's breaker
 * (the reference model) and ours; permissions, states and window counts agree at every step.
 */
class ResilienceParityProperties {

    enum Step { SUCCESS, FAILURE, SLOW_SUCCESS, WAIT }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Arbitraries.of(Step.class).list().ofMinSize(1).ofMaxSize(200);
    }

    static final class MutableClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Property(tries = 300)
    void behavesLikeResilience4j(@ForAll("steps") List<Step> steps,
                                 @ForAll @IntRange(min = 1, max = 10) int windowSize,
                                 @ForAll @IntRange(min = 1, max = 10) int minimumCalls,
                                 @ForAll @IntRange(min = 1, max = 100) int failureRate,
                                 @ForAll @IntRange(min = 1, max = 4) int permitted,
                                 @ForAll boolean timeBased) {
        MutableClock clock = new MutableClock();
        var r4jConfig = io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                .slidingWindowType(timeBased ? SlidingWindowType.TIME_BASED : SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(windowSize)
                .minimumNumberOfCalls(minimumCalls)
                .failureRateThreshold(failureRate)
                .slowCallRateThreshold(50)
                .slowCallDurationThreshold(Duration.ofMillis(100))
                .permittedNumberOfCallsInHalfOpenState(permitted)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .clock(clock)
                .currentTimestampFunction(c -> TimeUnit.MILLISECONDS.toNanos(clock.millis), TimeUnit.NANOSECONDS)
                .build();
        var r4j = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("r4j", r4jConfig);
        CircuitBreakerConfig config = CircuitBreakerConfig.builder()
                .slidingWindow(windowSize, minimumCalls, timeBased
                        ? CircuitBreakerConfig.SlidingWindowType.TIME_BASED : CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(failureRate)
                .slowCallRateThreshold(50)
                .slowCallDurationThreshold(Duration.ofMillis(100))
                .permittedNumberOfCallsInHalfOpenState(permitted)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .build();
        StateMachine ours = new StateMachine(config, () -> TimeUnit.MILLISECONDS.toNanos(clock.millis), new NoOpObserver());

        int i = 0;
        long refused = 0;
        for (Step step : steps) {
            i++;
            if (step == Step.WAIT) {
                clock.millis += 1_700;
                continue;
            }
            long now = TimeUnit.MILLISECONDS.toNanos(clock.millis);
            boolean r4jPermits = r4j.tryAcquirePermission();
            StateMachine.Phase p = ours.tryAcquire(now, true);
            assertThat(p != null).as("permission at step %d", i).isEqualTo(r4jPermits);
            refused += r4jPermits ? 0 : 1;
            if (p != null) {
                long took = step == Step.SLOW_SUCCESS ? 150 : 10;
                clock.millis += took;
                long end = TimeUnit.MILLISECONDS.toNanos(clock.millis);
                if (step == Step.FAILURE) {
                    IOException e = new IOException();
                    r4j.onError(took, TimeUnit.MILLISECONDS, e);
                    ours.record(p, now, end, e);
                } else {
                    r4j.onSuccess(took, TimeUnit.MILLISECONDS);
                    ours.record(p, now, end, null);
                }
            }
            assertThat(ours.state().name()).as("state at step %d", i).isEqualTo(r4j.getState().name());
            if (ours.state() == CircuitBreakerState.CLOSED) {
                assertThat(ours.metrics().bufferedCalls()).as("buffered at step %d", i)
                        .isEqualTo(r4j.getMetrics().getNumberOfBufferedCalls());
                assertThat(ours.metrics().failedCalls()).as("failed at step %d", i)
                        .isEqualTo(r4j.getMetrics().getNumberOfFailedCalls());
            }
        }
        // Resilience4j's count restarts with every state; ours is cumulative, as a Micrometer counter must be
        assertThat(ours.notPermittedCalls()).isEqualTo(refused);
    }

    static final class NoOpObserver implements StateMachine.Observer {
        @Override
        public void onTransition(CircuitBreakerState from, CircuitBreakerState to) {
        }

        @Override
        public void onRateExceeded(boolean failureRate, float rate) {
        }

        @Override
        public void onCall(int kind, long elapsedNanos, Throwable error) {
        }

        @Override
        public void onNotPermitted(CircuitBreakerState state) {
        }

        @Override
        public void onPermitReleased() {
        }
    }
}
