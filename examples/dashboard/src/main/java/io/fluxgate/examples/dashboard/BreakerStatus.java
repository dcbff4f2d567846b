package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.time.Instant;

import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.breaker.CircuitBreakerEvent;
import io.fluxgate.breaker.CircuitBreakerMetrics;
import io.fluxgate.breaker.CircuitBreakerState;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What the dashboard shows of the circuit breaker in front of Kafka: a {@link View} now ({@code GET /breaker}), a
 * stream of views, one per state change, that starts with the current one ({@code breaker} events of
 * {@code /windows/stream}), and the {@code Retry-After} of a refused request.
 */
final class BreakerStatus {

    /**
     * The breaker as JSON.
     *
     * @param name              the breaker's name
     * @param state             CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, ...
     * @param since             when it entered this state (epoch millis)
     * @param retryAfterSeconds while it refuses requests, seconds until it lets a probe through; 0 otherwise
     * @param failureRate       failed requests in the window, in percent; -1 until enough requests were seen
     * @param bufferedCalls     requests in the window
     * @param failedCalls       failed requests in the window
     * @param notPermittedCalls requests refused since start
     */
    record View(String name, String state, long since, long retryAfterSeconds, float failureRate,
                int bufferedCalls, int failedCalls, long notPermittedCalls) {
    }

    private final CircuitBreaker breaker;
    private final Sinks.Many<View> changes = Sinks.many().multicast().directBestEffort();
    private volatile Instant since = Instant.now();
    /** Consecutive openings without closing in between: the wait in OPEN grows with them when backoff is set. */
    private volatile int openings;

    BreakerStatus(CircuitBreaker breaker) {
        this.breaker = breaker;
        breaker.events().onStateTransition(this::onTransition).onReset(e -> onChange(e.creationTime(), 0));
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    private void onTransition(CircuitBreakerEvent.StateTransition t) {
        int n = openings;
        if (t.to() == CircuitBreakerState.OPEN) {
            n++;
        } else if (t.to() == CircuitBreakerState.CLOSED) {
            n = 0;
        }
        onChange(t.creationTime(), n);
    }

    private void onChange(Instant at, int openingsNow) {
        openings = openingsNow;
        since = at;
        emit(view());
    }

    private void emit(View v) {
        synchronized (changes) {
            // transitions come from whichever thread recorded the call; a sink takes one emitter at a time
            changes.tryEmitNext(v);
        }
    }

    /** The breaker now. */
    View view() {
        CircuitBreakerMetrics m = breaker.metrics();
        CircuitBreakerState s = breaker.state();
        return new View(breaker.name(), s.name(), since.toEpochMilli(), retryAfterSeconds(), m.failureRate(),
                m.bufferedCalls(), m.failedCalls(), m.notPermittedCalls());
    }

    /**
     * The current view, then one per state change; never completes. A subscriber that is behind when a change comes
     * misses it (changes are rare; the next one carries the whole state).
     */
    Flux<View> changes() {
        // listening first, so a change while the current view is taken is not lost (at worst it is seen twice)
        return Flux.merge(changes.asFlux(), Mono.fromSupplier(this::view));
    }

    /**
     * Seconds until an OPEN breaker lets a probe through (at least 1); for FORCED_OPEN, which only a manual
     * transition leaves, the configured wait; 1 in HALF_OPEN (refused only while the probes are out); 0 otherwise.
     */
    long retryAfterSeconds() {
        CircuitBreakerState s = breaker.state();
        Duration wait = breaker.config().waitDurationInOpenState(Math.max(1, openings));
        if (s == CircuitBreakerState.OPEN) {
            Duration left = wait.minus(Duration.between(since, Instant.now()));
            return Math.max(1, ceilSeconds(left));
        }
        if (s == CircuitBreakerState.FORCED_OPEN) {
            return Math.max(1, ceilSeconds(wait));
        }
        // HALF_OPEN refuses only while its probes are out; their answer is due any moment
        return s == CircuitBreakerState.HALF_OPEN ? 1 : 0;
    }

    private static long ceilSeconds(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return 0;
        }
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }
}
