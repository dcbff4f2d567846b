package io.fluxgate.examples;

import java.time.Duration;

import io.r2dbc.pool.ConnectionPool;
import reactor.core.publisher.Mono;

/**
 * The end of the examples' connection pools, once their work is done.
 *
 * <p>Why not {@link ConnectionPool#dispose()}: it closes every idle connection and throws when one of those closes
 * fails, which is what a connection the server (or a network device) ended while it sat idle does. By then every
 * row is committed, so such a failure must not turn a finished run into a failed one: it is ignored here.
 */
public final class Pools {

    /** How long {@link #dispose} waits for the pool's connections to close. */
    public static final Duration DISPOSE_WAIT = Duration.ofSeconds(10);

    private Pools() {
    }

    /**
     * Closes the pool and its connections, waiting up to {@link #DISPOSE_WAIT}; never throws: a connection that
     * fails to close, or one still closing then, is left to the server, which ends it when its socket closes.
     *
     * @param pool the pool to close
     */
    public static void dispose(ConnectionPool pool) {
        pool.disposeLater()
                .timeout(DISPOSE_WAIT)
                .onErrorResume(e -> Mono.empty())
                .block();
    }
}
