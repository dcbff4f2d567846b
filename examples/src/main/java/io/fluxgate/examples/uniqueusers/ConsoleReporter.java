package io.fluxgate.examples.uniqueusers;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import io.fluxgate.progress.Progress;
import io.fluxgate.progress.ProgressSnapshot;
import reactor.core.publisher.Flux;

/**
 * Draws the progress bar on stderr: redrawn in place on a terminal, one line per tenth of the work otherwise (so a
 * log file or a CI transcript is not flooded).
 */
final class ConsoleReporter {

    private static final int BAR_WIDTH = 30;
    private static final Duration REDRAW = Duration.ofMillis(200);

    private final boolean enabled;
    private final boolean terminal;
    private final PrintWriter err;
    private String phase = "";
    private int lastTenth = -1;
    private boolean drawn;

    ConsoleReporter(boolean enabled, PrintWriter err) {
        this(enabled, System.console() != null, err);
    }

    ConsoleReporter(boolean enabled, boolean terminal, PrintWriter err) {
        this.enabled = enabled;
        this.terminal = terminal;
        this.err = err;
    }

    /** Prints a line of its own (ending a bar in progress first). */
    synchronized void info(String line) {
        endBar();
        err.println(line);
        err.flush();
    }

    /**
     * Reports progress of a phase.
     *
     * @param total the amount of work when known, else a value {@code <= 0}
     * @param ratePerSecond the recent rate
     * @param eta the estimated time left, or {@code null} when unknown
     */
    synchronized void progress(String phase, long done, long total, double ratePerSecond, Duration eta) {
        if (!enabled) {
            return;
        }
        if (!phase.equals(this.phase)) {
            endBar();
            this.phase = phase;
            lastTenth = -1;
        }
        String line = render(phase, done, total, ratePerSecond, eta);
        if (terminal) {
            err.print('\r' + line + "\u001b[K");
            err.flush();
            drawn = true;
        } else {
            int tenth = total > 0 ? (int) Math.min(10, done * 10 / total) : (int) Math.min(Integer.MAX_VALUE, done / 100_000);
            if (tenth != lastTenth) {
                lastTenth = tenth;
                err.println(line);
                err.flush();
            }
        }
    }

    /** Draws a snapshot of a {@link Progress} stage: its count, total, average rate and ETA. */
    void progress(ProgressSnapshot s) {
        progress(s.name(), s.count(), s.total(), s.averageRatePerSecond(), s.eta().orElse(null));
    }

    /**
     * A {@link Progress} stage that draws this bar every 200 ms, counting {@code weigher} per element (null: 1), or
     * no stage at all when the bar is off.
     *
     * @param total the amount of work when known, else a value {@code < 0}
     */
    <T> Function<Flux<T>, Flux<T>> stage(String phase, long total, ToLongFunction<? super T> weigher) {
        if (!enabled) {
            return Function.identity();
        }
        Progress.Builder b = Progress.builder().name(phase).interval(REDRAW).listener(this::progress);
        if (total >= 0) {
            b.total(total);
        }
        return weigher == null ? b.build() : b.build(weigher);
    }

    synchronized void endBar() {
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }

    static String render(String phase, long done, long total, double ratePerSecond, Duration eta) {
        StringBuilder sb = new StringBuilder(96);
        sb.append(String.format(Locale.ROOT, "%-9s", phase));
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            sb.append(" [").append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
            sb.append(String.format(Locale.ROOT, "%3d%% %,d/%,d", (int) (fraction * 100), done, total));
        } else {
            sb.append(String.format(Locale.ROOT, " %,d", done));
        }
        sb.append(String.format(Locale.ROOT, "  %,.0f/s", ratePerSecond));
        if (eta != null && total > 0 && done < total) {
            sb.append("  ETA ").append(formatDuration(eta));
        }
        return sb.toString();
    }

    static String formatDuration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
