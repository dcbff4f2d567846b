package io.fluxgate.jdbc.dedupe;

/**
 * Signalled by {@link PostgresIdempotencyStore} when PostgreSQL did not answer within the timeout (transient errors
 * retried until then) or answered with a non-transient error, and the store is not configured to fail open. The
 * cause is the driver's exception or a {@link java.util.concurrent.TimeoutException}. The elements concerned were
 * neither let through nor reported as duplicates.
 */
public class PostgresStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A failure of the PostgreSQL store.
     *
     * @param message what was asked of which table
     * @param cause the error the driver reported, or the timeout
     */
    public PostgresStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
