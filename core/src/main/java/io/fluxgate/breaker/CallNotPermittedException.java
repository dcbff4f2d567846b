package io.fluxgate.breaker;

/** A call was not made because its circuit breaker was OPEN, FORCED_OPEN, or HALF_OPEN without free probes. */
public final class CallNotPermittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The breaker's name, as in {@link #circuitBreakerName()}. */
    private final String circuitBreakerName;
    /** The refusing state, as in {@link #state()}. */
    private final CircuitBreakerState state;

    /**
     * Public so that code adapting other breakers (or tests) can signal the same refusal.
     *
     * @param circuitBreakerName the refusing breaker's name, put in the message
     * @param state the state that refused the call
     * @param writableStackTrace whether to fill in the stack trace; off saves its cost when an open breaker
     *     refuses at a high rate ({@link CircuitBreakerConfig#writableStackTraceEnabled()})
     */
    public CallNotPermittedException(String circuitBreakerName, CircuitBreakerState state, boolean writableStackTrace) {
        super("CircuitBreaker '" + circuitBreakerName + "' is " + state + " and does not permit further calls",
                null, false, writableStackTrace);
        this.circuitBreakerName = circuitBreakerName;
        this.state = state;
    }

    /**
     * The name of the breaker that refused the call.
     *
     * @return the breaker's name
     */
    public String circuitBreakerName() {
        return circuitBreakerName;
    }

    /**
     * The state that refused the call.
     *
     * @return OPEN, FORCED_OPEN or HALF_OPEN (no probe permits left)
     */
    public CircuitBreakerState state() {
        return state;
    }
}
