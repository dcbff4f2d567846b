package io.fluxgate.breaker;

/**
 * A snapshot of a breaker's current sliding window (Resilience4j's {@code CircuitBreaker.Metrics}), plus the
 * calls in flight. Rates are percentages, or -1 while fewer than {@code minimumNumberOfCalls} are buffered.
 *
 * @param bufferedCalls      calls in the window
 * @param failedCalls        failed calls in the window
 * @param slowCalls          slow calls in the window (successful or failed)
 * @param slowFailedCalls    slow failed calls in the window
 * @param failureRate        failed / buffered in percent, or -1
 * @param slowCallRate       slow / buffered in percent, or -1
 * @param notPermittedCalls  calls refused since the breaker was built (not reset by transitions)
 * @param inFlightCalls      asynchronous calls currently running
 * @param slowInFlightCalls  of those, the ones already older than the slow-call threshold
 */
public record CircuitBreakerMetrics(int bufferedCalls, int failedCalls, int slowCalls, int slowFailedCalls,
                                    float failureRate, float slowCallRate, long notPermittedCalls,
                                    int inFlightCalls, int slowInFlightCalls) {

    /**
     * Calls in the window that did not fail (slow ones included).
     *
     * @return {@code bufferedCalls - failedCalls}
     */
    public int successfulCalls() {
        return bufferedCalls - failedCalls;
    }

    /**
     * Slow calls in the window that did not fail.
     *
     * @return {@code slowCalls - slowFailedCalls}
     */
    public int slowSuccessfulCalls() {
        return slowCalls - slowFailedCalls;
    }
}
