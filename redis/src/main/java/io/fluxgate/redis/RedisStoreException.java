package io.fluxgate.redis;

/**
 * Signalled by {@link RedisIdempotencyStore} and {@link RedisRateLimiter} when Redis did not answer within the
 * timeout or answered with an error, and the store is not configured to fail open. The cause is Lettuce's exception
 * or a {@link java.util.concurrent.TimeoutException}. The element it concerns was neither let through nor reported
 * as a duplicate.
 */
public class RedisStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A failure of a Redis store.
     *
     * @param message what was asked of which store
     * @param cause the error Redis or Lettuce reported, or the timeout
     */
    public RedisStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
