package io.fluxgate.kafka;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.Objects;

import io.fluxgate.internal.Checks;

/**
 * What {@link KafkaSink} does with an element the producer could not write (after the producer's own retries,
 * within {@code delivery.timeout.ms}). Errors that cannot succeed on retry (record too large, serialization,
 * authorization) are never retried.
 *
 * @param retries         extra attempts after the first failure, 0 for none
 * @param backoff         first back-off between attempts (exponential, with jitter)
 * @param deadLetterTopic topic for elements that still fail, or null to fail the stream
 */
public record SinkErrorPolicy(int retries, Duration backoff, @Nullable String deadLetterTopic) {

    /**
     * @param retries extra attempts after the first failure, zero or more
     * @param backoff first back-off between attempts, zero or positive
     * @param deadLetterTopic topic for elements that still fail, not blank, or {@code null} to fail the stream
     * @throws NullPointerException     if {@code backoff} is null
     * @throws IllegalArgumentException if {@code retries < 0}, {@code backoff} is negative or
     *                                  {@code deadLetterTopic} is blank
     */
    public SinkErrorPolicy {
        Checks.atLeast("retries", retries, 0);
        Checks.requireNonNegative("backoff", backoff);
        if (deadLetterTopic != null) {
            Checks.notBlank("deadLetterTopic", deadLetterTopic);
        }
    }

    /**
     * Fail the stream with a {@link KafkaSinkException} on the first failed element (the default).
     *
     * @return the failing policy
     */
    public static SinkErrorPolicy fail() {
        return new SinkErrorPolicy(0, Duration.ZERO, null);
    }

    /**
     * Retry a failed element up to {@code retries} times with exponential back-off, then fail the stream.
     *
     * @param retries extra attempts after the first failure, zero or more
     * @param backoff first back-off between attempts, zero or positive
     * @return the policy
     */
    public static SinkErrorPolicy retry(int retries, Duration backoff) {
        return new SinkErrorPolicy(retries, backoff, null);
    }

    /**
     * Write a failed element to {@code topic} (same key and value, origin and reason in headers) and go on.
     *
     * @param topic the dead-letter topic, not blank
     * @return the policy
     */
    public static SinkErrorPolicy deadLetter(String topic) {
        return new SinkErrorPolicy(0, Duration.ZERO, Objects.requireNonNull(topic, "topic"));
    }

    /**
     * This policy with retries before dead-lettering or failing.
     *
     * @param retries extra attempts after the first failure, zero or more
     * @param backoff first back-off between attempts, zero or positive
     * @return a copy of this policy with the retries
     */
    public SinkErrorPolicy withRetries(int retries, Duration backoff) {
        return new SinkErrorPolicy(retries, backoff, deadLetterTopic);
    }
}
