package io.fluxgate.control;

/**
 * An adaptive limit: a number (a batch size, a concurrency) tuned from measured samples of the work it governs.
 *
 * <p>The contract is shared by the adaptive batching operator ({@code io.fluxgate.batch.AdaptiveBatch.into}, where
 * the limit is the target batch size and {@code load} the size of a batch) and by adaptive concurrency limiters
 * (where the limit is the number of calls in flight and {@code load} the in-flight count when a call started).
 *
 * <p>Implementations are plain single-threaded state machines with an injected clock where they need time: the
 * operators serialise {@link #onSample} calls, and {@link #limit()} may be read from any thread (implementations
 * publish it through a volatile field). They are deterministic functions of their samples and clock, so they are
 * unit-tested without timers.
 */
public interface LimitController {

    /** @return the current limit, always between the controller's minimum and maximum, at least 1 */
    int limit();

    /**
     * Feeds one measurement.
     *
     * @param latencyNanos how long the unit of work took (a batch sink call, a request), {@code >= 0}
     * @param load         how much work the sample carried: the batch size, or the in-flight count at its start
     * @param dropped      whether the work failed or was rejected in a way that signals overload (a timeout,
     *                     a 429); controllers treat it as a congestion signal regardless of latency
     */
    void onSample(long latencyNanos, int load, boolean dropped);

    /** @return the smallest limit this controller will set */
    int minLimit();

    /** @return the largest limit this controller will set */
    int maxLimit();
}
