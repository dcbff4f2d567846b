package io.fluxgate.breaker;

/** A call was not made because its circuit breaker was OPEN, FORCED_OPEN, or HALF_OPEN without free probes. */
public final class CallNotPermittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String circuitBreakerName;
    private final CircuitBreakerState state;

    public CallNotPermittedException(String circuitBreakerName, CircuitBreakerState state, boolean writableStackTrace) {
        super("CircuitBreaker '" + circuitBreakerName + "' is " + state + " and does not permit further calls",
                null, false, writableStackTrace);
        this.circuitBreakerName = circuitBreakerName;
        this.state = state;
    }

    public String circuitBreakerName() {
        return circuitBreakerName;
    }

    /** The state that refused the call. */
    public CircuitBreakerState state() {
        return state;
    }
}
