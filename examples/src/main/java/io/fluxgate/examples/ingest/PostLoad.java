package io.fluxgate.examples.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An SQL script run once the rows of a load are committed ({@code --post-load FILE}, {@code --post-load-sql SQL},
 * or {@code post-load} / {@code post-load-sql} in a config file, per entry or for the run): a merge from a staging
 * table, an {@code ANALYZE}, a refresh of a materialized view.
 *
 * <p>The script is sent as one simple query on a connection of its own, so it may hold several statements separated
 * by semicolons; PostgreSQL runs them in one transaction unless the script has its own {@code BEGIN}/{@code COMMIT}
 * (and a statement that cannot run in a transaction block, such as {@code VACUUM}, must be the script's only
 * statement). It is not retried: a script is not idempotent in general. Notices it raises ({@code RAISE NOTICE},
 * "... does not exist, skipping") and the rows each statement affected are kept for the summary.
 *
 * @param source where the script comes from, for people: its file as given, or {@code inline SQL}
 * @param sql the script
 */
record PostLoad(String source, String sql) {

    /**
     * What a post-load script did.
     *
     * @param source the script's {@link PostLoad#source()}
     * @param statements statements that completed
     * @param rowsAffected rows the statements inserted, updated, deleted or returned, summed
     * @param notices the notices the server sent, in order
     * @param time wall time of the script, connecting included
     * @param error why it failed, or {@code null}
     * @param skipped why it was not run, or {@code null}
     */
    record Outcome(String source, int statements, long rowsAffected, List<String> notices, Duration time,
                   String error, String skipped) {

        static Outcome skipped(PostLoad script, String why) {
            return new Outcome(script.source(), 0, 0, List.of(), Duration.ZERO, null, why);
        }

        boolean failed() {
            return error != null;
        }

        /** One line for the summary; the notices follow it, one per line, in {@link IngestSummary#render()}. */
        String describe() {
            if (skipped != null) {
                return source + ": skipped (" + skipped + ")";
            }
            String done = String.format(Locale.ROOT, "%s: %d statement%s, %,d row%s affected, %s", source, statements,
                    statements == 1 ? "" : "s", rowsAffected, rowsAffected == 1 ? "" : "s",
                    IngestSummary.duration(time));
            return error == null ? done : done + "; FAILED: " + error;
        }
    }

    /** A notice's SQLSTATE class: 00 (RAISE NOTICE, INFO), 01 (warning), 02 (no data); any other is an error. */
    private static boolean isNotice(String sqlState) {
        return sqlState != null && (sqlState.startsWith("00") || sqlState.startsWith("01")
                || sqlState.startsWith("02"));
    }

    /** Runs the script on a new connection of {@code connections}; never throws, a failure is in the outcome. */
    Outcome run(ConnectionFactory connections) {
        long started = System.nanoTime();
        List<String> notices = new ArrayList<>();
        long[] rows = {0};
        int[] statements = {0};
        String error = null;
        try {
            Mono.usingWhen(Mono.from(connections.create()),
                            c -> execute(c, notices, rows, statements),
                            c -> Mono.from(c.close()).onErrorResume(e -> Mono.empty()))
                    .block();
        } catch (RuntimeException e) {
            error = FileIngestApp.describe(e);
        }
        return new Outcome(source, statements[0], rows[0], List.copyOf(notices),
                Duration.ofNanos(System.nanoTime() - started), error, null);
    }

    private Mono<Void> execute(Connection c, List<String> notices, long[] rows, int[] statements) {
        return Flux.from(c.createStatement(sql).execute())
                .concatMap(result -> Flux.from(result.flatMap(segment -> {
                    if (segment instanceof Result.UpdateCount count) {
                        rows[0] += count.value();
                    } else if (segment instanceof Result.Message message) {
                        if (!isNotice(message.sqlState())) {
                            return Mono.error(message.exception());
                        }
                        synchronized (notices) {
                            notices.add(message.message());
                        }
                    }
                    return Mono.<Void>empty();
                })).then(Mono.fromRunnable(() -> statements[0]++)))
                .then();
    }
}
