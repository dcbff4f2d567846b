package io.fluxgate.examples;

import java.time.Duration;
import reactor.netty.tcp.TcpResources;

/**
 * The end of the database driver's event-loop threads (reactor-netty's shared TCP loops, which r2dbc-postgresql's
 * connections run on), for the examples' {@code main} methods just before {@code System.exit}.
 *
 * <p>Why: each of those threads sits in a native {@code epoll_wait} while idle, and a HotSpot (17) JVM that exits with
 * any thread in native code waits for it to come back, 10 ms at a time, for up to 300 ms: that wait was the ~0.3 s
 * between the summary and the end of every {@code bin/ingest} and {@code bin/unique-users --postgres} run. Call it
 * once every pool is disposed and every connection closed: there is nothing left to send, so no quiet period is
 * waited for. A later connection in the same JVM (a test's next run) gets new loops.
 */
public final class DriverEventLoops {

    /** How long {@link #stop()} waits for the loops to end. */
    public static final Duration STOP_WAIT = Duration.ofSeconds(1);

    private DriverEventLoops() {
    }

    /** Ends the loops and waits for them, up to {@link #STOP_WAIT}. Never throws: at worst the JVM waits as before. */
    public static void stop() {
        try {
            TcpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, Duration.ZERO).block(STOP_WAIT);
        } catch (RuntimeException e) {
            // exiting anyway
        }
    }
}
