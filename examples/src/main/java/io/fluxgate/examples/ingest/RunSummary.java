package io.fluxgate.examples.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a whole run did: one {@link IngestSummary} per table (entry), the run's post-load script, and the totals.
 * A single-table run ({@code --table}) prints its table's summary as it always has; a {@code --config} run prints
 * each table's, then the totals.
 *
 * @param config the config file, or {@code null} for a single-table run
 * @param tables one summary per entry, in the config's order
 * @param postLoad the run's post-load script's outcome, or {@code null} when there is none
 * @param load wall time of the load (all tables at once)
 * @param elapsed wall time of the run
 * @param failure why the run stopped early, or {@code null}
 */
record RunSummary(String config, List<IngestSummary> tables, PostLoad.Outcome postLoad, Duration load,
                  Duration elapsed, String failure) {

    long total(java.util.function.ToLongFunction<IngestSummary> figure) {
        return tables.stream().mapToLong(figure).sum();
    }

    /** The exit code: 1 if the run or a post-load script failed, else 4, 3 or 0 as for one table. */
    int exitCode() {
        if (failure != null || postLoad != null && postLoad.failed()) {
            return IngestSummary.FAILED;
        }
        int code = IngestSummary.OK;
        for (IngestSummary t : tables) {
            int c = t.exitCode();
            if (c == IngestSummary.FAILED) {
                return c;
            }
            code = code == IngestSummary.FILES_FAILED || c == IngestSummary.FILES_FAILED ? IngestSummary.FILES_FAILED
                    : Math.max(code, c);
        }
        return code;
    }

    /** The line stderr gets after the summary when the exit code is 1, or {@code null}. */
    String failureMessage() {
        if (failure != null) {
            return failure;
        }
        List<String> failed = new ArrayList<>();
        for (IngestSummary t : tables) {
            if (t.postLoad() != null && t.postLoad().failed()) {
                failed.add("post-load of " + t.table() + " (" + t.postLoad().source() + "): " + t.postLoad().error());
            }
        }
        if (postLoad != null && postLoad.failed()) {
            failed.add("post-load of the run (" + postLoad.source() + "): " + postLoad.error());
        }
        return failed.isEmpty() ? null : String.join("; ", failed);
    }

    String render() {
        if (config == null) {
            return tables.get(0).render();
        }
        StringBuilder sb = new StringBuilder();
        sb.append("ingest summary: ").append(tables.size()).append(tables.size() == 1 ? " table" : " tables")
                .append(" from ").append(config).append('\n');
        for (int i = 0; i < tables.size(); i++) {
            sb.append("table ").append(tables.get(i).table()).append(" (entry ").append(i + 1).append(")\n");
            tables.get(i).body(sb, true);
        }
        sb.append("total\n");
        IngestSummary.line(sb, "files", String.format(Locale.ROOT, "%,d ok, %,d failed",
                total(IngestSummary::filesOk), total(IngestSummary::filesFailed)));
        long blank = total(IngestSummary::blankLines);
        IngestSummary.line(sb, "rows parsed", IngestSummary.count(total(IngestSummary::rowsParsed))
                + (blank > 0 ? " (" + IngestSummary.count(blank) + " blank lines skipped)" : ""));
        IngestSummary.line(sb, "rows written", IngestSummary.count(total(IngestSummary::rowsWritten))
                + " (inserted or upserted)");
        if (tables.stream().anyMatch(IngestSummary::idempotent)) {
            IngestSummary.line(sb, "rows skipped", IngestSummary.count(total(IngestSummary::rowsSkipped)));
        }
        long rejected = total(IngestSummary::rowsRejected);
        Set<String> errorFiles = new LinkedHashSet<>();
        tables.forEach(t -> errorFiles.add(t.errorFile()));
        IngestSummary.line(sb, "rows rejected", IngestSummary.count(rejected)
                + (rejected > 0 || total(IngestSummary::filesFailed) > 0
                ? " (listed in " + String.join(", ", errorFiles) + ")" : ""));
        double seconds = load.toNanos() / 1e9;
        IngestSummary.line(sb, "rows/s", String.format(Locale.ROOT, "%,.0f",
                seconds <= 0 ? 0 : total(IngestSummary::rowsParsed) / seconds));
        IngestSummary.line(sb, "scan", IngestSummary.duration(tables.stream().map(IngestSummary::scan)
                .reduce(Duration.ZERO, Duration::plus)) + " (expanding the patterns)");
        IngestSummary.line(sb, "load", IngestSummary.duration(load) + " wall, every table at once (parsing and"
                + " writing overlap)");
        if (postLoad != null) {
            IngestSummary.postLoad(sb, postLoad);
        }
        IngestSummary.line(sb, "elapsed", IngestSummary.duration(elapsed));
        if (failure != null) {
            IngestSummary.line(sb, "FAILED", failure);
        }
        return sb.toString();
    }
}
