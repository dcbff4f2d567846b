package io.fluxgate.jdbc;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;
import java.io.IOException;
import java.util.Set;

/**
 * Which errors make a batch worth retrying: the ones where the same transaction can succeed next time. The
 * default {@code retryOn} predicate of {@link PostgresCopySink.Builder}.
 */
public final class TransientErrors {

    /**
     * SQLSTATEs worth a retry: serialization failure, deadlock, admin/crash shutdown, server starting up, too many
     * connections; and every connection exception (class 08).
     */
    public static final Set<String> SQL_STATES = Set.of("40001", "40P01", "57P01", "57P02", "57P03", "53300");

    private TransientErrors() {
    }

    /** r2dbc-pool's message when a pooled connection fails its check on checkout (e.g. the server ended it). */
    static final String POOL_VALIDATION_FAILED = "Connection validation failed";

    /**
     * True when {@code error} or one of its causes is a lost or refused connection (a pooled connection that fails
     * its validation on checkout included: the server or a network device ended it while it was idle, and the pool
     * opens a fresh one next time), or carries a SQLSTATE from {@link #SQL_STATES} or class 08. A SQLSTATE, when
     * present, decides on its own: a constraint violation is never retried, whatever exception class the driver
     * wraps it in.
     *
     * @param error a batch's failure, as the sink or a caller's own retry predicate receives it; its cause chain
     *     is followed (a cause that is its own cause ends the walk)
     * @return whether the same batch may succeed on another attempt
     */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof R2dbcException r && r.getSqlState() != null && !r.getSqlState().isEmpty()) {
                String state = r.getSqlState();
                return state.startsWith("08") || SQL_STATES.contains(state);
            }
            if (t instanceof R2dbcTransientException || t instanceof IOException) {
                return true;
            }
            // r2dbc-pool reports a dead idle connection as "non-transient", though a retry gets a fresh one
            if (t instanceof R2dbcNonTransientResourceException && POOL_VALIDATION_FAILED.equals(t.getMessage())) {
                return true;
            }
            // r2dbc-postgresql's "connection unexpectedly closed" (a package-private class, hence the name)
            if (t.getClass().getName().endsWith("PostgresConnectionClosedException")) {
                return true;
            }
        }
        return false;
    }
}
