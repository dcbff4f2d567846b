package io.fluxgate.outcome;

import java.time.Instant;
import java.util.Objects;

/**
 * An element that could not be processed, with why, when and where. Connectors put their context in the element
 * (a Kafka rejection's topic, partition, offset and raw bytes; a PostgreSQL row's column), so one
 * {@link DeadLetterSink} type serves every stage; see the package comment.
 *
 * @param element   the input element
 * @param cause     the failure; its message is the human-readable {@link #reason()}
 * @param timestamp when the failure was recorded
 * @param stage     the name of the stage that recorded it
 * @param <T>       the element type
 */
public record DeadLetter<T>(T element, Throwable cause, Instant timestamp, String stage) {
    /**
     * Checks that the letter says why, when and where: a letter without them cannot be triaged.
     *
     * @param element   the input element
     * @param cause     the failure
     * @param timestamp when the failure was recorded
     * @param stage     the name of the stage that recorded it
     *
     * @throws NullPointerException if {@code cause}, {@code timestamp} or {@code stage} is null
     */
    public DeadLetter {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(stage, "stage");
    }

    /**
     * Why the element was rejected, for people (logs, files, Kafka headers).
     *
     * @return the cause's message, or its class name when it has none
     */
    public String reason() {
        String message = cause.getMessage();
        return message != null ? message : cause.getClass().getName();
    }
}
