package io.fluxgate.examples.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a run did, printed at its end.
 *
 * <p>Times: {@code scan} and {@code catalog} are wall time before the load starts. During the load, parsing and
 * writing overlap (parse threads fill the next batches while earlier ones are being copied), so their times are
 * busy times, summed over the threads or batches doing them: {@code parse} is the time the parse threads spent
 * reading and converting (it can exceed the load's wall time with several threads), {@code write} the time from
 * handing a batch to the sink to its commit, summed over batches (several are written at once). {@code load} is
 * the wall time of the load as a whole; rows/s is rows parsed per second of it.
 */
record IngestSummary(
        String table,
        long filesOk,
        long filesFailed,
        List<String> unmatchedPatterns,
        long rowsParsed,
        long rowsWritten,
        long rowsSkipped,
        long rowsRejected,
        long blankLines,
        boolean idempotent,
        boolean upsert,
        String errorFile,
        long batches,
        long splits,
        long keyLookups,
        long retries,
        int parseThreads,
        int writers,
        Duration scan,
        Duration catalog,
        Duration parseBusy,
        Duration writeBusy,
        Duration load,
        Duration elapsed,
        long peakRowsHeld,
        String failure,
        PostLoad.Outcome postLoad) {

    /** Exit code: everything loaded. */
    static final int OK = 0;
    /** Exit code: the run could not finish (database, table, error file). */
    static final int FAILED = 1;
    /** Exit code: bad flags. */
    static final int USAGE = 2;
    /** Exit code: every file was read, but some rows were rejected. */
    static final int ROWS_REJECTED = 3;
    /** Exit code: a file failed or a pattern matched nothing (rows may have been rejected too). */
    static final int FILES_FAILED = 4;

    int exitCode() {
        if (failure != null || postLoad != null && postLoad.failed()) {
            return FAILED;
        }
        if (filesFailed > 0 || !unmatchedPatterns.isEmpty()) {
            return FILES_FAILED;
        }
        return rowsRejected > 0 ? ROWS_REJECTED : OK;
    }

    double rowsPerSecond() {
        double s = load.toNanos() / 1e9;
        return s <= 0 ? 0 : rowsParsed / s;
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("ingest summary: ").append(table).append('\n');
        body(sb, false);
        return sb.toString();
    }

    /**
     * The summary's lines; {@code partOfRun}: one table of a {@code --config} run, whose shared figures (rows/s,
     * scan, load and elapsed wall time, a failure of the run) are in the run's totals instead.
     */
    void body(StringBuilder sb, boolean partOfRun) {
        line(sb, "files", String.format(Locale.ROOT, "%,d ok, %,d failed", filesOk, filesFailed));
        if (!unmatchedPatterns.isEmpty()) {
            line(sb, "patterns", unmatchedPatterns.size() + " matched nothing: " + String.join(" ", unmatchedPatterns));
        }
        line(sb, "rows parsed", count(rowsParsed) + (blankLines > 0 ? " (" + count(blankLines) + " blank lines skipped)" : ""));
        line(sb, upsert ? "rows upserted" : "rows inserted", count(rowsWritten));
        if (idempotent) {
            line(sb, "rows skipped", count(rowsSkipped) + (upsert ? " (same key twice in a batch: the last one wins)"
                    : " (key already in the table)"));
        }
        line(sb, "rows rejected", count(rowsRejected) + (rowsRejected > 0 || filesFailed > 0
                ? " (listed in " + errorFile + ")" : ""));
        if (!partOfRun) {
            line(sb, "rows/s", String.format(Locale.ROOT, "%,.0f", rowsPerSecond()));
            line(sb, "scan", duration(scan) + " (expanding the patterns)");
        }
        line(sb, "catalog", duration(catalog) + " (reading the table's columns)");
        line(sb, "parse+validate", duration(parseBusy) + " busy, summed over " + parseThreads + " parse thread"
                + (parseThreads == 1 ? "" : "s"));
        line(sb, "write", duration(writeBusy) + " busy, summed over " + count(batches) + " COPY batch"
                + (batches == 1 ? "" : "es") + " (up to " + writers + " at once)"
                + (keyLookups > 0 ? ", " + count(keyLookups) + " key lookup" + (keyLookups == 1 ? "" : "s")
                        + " to find duplicates" : "")
                + (splits > 0 ? ", " + count(splits) + " split to isolate refused rows" : "")
                + (retries > 0 ? ", " + count(retries) + " retried" : ""));
        if (postLoad != null) {
            postLoad(sb, postLoad);
        }
        if (!partOfRun) {
            line(sb, "load", duration(load) + " wall (parsing and writing overlap)");
            line(sb, "elapsed", duration(elapsed));
            if (failure != null) {
                line(sb, "FAILED", failure);
            }
        }
    }

    /** Notices shown per script; the rest are counted. */
    static final int MAX_NOTICES = 20;

    static void postLoad(StringBuilder sb, PostLoad.Outcome outcome) {
        line(sb, "post-load", outcome.describe());
        List<String> notices = outcome.notices();
        for (int i = 0; i < Math.min(notices.size(), MAX_NOTICES); i++) {
            line(sb, "  notice", notices.get(i));
        }
        if (notices.size() > MAX_NOTICES) {
            line(sb, "  notice", "... and " + (notices.size() - MAX_NOTICES) + " more");
        }
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "  %-16s %s%n", label, value));
    }

    /** {@code 850 ms}, {@code 2.4 s}, {@code 3m05s}. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
