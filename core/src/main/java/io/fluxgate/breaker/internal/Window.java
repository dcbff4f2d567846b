package io.fluxgate.breaker.internal;

/**
 * A sliding window of call outcomes. An outcome is encoded as a packed delta ({@link #SUCCESS} ...) that adds 1 to
 * each counter it belongs to; {@link #record} returns a verdict so the caller needs no second read.
 */
abstract class Window {
    static final int BELOW_MINIMUM = 0;
    static final int HEALTHY = 1;
    static final int FAILURE_RATE_EXCEEDED = 2;
    static final int SLOW_CALL_RATE_EXCEEDED = 4;
    static final int EXCEEDED = FAILURE_RATE_EXCEEDED | SLOW_CALL_RATE_EXCEEDED;

    // 16-bit fields: total | failed << 16 | slow << 32 | slowFailed << 48
    static final long TOTAL = 1L;
    static final long FAILED = 1L << 16;
    static final long SLOW = 1L << 32;
    static final long SLOW_FAILED = 1L << 48;
    static final long SUCCESS = TOTAL;
    static final long FAILURE = TOTAL | FAILED;
    static final long SLOW_SUCCESS = TOTAL | SLOW;
    static final long SLOW_FAILURE = TOTAL | FAILED | SLOW | SLOW_FAILED;

    final int minimumNumberOfCalls;
    final float failureRateThreshold;
    final float slowCallRateThreshold;

    Window(int minimumNumberOfCalls, float failureRateThreshold, float slowCallRateThreshold) {
        this.minimumNumberOfCalls = minimumNumberOfCalls;
        this.failureRateThreshold = failureRateThreshold;
        this.slowCallRateThreshold = slowCallRateThreshold;
    }

    static long encode(boolean failed, boolean slow) {
        return failed ? (slow ? SLOW_FAILURE : FAILURE) : (slow ? SLOW_SUCCESS : SUCCESS);
    }

    /** Adds one outcome; returns the verdict over the window including it. */
    abstract int record(long outcome, long nowNanos);

    /** The counts {total, failed, slow, slowFailed} at {@code nowNanos}. */
    abstract long[] counts(long nowNanos);

    /** The verdict if {@code extraSlowCalls} more slow calls (in flight, not yet recorded) were in the window. */
    final int evaluate(long nowNanos, int extraSlowCalls) {
        long[] c = counts(nowNanos);
        return verdict(c[0] + extraSlowCalls, c[1], c[2] + extraSlowCalls);
    }

    final int verdict(long total, long failed, long slow) {
        if (total < minimumNumberOfCalls || total == 0) {
            return BELOW_MINIMUM;
        }
        int v = HEALTHY;
        if (failed * 100f / total >= failureRateThreshold) {
            v |= FAILURE_RATE_EXCEEDED;
        }
        if (slow * 100f / total >= slowCallRateThreshold) {
            v |= SLOW_CALL_RATE_EXCEEDED;
        }
        return v;
    }

    static float rate(long part, long total, int minimum) {
        return total < minimum || total == 0 ? -1f : part * 100f / total;
    }
}
