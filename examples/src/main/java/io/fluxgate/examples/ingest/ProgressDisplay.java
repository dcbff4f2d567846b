package io.fluxgate.examples.ingest;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

import io.fluxgate.progress.ProgressListener;
import io.fluxgate.progress.ProgressSnapshot;

/**
 * Shows the core {@code Progress} stage's snapshots on stderr: a bar redrawn in place on a terminal, or, when
 * stderr is a file or a pipe, one line per tenth of the input and at least every 10 seconds. The snapshot counts
 * chunks of input (see {@link Chunk}), so its fraction and ETA are by bytes read; rows and rows/s come from the
 * run's counters. Notes (a failed file, ignored columns) interrupt the bar and are printed in every mode.
 */
final class ProgressDisplay implements ProgressListener {

    /** How progress is shown. */
    enum Mode { BAR, LINES, NONE }

    private static final int WIDTH = 24;
    private static final long LINE_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    private final Mode mode;
    private final PrintWriter err;
    private final long totalBytes;
    private final LongSupplier rowsParsed;
    private final LongSupplier bytesRead;
    private boolean drawn;
    private int lastTenth = -1;
    private long lastLineAt = Long.MIN_VALUE / 2;
    private long lastRows;
    private long lastElapsed;

    /** One bar for the whole run: {@code rowsParsed} and {@code bytesRead} are summed over its tables. */
    ProgressDisplay(Mode mode, PrintWriter err, long totalBytes, LongSupplier rowsParsed, LongSupplier bytesRead) {
        this.mode = mode;
        this.err = err;
        this.totalBytes = totalBytes;
        this.rowsParsed = rowsParsed;
        this.bytesRead = bytesRead;
    }

    /** How often the progress stage should report. */
    Duration interval() {
        return mode == Mode.BAR ? Duration.ofMillis(250) : Duration.ofSeconds(1);
    }

    @Override
    public synchronized void onProgress(ProgressSnapshot s) {
        if (mode == Mode.NONE) {
            return;
        }
        long rows = rowsParsed.getAsLong();
        long elapsed = s.elapsed().toNanos();
        double rate = s.state().isTerminal() || elapsed <= lastElapsed
                ? rows * 1e9 / Math.max(1, elapsed)
                : (rows - lastRows) * 1e9 / (elapsed - lastElapsed);
        lastRows = rows;
        lastElapsed = elapsed;
        String line = render(s, rows, rate);
        if (mode == Mode.BAR) {
            err.print('\r' + line + "\u001b[K");
            drawn = true;
            if (s.state().isTerminal()) {
                err.println();
                drawn = false;
            }
        } else {
            int tenth = (int) (s.fraction().orElse(0) * 10);
            if (tenth != lastTenth || elapsed - lastLineAt >= LINE_EVERY_NANOS || s.state().isTerminal()) {
                lastTenth = tenth;
                lastLineAt = elapsed;
                err.println(line);
            }
        }
        err.flush();
    }

    /** Prints a line of its own, above the bar. */
    synchronized void note(String text) {
        if (drawn) {
            err.print("\r\u001b[K");
            drawn = false;
        }
        err.println("ingest: " + text);
        err.flush();
    }

    String render(ProgressSnapshot s, long rows, double rowsPerSecond) {
        StringBuilder sb = new StringBuilder(100).append("ingest ");
        double fraction = s.fraction().orElse(0);
        int filled = (int) Math.round(fraction * WIDTH);
        sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append(']');
        sb.append(String.format(Locale.ROOT, " %3d%%  %s/%s  %,d rows  %,.0f rows/s", (int) (fraction * 100),
                megabytes(Math.min(bytesRead.getAsLong(), totalBytes)), megabytes(totalBytes), rows, rowsPerSecond));
        if (s.state().isTerminal()) {
            sb.append("  ").append(s.state().name().toLowerCase(Locale.ROOT));
        } else {
            s.eta().ifPresent(eta -> sb.append("  ETA ").append(IngestSummary.duration(eta)));
        }
        return sb.toString();
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
