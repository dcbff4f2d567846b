package io.fluxgate.outcome;

import org.jspecify.annotations.Nullable;

/**
 * Pure bookkeeping of an error budget: consecutive failures and the failure count over a sliding window of the
 * last {@code window} outcomes (a ring buffer of flags, O(1) per outcome, fixed memory).
 */
final class ErrorBudgetTracker {

    private final int maxConsecutive;
    private final double maxRatePercent;
    private final int minimumOutcomes;
    private final boolean[] ring;
    private int next;
    private int size;
    private int failuresInWindow;
    private long consecutive;

    /**
     * @param maxConsecutive  failures in a row tolerated; {@code <0} disables the check
     * @param maxRatePercent  failure percentage tolerated over the window; {@code <0} disables the check
     * @param window          size of the sliding window (>= 1)
     * @param minimumOutcomes outcomes needed in the window before the rate is judged
     */
    ErrorBudgetTracker(int maxConsecutive, double maxRatePercent, int window, int minimumOutcomes) {
        this.maxConsecutive = maxConsecutive;
        this.maxRatePercent = maxRatePercent;
        this.minimumOutcomes = minimumOutcomes;
        this.ring = new boolean[window];
    }

    /** Records an outcome; returns a description of the violated limit, or {@code null} while within budget. */
    @Nullable String record(boolean failed) {
        if (size == ring.length) {
            if (ring[next]) {
                failuresInWindow--;
            }
        } else {
            size++;
        }
        ring[next] = failed;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (failed) {
            failuresInWindow++;
            consecutive++;
        } else {
            consecutive = 0;
        }
        if (!failed) {
            return null;
        }
        if (maxConsecutive >= 0 && consecutive > maxConsecutive) {
            return consecutive + " failures in a row (limit " + maxConsecutive + ")";
        }
        if (maxRatePercent >= 0 && size >= minimumOutcomes && failuresInWindow * 100.0 / size > maxRatePercent) {
            return String.format("%d of the last %d outcomes failed (%.1f%%, limit %s%%)", failuresInWindow, size,
                    failuresInWindow * 100.0 / size, maxRatePercent);
        }
        return null;
    }

    long consecutive() {
        return consecutive;
    }

    int failuresInWindow() {
        return failuresInWindow;
    }

    int size() {
        return size;
    }
}
