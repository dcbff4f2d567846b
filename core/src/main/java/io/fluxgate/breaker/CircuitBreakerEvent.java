package io.fluxgate.breaker;

import java.time.Duration;
import java.time.Instant;

/**
 * Typed events of a {@link CircuitBreaker}, registered for with {@link CircuitBreaker#events()}. An event object
 * is only built when a listener for its type is registered.
 */
public sealed interface CircuitBreakerEvent {

    /**
     * The breaker that published the event, so one listener can serve several breakers.
     *
     * @return the breaker's name
     */
    String circuitBreakerName();

    /**
     * When the event was built, from the wall clock (the breaker's own clock measures only durations).
     *
     * @return the creation instant
     */
    Instant creationTime();

    /** A call completed (or a Mono call emitted its value) and was recorded as a success. */
    record Success(String circuitBreakerName, Instant creationTime, Duration elapsed) implements CircuitBreakerEvent {
    }

    /** A call failed with an exception that the config records. */
    record Error(String circuitBreakerName, Instant creationTime, Duration elapsed, Throwable error)
            implements CircuitBreakerEvent {
    }

    /** A call failed with an exception that the config ignores; it counts in no rate. */
    record IgnoredError(String circuitBreakerName, Instant creationTime, Duration elapsed, Throwable error)
            implements CircuitBreakerEvent {
    }

    /** A call was cancelled before it finished and before it became slow; its permission was released. */
    record Released(String circuitBreakerName, Instant creationTime, Duration elapsed) implements CircuitBreakerEvent {
    }

    /** A call was refused. */
    record CallNotPermitted(String circuitBreakerName, Instant creationTime, CircuitBreakerState state)
            implements CircuitBreakerEvent {
    }

    /** The state changed (by the rates, by time or manually). */
    record StateTransition(String circuitBreakerName, Instant creationTime, CircuitBreakerState from,
                           CircuitBreakerState to) implements CircuitBreakerEvent {
    }

    /** The failure rate reached its threshold ({@code rate} in percent). */
    record FailureRateExceeded(String circuitBreakerName, Instant creationTime, float rate)
            implements CircuitBreakerEvent {
    }

    /** The slow-call rate (in-flight slow calls included) reached its threshold. */
    record SlowCallRateExceeded(String circuitBreakerName, Instant creationTime, float rate)
            implements CircuitBreakerEvent {
    }

    /** {@link CircuitBreaker#reset()} was called. */
    record Reset(String circuitBreakerName, Instant creationTime) implements CircuitBreakerEvent {
    }
}
