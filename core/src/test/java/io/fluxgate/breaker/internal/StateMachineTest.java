package io.fluxgate.breaker.internal;

import io.fluxgate.breaker.CircuitBreakerConfig;
import io.fluxgate.breaker.CircuitBreakerMetrics;
import io.fluxgate.breaker.CircuitBreakerState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.fluxgate.breaker.CircuitBreakerState.CLOSED;
import static io.fluxgate.breaker.CircuitBreakerState.DISABLED;
import static io.fluxgate.breaker.CircuitBreakerState.FORCED_OPEN;
import static io.fluxgate.breaker.CircuitBreakerState.HALF_OPEN;
import static io.fluxgate.breaker.CircuitBreakerState.METRICS_ONLY;
import static io.fluxgate.breaker.CircuitBreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

/** The state machine alone, with a fake clock: no timers, no Reactor. */
class StateMachineTest {
    static final long MS = 1_000_000L;

    final AtomicLong clock = new AtomicLong(1_000 * MS);
    final List<String> log = new ArrayList<>();
    final StateMachine.Observer observer = new StateMachine.Observer() {
        @Override
        public void onTransition(CircuitBreakerState from, CircuitBreakerState to) {
            log.add(from + "->" + to);
        }

        @Override
        public void onRateExceeded(boolean failureRate, float rate) {
            log.add((failureRate ? "failureRate=" : "slowRate=") + rate);
        }

        @Override
        public void onCall(int kind, long elapsedNanos, Throwable error) {
            log.add("call" + kind);
        }

        @Override
        public void onNotPermitted(CircuitBreakerState state) {
            log.add("notPermitted");
        }

        @Override
        public void onPermitReleased() {
            log.add("released");
        }
    };

    static CircuitBreakerConfig.Builder small() {
        return CircuitBreakerConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .permittedNumberOfCallsInHalfOpenState(2)
                .slowCallDurationThreshold(Duration.ofSeconds(1));
    }

    StateMachine machine(CircuitBreakerConfig config) {
        return new StateMachine(config, clock::get, observer);
    }

    /** A call that takes {@code millis} and fails with {@code error} (null = success). */
    void call(StateMachine sm, long millis, Throwable error) {
        long start = clock.get();
        StateMachine.Phase p = sm.tryAcquire(start, true);
        assertThat(p).as("permitted in %s", sm.state()).isNotNull();
        clock.addAndGet(millis * MS);
        sm.record(p, start, clock.get(), error);
    }

    void calls(StateMachine sm, int n, Throwable error) {
        for (int i = 0; i < n; i++) {
            call(sm, 1, error);
        }
    }

    static final IOException BOOM = new IOException("boom");

    @Test
    void opensWhenFailureRateReachesThresholdOnlyAfterMinimumCalls() {
        StateMachine sm = machine(small().build());
        calls(sm, 1, null);
        calls(sm, 2, BOOM); // 2 of 3 failed, but only 3 calls: below minimum
        assertThat(sm.state()).isEqualTo(CLOSED);
        assertThat(sm.metrics().failureRate()).isEqualTo(-1f);
        calls(sm, 1, null); // 2 of 4 = 50% >= 50%
        assertThat(sm.state()).isEqualTo(OPEN);
        assertThat(log).containsSubsequence("failureRate=50.0", "CLOSED->OPEN");
    }

    @Test
    void countWindowForgetsTheOldestCall() {
        StateMachine sm = machine(small().failureRateThreshold(60).build());
        calls(sm, 1, BOOM);
        calls(sm, 3, null); // 25%
        calls(sm, 1, BOOM); // window: s s s f -> evicted the first failure: 25%
        assertThat(sm.state()).isEqualTo(CLOSED);
        CircuitBreakerMetrics m = sm.metrics();
        assertThat(m.bufferedCalls()).isEqualTo(4);
        assertThat(m.failedCalls()).isEqualTo(1);
        assertThat(m.failureRate()).isEqualTo(25f);
        calls(sm, 2, BOOM); // s f f f
        assertThat(sm.state()).isEqualTo(OPEN);
    }

    @Test
    void timeWindowForgetsCallsOlderThanTheWindow() {
        StateMachine sm = machine(small().slidingWindow(2, 2, CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .failureRateThreshold(100).build());
        calls(sm, 1, BOOM);
        clock.addAndGet(2_500 * MS); // the failure is now older than 2 s
        calls(sm, 1, null);
        assertThat(sm.metrics().bufferedCalls()).isEqualTo(1);
        clock.addAndGet(1_000 * MS); // next second
        calls(sm, 2, BOOM);
        assertThat(sm.state()).isEqualTo(CLOSED); // 2 of 3 failed
        clock.addAndGet(1_000 * MS); // the success's second drops out, the two failures stay
        calls(sm, 1, BOOM);
        assertThat(sm.state()).isEqualTo(OPEN);
    }

    @Test
    void slowCallsOpenOnSlowCallRate() {
        StateMachine sm = machine(small().slowCallRateThreshold(50).build());
        call(sm, 1_500, null);
        call(sm, 1, null);
        call(sm, 1_001, null);
        assertThat(sm.state()).isEqualTo(CLOSED);
        call(sm, 1, null);
        assertThat(sm.state()).isEqualTo(OPEN);
        assertThat(log).contains("slowRate=50.0");
        assertThat(sm.metrics().slowCalls()).isEqualTo(2);
    }

    @Test
    void openRefusesUntilTheWaitIsOverThenLetsExactlyThePermittedProbes() {
        StateMachine sm = machine(small().build());
        calls(sm, 4, BOOM);
        assertThat(sm.state()).isEqualTo(OPEN);
        assertThat(sm.tryAcquire(clock.get(), true)).isNull();
        assertThat(sm.nanosUntilPermitted(clock.get())).isEqualTo(10_000 * MS + 1);
        clock.addAndGet(10_000 * MS - 1);
        assertThat(sm.tryAcquire(clock.get(), true)).isNull();
        clock.addAndGet(1);
        assertThat(sm.tryAcquire(clock.get(), true)).as("at exactly the wait: strictly after").isNull();
        clock.addAndGet(1);
        StateMachine.Phase a = sm.tryAcquire(clock.get(), true);
        StateMachine.Phase b = sm.tryAcquire(clock.get(), true);
        assertThat(sm.state()).isEqualTo(HALF_OPEN);
        assertThat(a).isNotNull().isSameAs(b);
        assertThat(sm.tryAcquire(clock.get(), true)).isNull();
        assertThat(sm.notPermittedCalls()).isEqualTo(4);
        assertThat(sm.nanosUntilPermitted(clock.get())).isEqualTo(Long.MAX_VALUE);
        sm.record(a, clock.get(), clock.get(), null);
        assertThat(sm.state()).isEqualTo(HALF_OPEN);
        sm.record(b, clock.get(), clock.get(), null);
        assertThat(sm.state()).isEqualTo(CLOSED);
        assertThat(sm.metrics().bufferedCalls()).isZero(); // a fresh window
    }

    @Test
    void failedProbesReopenWithExponentialBackoffCappedAtMax() {
        StateMachine sm = machine(small().openStateBackoff(2.0, Duration.ofSeconds(30)).build());
        calls(sm, 4, BOOM);
        long[] waits = new long[4];
        for (int i = 0; i < 4; i++) {
            waits[i] = sm.nanosUntilPermitted(clock.get());
            clock.addAndGet(waits[i]);
            calls(sm, 2, BOOM); // both probes fail
            assertThat(sm.state()).isEqualTo(OPEN);
        }
        // each wait ends 1 ns after the configured one: permitted strictly after, as Resilience4j
        assertThat(waits).containsExactly(10_000 * MS + 1, 20_000 * MS + 1, 30_000 * MS + 1, 30_000 * MS + 1);
        clock.addAndGet(sm.nanosUntilPermitted(clock.get()));
        calls(sm, 2, null);
        calls(sm, 4, BOOM);
        assertThat(sm.nanosUntilPermitted(clock.get())).as("closing resets the backoff").isEqualTo(10_000 * MS + 1);
    }

    @Test
    void halfOpenGoesBackToOpenAfterItsMaxWait() {
        StateMachine sm = machine(small().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)).build());
        sm.transitionTo(OPEN); // Resilience4j refuses CLOSED -> HALF_OPEN
        sm.transitionTo(HALF_OPEN);
        StateMachine.Phase probe = sm.tryAcquire(clock.get(), true);
        assertThat(probe).isNotNull();
        clock.addAndGet(4_999 * MS);
        sm.checkInFlight(clock.get());
        assertThat(sm.state()).isEqualTo(HALF_OPEN);
        clock.addAndGet(1 * MS);
        sm.checkInFlight(clock.get());
        assertThat(sm.state()).isEqualTo(OPEN);
        sm.record(probe, clock.get(), clock.get(), null); // late probe result changes nothing
        assertThat(sm.state()).isEqualTo(OPEN);
    }

    @Test
    void ignoredExceptionsReleaseAndNonRecordedOnesCountAsSuccess() {
        StateMachine sm = machine(small()
                .recordExceptions(IOException.class)
                .ignoreExceptions(IllegalStateException.class).build());
        calls(sm, 10, new IllegalStateException("ignored"));
        assertThat(sm.metrics().bufferedCalls()).isZero();
        calls(sm, 4, new IllegalArgumentException("not recorded"));
        assertThat(sm.metrics().bufferedCalls()).isEqualTo(4);
        assertThat(sm.metrics().failedCalls()).isZero();
        calls(sm, 2, BOOM);
        assertThat(sm.state()).isEqualTo(OPEN);

        sm.transitionTo(HALF_OPEN);
        StateMachine.Phase a = sm.tryAcquire(clock.get(), true);
        StateMachine.Phase b = sm.tryAcquire(clock.get(), true);
        assertThat(sm.tryAcquire(clock.get(), true)).isNull();
        sm.record(a, clock.get(), clock.get(), new IllegalStateException("ignored"));
        assertThat(log).contains("released");
        assertThat(sm.tryAcquire(clock.get(), true)).as("the ignored probe's permit came back").isNotNull();
        assertThat(b).isNotNull();
    }

    @Test
    void recordPredicateAndIgnorePredicate() {
        StateMachine sm = machine(small()
                .recordException(e -> e.getMessage().startsWith("bad"))
                .ignoreException(e -> e.getMessage().startsWith("skip")).build());
        calls(sm, 4, new RuntimeException("fine"));
        calls(sm, 3, new RuntimeException("skip"));
        assertThat(sm.metrics().failedCalls()).isZero();
        calls(sm, 2, new RuntimeException("bad"));
        assertThat(sm.state()).isEqualTo(OPEN);
    }

    @Test
    void disabledForcedOpenAndMetricsOnly() {
        StateMachine sm = machine(small().build());
        sm.transitionTo(DISABLED);
        calls(sm, 10, BOOM);
        assertThat(sm.state()).isEqualTo(DISABLED);
        assertThat(sm.metrics().bufferedCalls()).isZero();

        sm.transitionTo(FORCED_OPEN);
        clock.addAndGet(3_600_000 * MS);
        assertThat(sm.tryAcquire(clock.get(), true)).isNull();
        assertThat(sm.nanosUntilPermitted(clock.get())).isEqualTo(Long.MAX_VALUE);

        sm.transitionTo(METRICS_ONLY);
        log.clear();
        calls(sm, 10, BOOM);
        assertThat(sm.state()).isEqualTo(METRICS_ONLY);
        assertThat(sm.metrics().failureRate()).isEqualTo(100f);
        assertThat(log).filteredOn(s -> s.startsWith("failureRate")).hasSize(1);
    }

    @Test
    void manualTransitionsAndReset() {
        StateMachine sm = machine(small().build());
        assertThat(sm.transitionTo(CLOSED)).isFalse();
        assertThat(sm.transitionTo(OPEN)).isTrue();
        assertThat(sm.transitionTo(HALF_OPEN)).isTrue();
        assertThat(sm.transitionTo(CLOSED)).isTrue();
        calls(sm, 3, BOOM);
        sm.reset();
        assertThat(sm.metrics().bufferedCalls()).isZero();
        assertThat(log).containsSubsequence("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
    }

    @Test
    void resultsOfCallsFromAnEarlierPhaseDoNotCountAsProbes() {
        StateMachine sm = machine(small().build());
        StateMachine.Phase old = sm.tryAcquire(clock.get(), true);
        calls(sm, 4, BOOM);
        clock.addAndGet(10_000 * MS + 1);
        StateMachine.Phase probe = sm.tryAcquire(clock.get(), true);
        assertThat(sm.state()).isEqualTo(HALF_OPEN);
        sm.record(old, clock.get(), clock.get(), null);
        sm.record(old, clock.get(), clock.get(), null);
        assertThat(sm.state()).isEqualTo(HALF_OPEN);
        sm.record(probe, clock.get(), clock.get(), BOOM);
        assertThat(sm.state()).isEqualTo(HALF_OPEN); // 1 of 2 probes recorded
    }

    static final class Call extends InFlightCall {
        Call(StateMachine.Phase phase, long start) {
            super(phase, start);
        }
    }

    @Test
    void inFlightCallsCountAsSlowOnceOlderThanTheThreshold() {
        StateMachine sm = machine(small().slowCallRateThreshold(50).build());
        calls(sm, 2, null);
        Call[] hanging = new Call[2];
        for (int i = 0; i < 2; i++) {
            long now = clock.get();
            hanging[i] = new Call(sm.tryAcquire(now, true), now);
            sm.enter(hanging[i]);
        }
        assertThat(sm.inFlightCalls()).isEqualTo(2);
        clock.addAndGet(1_000 * MS);
        sm.checkInFlight(clock.get());
        assertThat(sm.state()).as("exactly at the threshold is not slow").isEqualTo(CLOSED);
        clock.addAndGet(1);
        assertThat(sm.metrics().slowInFlightCalls()).isEqualTo(2);
        sm.checkInFlight(clock.get());
        assertThat(sm.state()).isEqualTo(OPEN); // 2 slow of 4 = 50%
        assertThat(log).contains("slowRate=50.0");
        // they finish later: recorded once each into the (now OPEN) phase's window, no transition
        for (Call c : hanging) {
            sm.exit(c);
            sm.record(c.phase, c.startNanos, clock.get(), null);
        }
        assertThat(sm.inFlightCalls()).isZero();
        assertThat(sm.state()).isEqualTo(OPEN);
    }

    @Test
    void inFlightCheckRunsWhenCallsStartAtMostOncePerPeriod() {
        StateMachine sm = machine(small().slowCallRateThreshold(100).minimumNumberOfCalls(1).build());
        long now = clock.get();
        Call hanging = new Call(sm.tryAcquire(now, true), now);
        sm.enter(hanging);
        clock.addAndGet(1_001 * MS);
        now = clock.get();
        Call next = new Call(sm.tryAcquire(now, true), now);
        sm.enter(next); // the check runs here: 1 slow in flight of 1 in window = 100%
        assertThat(sm.state()).isEqualTo(OPEN);
    }

    @Test
    void cancelReleasesAHalfOpenPermitOrRecordsASlowCall() {
        StateMachine sm = machine(small().permittedNumberOfCallsInHalfOpenState(1).build());
        sm.transitionTo(OPEN);
        sm.transitionTo(HALF_OPEN);
        StateMachine.Phase p = sm.tryAcquire(clock.get(), true);
        assertThat(sm.tryAcquire(clock.get(), true)).isNull();
        sm.cancel(p, clock.get(), clock.get() + 10 * MS);
        assertThat(sm.state()).isEqualTo(HALF_OPEN);
        StateMachine.Phase again = sm.tryAcquire(clock.get(), true);
        assertThat(again).isNotNull();
        sm.cancel(again, clock.get(), clock.get() + 2_000 * MS); // slow: recorded, 100% slow ≥ 100%
        assertThat(sm.state()).isEqualTo(OPEN);
    }
}
