package io.fluxgate.ratelimit;

/** Signalled by an enforcing {@link RateLimit} stage when an element arrives while no permit is available. */
public class RateLimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String stage;

    RateLimitExceededException(String stage, RateLimiter limiter, Object element) {
        super("rate limit of stage '" + stage + "' exceeded (" + limiter + ") by element " + element);
        this.stage = stage;
    }

    /** The name of the rate-limit stage. */
    public String stage() {
        return stage;
    }
}
