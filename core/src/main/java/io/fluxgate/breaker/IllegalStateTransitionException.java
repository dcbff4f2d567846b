package io.fluxgate.breaker;

/**
 * A manual transition that Resilience4j refuses was asked for: CLOSED to HALF_OPEN, METRICS_ONLY to OPEN or
 * METRICS_ONLY to HALF_OPEN (Resilience4j's {@code IllegalStateTransitionException}). The state is unchanged.
 * HALF_OPEN is only reached through OPEN (or from FORCED_OPEN and DISABLED), and METRICS_ONLY never opens: it must
 * be left through CLOSED, FORCED_OPEN or DISABLED.
 */
public final class IllegalStateTransitionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String circuitBreakerName;
    private final CircuitBreakerState fromState;
    private final CircuitBreakerState toState;

    public IllegalStateTransitionException(String circuitBreakerName, CircuitBreakerState fromState,
                                           CircuitBreakerState toState) {
        super("CircuitBreaker '" + circuitBreakerName + "' tried an illegal state transition from " + fromState
                + " to " + toState);
        this.circuitBreakerName = circuitBreakerName;
        this.fromState = fromState;
        this.toState = toState;
    }

    public String circuitBreakerName() {
        return circuitBreakerName;
    }

    /** The state the breaker is (still) in. */
    public CircuitBreakerState fromState() {
        return fromState;
    }

    /** The state that was refused. */
    public CircuitBreakerState toState() {
        return toState;
    }
}
