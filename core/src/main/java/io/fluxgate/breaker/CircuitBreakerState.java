package io.fluxgate.breaker;

/** The states of a {@link CircuitBreaker}, as in Resilience4j. */
public enum CircuitBreakerState {
    /** Calls pass; outcomes are recorded; the breaker opens when a rate reaches its threshold. */
    CLOSED(0, true),
    /** Calls are not permitted until the wait in OPEN is over. */
    OPEN(1, false),
    /** A limited number of probe calls pass; their outcome closes or re-opens the breaker. */
    HALF_OPEN(2, true),
    /** Calls pass; nothing is recorded; only a manual transition leaves it. */
    DISABLED(3, false),
    /** Calls are not permitted; only a manual transition leaves it. */
    FORCED_OPEN(4, false),
    /** Calls pass and are recorded, rate-exceeded events fire, the breaker never opens by itself. */
    METRICS_ONLY(5, true);

    private final int order;
    private final boolean recordsCalls;

    CircuitBreakerState(int order, boolean recordsCalls) {
        this.order = order;
        this.recordsCalls = recordsCalls;
    }

    /**
     * Resilience4j's numeric state code, as exported by its gauges, so existing dashboards read ours unchanged.
     *
     * @return 0 CLOSED, 1 OPEN, 2 HALF_OPEN, 3 DISABLED, 4 FORCED_OPEN, 5 METRICS_ONLY
     */
    public int order() {
        return order;
    }

    /**
     * Whether calls made in this state feed the sliding window.
     *
     * @return true for CLOSED, HALF_OPEN and METRICS_ONLY
     */
    public boolean recordsCalls() {
        return recordsCalls;
    }
}
