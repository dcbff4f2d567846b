package io.fluxgate.ratelimit;

import java.time.Duration;

/**
 * Signalled by a {@link RateLimit} stage when an element finds no permit within the stage's
 * {@link RateLimit.Builder#maxWait(Duration) maxWait}: at once for an enforcing stage (zero wait by default), or
 * when a shaping stage with a bounded wait would have to wait longer. The element took no permit. The message names
 * the stage, the limiter's rate and the element.
 */
public class RateLimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The stage name, as in {@link #stage()}. */
    private final String stage;

    RateLimitExceededException(String stage, Object limiter, Object element) {
        super("rate limit of stage '" + stage + "' exceeded (" + limiter + ") by element " + element);
        this.stage = stage;
    }

    /**
     * The name of the rate-limit stage that refused the element, to tell the stages of one pipeline (or the streams
     * sharing one limiter) apart.
     *
     * @return the stage name ({@link RateLimit.Builder#name(String)}), never blank
     */
    public String stage() {
        return stage;
    }
}
