package io.fluxgate.examples.uniqueusers;

import java.time.Duration;
import java.util.Locale;

/** What a run did, printed at its end. */
record AppSummary(
        long frames,
        long counted,
        long windows,
        long late,
        long malformed,
        long blank,
        long replayedSkipped,
        long rejectedAtLoad,
        Duration loadTime,
        Duration pipelineTime,
        Duration elapsed,
        UniqueUsersApp.Role role,
        long combined,
        String stoppedBy) {

    double framesPerSecond() {
        double s = pipelineTime.toNanos() / 1e9;
        return s <= 0 ? 0 : frames / s;
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("unique-users summary").append(role == UniqueUsersApp.Role.SINGLE ? "" : " (" + role.flag() + ")")
                .append('\n');
        if (role.counts()) {
            line(sb, "frames read", String.format(Locale.ROOT, "%,d", frames));
            line(sb, "frames counted", String.format(Locale.ROOT, "%,d", counted));
            if (role == UniqueUsersApp.Role.SINGLE) {
                line(sb, "windows emitted", String.format(Locale.ROOT, "%,d", windows));
            } else {
                line(sb, "partial windows", String.format(Locale.ROOT, "%,d (one per window and input partition)", windows));
            }
        }
        if (role.combines()) {
            line(sb, "windows combined", String.format(Locale.ROOT, "%,d", combined));
        }
        if (role.counts()) {
            line(sb, "late (dropped)", String.format(Locale.ROOT, "%,d", late));
            line(sb, "malformed", String.format(Locale.ROOT, "%,d (dead-lettered)", malformed));
            if (blank > 0) {
                line(sb, "blank lines", String.format(Locale.ROOT, "%,d (skipped)", blank));
            }
            if (replayedSkipped > 0) {
                // frames, not windows: the operator counts the replayed records it passes over
                line(sb, "replayed, skipped", String.format(Locale.ROOT, "%,d frames (of windows emitted before a restart)", replayedSkipped));
            }
            if (rejectedAtLoad > 0) {
                line(sb, "rejected at load", String.format(Locale.ROOT, "%,d lines larger than a Kafka record (counted as malformed)", rejectedAtLoad));
            }
            line(sb, "frames/s", String.format(Locale.ROOT, "%,.0f", framesPerSecond()));
            line(sb, "load time", ConsoleReporter.formatDuration(loadTime) + String.format(Locale.ROOT, " (%,d ms)", loadTime.toMillis()));
        }
        if (stoppedBy != null) {
            line(sb, "stopped", "by " + stoppedBy + ": what was emitted is written and committed, open windows"
                    + " were abandoned; run again with the same --group-id to carry on");
        }
        line(sb, "pipeline time", ConsoleReporter.formatDuration(pipelineTime) + String.format(Locale.ROOT, " (%,d ms)", pipelineTime.toMillis()));
        line(sb, "elapsed", ConsoleReporter.formatDuration(elapsed) + String.format(Locale.ROOT, " (%,d ms)", elapsed.toMillis()));
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "  %-18s %s%n", label, value));
    }
}
