package io.fluxgate.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private static final String LOOP_THREAD_PREFIX = "reactor-tcp-";

    private DriverEventLoops() {
    }

    /**
     * Ends the loops and waits for their threads to end, up to {@link #STOP_WAIT} in all. Never throws: at worst the
     * JVM waits as before.
     */
    public static void stop() {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        List<Thread> loops = loopThreads();
        try {
            // no quiet period: nothing is left to send. The timeout is how long the dispose may take, not a delay
            // (at zero it fails at once, before any loop has ended)
            TcpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, STOP_WAIT).block(STOP_WAIT);
        } catch (RuntimeException e) {
            // exiting anyway; what ended is still joined below
        }
        // the dispose completes with each loop's termination future, which the loop's own thread completes (and then
        // notifies its listeners, a native unpark) just before it ends: join, so that none is still running
        try {
            for (Thread loop : loops) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                loop.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The live threads of reactor-netty's shared TCP loops (named {@code reactor-tcp-<transport>-<n>}). */
    private static List<Thread> loopThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 16];
        int n = root.enumerate(all, true);
        List<Thread> loops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (all[i].getName().startsWith(LOOP_THREAD_PREFIX)) {
                loops.add(all[i]);
            }
        }
        return loops;
    }
}
