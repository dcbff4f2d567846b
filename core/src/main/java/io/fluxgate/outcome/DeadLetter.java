package io.fluxgate.outcome;

import java.time.Instant;
import java.util.Objects;

/**
 * An element that could not be processed, with why, when and where.
 *
 * @param element   the input element
 * @param cause     the failure
 * @param timestamp when the failure was recorded
 * @param stage     the name of the stage that recorded it
 */
public record DeadLetter<T>(T element, Throwable cause, Instant timestamp, String stage) {
    public DeadLetter {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(stage, "stage");
    }
}
