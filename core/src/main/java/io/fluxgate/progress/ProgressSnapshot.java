package io.fluxgate.progress;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * An immutable picture of a stream's progress at one instant.
 *
 * @param name                 the stage name given to the builder
 * @param state                {@link State#RUNNING} for periodic reports; a terminal state in the final one
 * @param count                elements that have passed the stage so far
 * @param total                the expected number of elements, or {@code -1} when unknown
 * @param elapsed              time since subscription, measured on the stage's scheduler clock
 * @param ratePerSecond        elements per second over the last reporting interval (the "current speed")
 * @param averageRatePerSecond elements per second since subscription
 */
public record ProgressSnapshot(
        String name,
        State state,
        long count,
        long total,
        Duration elapsed,
        double ratePerSecond,
        double averageRatePerSecond) {

    /** Lifecycle of the observed subscription. */
    public enum State {
        /** The stream is still running; a periodic report. */
        RUNNING,
        /** The stream completed normally. */
        COMPLETED,
        /** The stream terminated with an error. */
        FAILED,
        /** The subscriber cancelled. */
        CANCELLED;

        /** {@return {@code true} for every state but {@link #RUNNING}} */
        public boolean isTerminal() {
            return this != RUNNING;
        }
    }

    /**
     * The expected total, when one was given to the builder.
     *
     * @return the total, or empty when unknown
     */
    public OptionalLong totalIfKnown() {
        return total < 0 ? OptionalLong.empty() : OptionalLong.of(total);
    }

    /**
     * {@code count / total} clamped to {@code [0, 1]}, when a total is known; {@code 1} for a total of zero.
     *
     * @return the fraction done, or empty when no total is known
     */
    public OptionalDouble fraction() {
        if (total < 0) {
            return OptionalDouble.empty();
        }
        if (total == 0) {
            return OptionalDouble.of(1.0);
        }
        return OptionalDouble.of(Math.min(1.0, (double) count / total));
    }

    /**
     * Estimated time to completion: remaining elements divided by the average rate since subscription (the average
     * is steadier than the interval rate, so the estimate does not jump around). Empty when no total is known or
     * nothing has passed yet; {@link Duration#ZERO} once the count reaches the total or the stream has ended.
     *
     * @return the estimate, or empty
     */
    public Optional<Duration> eta() {
        if (total < 0) {
            return Optional.empty();
        }
        long remaining = total - count;
        if (remaining <= 0 || state.isTerminal()) {
            return Optional.of(Duration.ZERO);
        }
        if (averageRatePerSecond <= 0) {
            return Optional.empty();
        }
        double seconds = remaining / averageRatePerSecond;
        if (seconds >= Long.MAX_VALUE / 1_000_000_000.0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos((long) (seconds * 1_000_000_000.0)));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(' ').append(state).append(' ').append(count);
        if (total >= 0) {
            sb.append('/').append(total);
        }
        sb.append(String.format(" %.1f/s (avg %.1f/s) elapsed %s", ratePerSecond, averageRatePerSecond, elapsed));
        eta().ifPresent(d -> sb.append(" eta ").append(d));
        return sb.toString();
    }
}
