package io.fluxgate.breaker;

/**
 * A manual transition that Resilience4j refuses was asked for: CLOSED to HALF_OPEN, METRICS_ONLY to OPEN or
 * METRICS_ONLY to HALF_OPEN (Resilience4j's {@code IllegalStateTransitionException}). The state is unchanged.
 * HALF_OPEN is only reached through OPEN (or from FORCED_OPEN and DISABLED), and METRICS_ONLY never opens: it must
 * be left through CLOSED, FORCED_OPEN or DISABLED.
 */
public final class IllegalStateTransitionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The breaker's name, as in {@link #circuitBreakerName()}. */
    private final String circuitBreakerName;
    /** As in {@link #fromState()}. */
    private final CircuitBreakerState fromState;
    /** As in {@link #toState()}. */
    private final CircuitBreakerState toState;

    /**
     * Public for parity with Resilience4j's exception, so that code adapting it can rethrow ours.
     *
     * @param circuitBreakerName the breaker's name, put in the message
     * @param fromState the state the breaker is in and stays in
     * @param toState the state that was asked for and refused
     */
    public IllegalStateTransitionException(String circuitBreakerName, CircuitBreakerState fromState,
                                           CircuitBreakerState toState) {
        super("CircuitBreaker '" + circuitBreakerName + "' tried an illegal state transition from " + fromState
                + " to " + toState);
        this.circuitBreakerName = circuitBreakerName;
        this.fromState = fromState;
        this.toState = toState;
    }

    /**
     * The name of the breaker whose transition was refused.
     *
     * @return the breaker's name
     */
    public String circuitBreakerName() {
        return circuitBreakerName;
    }

    /**
     * The state the breaker is (still) in.
     *
     * @return the unchanged current state
     */
    public CircuitBreakerState fromState() {
        return fromState;
    }

    /**
     * The state that was refused.
     *
     * @return the requested target state
     */
    public CircuitBreakerState toState() {
        return toState;
    }
}
