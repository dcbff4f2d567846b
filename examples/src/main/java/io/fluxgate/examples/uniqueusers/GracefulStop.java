package io.fluxgate.examples.uniqueusers;

import java.io.PrintWriter;
import java.time.Duration;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A request to stop the app gracefully: SIGTERM (what {@code kill}, systemd, Docker and Kubernetes send) or SIGINT
 * (Ctrl-C). The first signal stops the run: the load or the pipeline stops reading, open windows are abandoned
 * (a restart with the same group id rebuilds them from the committed position), the windows already emitted are
 * written and committed, the summary is printed and the app exits with code 0. If that takes longer than the bound,
 * or on a second signal, the app halts at once with code {@value #FORCED_EXIT} (what a JVM killed by SIGTERM
 * returns); nothing is lost then either, a restart replays from the last commit.
 *
 * <p>The handlers replace the JVM's own for these signals (which would start the shutdown at once), so they are
 * installed by {@code main} only, never by the in-process {@code run} that tests call.
 */
final class GracefulStop {

    /** Longest a graceful stop may take before the app halts. */
    static final Duration DEFAULT_BOUND = Duration.ofSeconds(15);
    /** Exit code when the graceful stop did not finish in time, or a second signal came. */
    static final int FORCED_EXIT = 143;

    private final Sinks.Empty<Void> requested = Sinks.empty();
    private volatile String reason;

    /** A stop that is only ever requested through {@link #request(String)} (in-process runs, tests). */
    static GracefulStop none() {
        return new GracefulStop();
    }

    /**
     * Handles SIGTERM and SIGINT: the first requests the stop and arms a watchdog halting the JVM after
     * {@code bound}; a second halts at once. Signals this JVM cannot handle are left to the JVM.
     */
    @SuppressWarnings("restriction")
    static GracefulStop onSignals(PrintWriter err, Duration bound) {
        GracefulStop stop = new GracefulStop();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.onSignal("SIG" + name, err, bound));
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                // not available here (another OS, a restricted JVM): the JVM's default applies
            }
        }
        return stop;
    }

    private synchronized void onSignal(String signal, PrintWriter err, Duration bound) {
        if (reason != null) {
            err.println("unique-users: " + signal + " again: exiting now, without the final commit (a restart"
                    + " resumes from the last one)");
            err.flush();
            Runtime.getRuntime().halt(FORCED_EXIT);
        }
        err.println("unique-users: " + signal + ": stopping (at most " + bound.toSeconds() + " s): writing and"
                + " committing the windows already emitted");
        err.flush();
        request(signal);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(bound.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            err.println("unique-users: did not stop within " + bound.toSeconds() + " s: exiting without the final"
                    + " commit (a restart resumes from the last one)");
            err.flush();
            Runtime.getRuntime().halt(FORCED_EXIT);
        }, "graceful-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Requests the stop; {@code why} is named in the summary. Later requests change nothing. */
    void request(String why) {
        synchronized (this) {
            if (reason == null) {
                reason = why;
            }
        }
        requested.tryEmitEmpty();
    }

    /** Whether a stop was requested. */
    boolean requested() {
        return reason != null;
    }

    /** What requested the stop ({@code SIGTERM}, ...), or {@code null}. */
    String reason() {
        return reason;
    }

    /** Completes when the stop is requested. */
    Mono<Void> signal() {
        return requested.asMono();
    }
}
