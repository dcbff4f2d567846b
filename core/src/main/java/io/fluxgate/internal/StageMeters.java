package io.fluxgate.internal;

import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The meters of one named stage, in JDK types only so an operator without a registry never loads a Micrometer
 * class (Micrometer is optional in core). {@link #NONE} records nothing; {@link MicrometerStageMeters} records into
 * a registry under the one naming scheme of every operator:
 * {@code fluxgate.<operator>.<measure>}, tagged {@code name=<stage name>}; counts are counters, durations are
 * timers (recorded in nanoseconds, exported in the registry's base unit, seconds for Prometheus), levels are gauges.
 * Internal: not part of the API.
 */
public interface StageMeters {

    /** Records nothing. */
    StageMeters NONE = new StageMeters() {
        @Override
        public Runnable counter(String measure, String description) {
            return () -> { };
        }

        @Override
        public LongConsumer timer(String measure, String description) {
            return nanos -> { };
        }

        @Override
        public LongConsumer amount(String measure, String description) {
            return n -> { };
        }

        @Override
        public void gauge(String measure, String description, Supplier<? extends Number> value) {
        }
    };

    /**
     * @param measure     the last part of the meter name, e.g. {@code retries}
     * @param description what it counts
     * @return increments the counter by one
     */
    Runnable counter(String measure, String description);

    /**
     * @param measure     the last part of the meter name
     * @param description what it counts
     * @return adds an amount to the counter
     */
    LongConsumer amount(String measure, String description);

    /**
     * @param measure     the last part of the meter name
     * @param description what it times
     * @return records one duration in nanoseconds
     */
    LongConsumer timer(String measure, String description);

    /**
     * Registers a gauge read from {@code value} (held strongly, so it lives as long as the registry).
     *
     * @param measure     the last part of the meter name
     * @param description what it shows
     * @param value       the current level
     */
    void gauge(String measure, String description, Supplier<? extends Number> value);
}
