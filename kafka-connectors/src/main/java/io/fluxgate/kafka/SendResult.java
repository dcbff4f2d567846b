package io.fluxgate.kafka;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of writing one element with {@link KafkaSink}: the element itself (so that, e.g., the source record
 * it came from can be acknowledged) and where it was written.
 *
 * @param element   the element given to the sink
 * @param outcome   {@link Outcome#SENT} to its topic, or {@link Outcome#DEAD_LETTERED} to the dead-letter topic
 * @param topic     the topic written to
 * @param partition the partition written to
 * @param offset    the offset assigned by the broker
 * @param error     why the element was dead-lettered; null when sent
 * @param <T>       element type
 */
public record SendResult<T>(T element, Outcome outcome, String topic, int partition, long offset,
                            @Nullable Throwable error) {

    /** How an element was written. */
    public enum Outcome {
        /** Written to its topic. */
        SENT,
        /** Could not be written to its topic; written to the dead-letter topic instead. */
        DEAD_LETTERED
    }

    /**
     * Whether the element reached its own topic.
     *
     * @return {@code true} for {@link Outcome#SENT}
     */
    public boolean isSent() {
        return outcome == Outcome.SENT;
    }
}
