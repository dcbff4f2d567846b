package io.fluxgate.examples.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.fluxgate.jdbc.BatchResult;
import io.fluxgate.jdbc.PgType;
import io.fluxgate.jdbc.PostgresCopySink;
import io.fluxgate.outcome.DeadLetterSink;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes batches of rows through the COPY sink: one sink per {@link ColumnSet} (a COPY names its columns, and a
 * column a row does not set must be left out to get its default), so a batch mixing sets is written as one COPY
 * per set, in turn.
 *
 * <p>The sink checks every value before the COPY (varchar length, numeric precision, date range, JSON syntax,
 * NUL characters) and hands the rows it refuses to the error file; it retries transient failures. What only the
 * server can check (unique, foreign-key and check constraints, domain checks) fails the whole COPY: for such an
 * error (SQLSTATE class 22, data exception, or 23, integrity constraint violation) the batch is written again in
 * halves, recursively, until the rows PostgreSQL refuses are isolated, one per COPY, and rejected with the server's
 * message; every other row is written. Any other error stops the run.
 */
final class RowWriter {

    private final ConnectionFactory pool;
    private final TableSchema table;
    private final List<String> keys;
    private final boolean upsert;
    private final int maxRetries;
    private final ErrorFile errors;
    private final Counters counters;
    private final ConcurrentMap<ColumnSet, PostgresCopySink<Row>> sinks = new ConcurrentHashMap<>();

    RowWriter(ConnectionFactory pool, TableSchema table, List<String> keys, boolean upsert, int maxRetries,
              ErrorFile errors, Counters counters) {
        this.pool = pool;
        this.table = table;
        this.keys = List.copyOf(keys);
        this.upsert = upsert;
        this.maxRetries = maxRetries;
        this.errors = errors;
        this.counters = counters;
    }

    /** Writes one batch; completes with its size when every row is in the table or in the error file. */
    Mono<Integer> write(List<Row> batch) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            Map<ColumnSet, List<Row>> bySet = new LinkedHashMap<>();
            for (Row row : batch) {
                bySet.computeIfAbsent(row.columns, k -> new ArrayList<>()).add(row);
            }
            return Flux.fromIterable(bySet.entrySet())
                    .concatMap(e -> writeRows(sink(e.getKey()), e.getValue()))
                    .doOnNext(this::count)
                    .then(Mono.just(batch.size()))
                    .doFinally(signal -> {
                        counters.writeNanos.add(System.nanoTime() - started);
                        counters.release(batch.size());
                    });
        });
    }

    private void count(BatchResult<Row> result) {
        counters.batches.increment();
        counters.written.add(result.rowsWritten());
        counters.skipped.add(result.rowsCopied() - result.rowsWritten());
        counters.retries.add(result.retries());
    }

    /** One COPY of {@code rows}, or, if PostgreSQL refuses some row in it, two halves of the rows not yet refused. */
    private Flux<BatchResult<Row>> writeRows(PostgresCopySink<Row> sink, List<Row> rows) {
        return sink.writeBatch(rows).flux().onErrorResume(e -> dataError(e) != null, e -> {
            List<Row> live = rows.stream().filter(r -> !r.rejected).toList();
            if (live.size() <= 1) {
                live.forEach(r -> reject(r, null, "PostgreSQL refused the row: " + describe(dataError(e))));
                return Flux.empty();
            }
            counters.splits.increment();
            int half = live.size() / 2;
            return Flux.concat(writeRows(sink, live.subList(0, half)), writeRows(sink, live.subList(half, live.size())));
        });
    }

    private void reject(Row row, String column, String reason) {
        row.rejected = true;
        counters.rejected.increment();
        errors.row(row.file, row.line, column, reason, new String(row.raw, StandardCharsets.UTF_8));
    }

    /** The server's error when it is about the data (SQLSTATE class 22 or 23), else {@code null}. */
    static R2dbcException dataError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof R2dbcException r && r.getSqlState() != null && !r.getSqlState().isEmpty()) {
                String state = r.getSqlState();
                return state.startsWith("22") || state.startsWith("23") ? r : null;
            }
        }
        return null;
    }

    private static String describe(R2dbcException e) {
        String message = e.getMessage();
        if (e instanceof PostgresqlException pg) {
            String detail = pg.getErrorDetails().getDetail().orElse(null);
            if (detail != null) {
                message += " (" + detail + ")";
            }
        }
        return message + " [SQLSTATE " + e.getSqlState() + "]";
    }

    private PostgresCopySink<Row> sink(ColumnSet set) {
        return sinks.computeIfAbsent(set, this::newSink);
    }

    private PostgresCopySink<Row> newSink(ColumnSet set) {
        PostgresCopySink.Builder<Row> b = PostgresCopySink.<Row>builder(pool)
                .table(table.schema(), table.table())
                .maxRetries(maxRetries)
                .deadLetters(DeadLetterSink.of(letter -> reject(letter.element().element(), letter.element().column(),
                        letter.reason())));
        List<TableSchema.Column> columns = set.columns();
        for (int i = 0; i < columns.size(); i++) {
            int slot = i;
            @SuppressWarnings("unchecked")
            PgType<Object> type = (PgType<Object>) columns.get(i).type().pgType();
            b.column(columns.get(i).name(), type, row -> row.values[slot]);
        }
        if (!keys.isEmpty()) {
            String[] k = keys.toArray(String[]::new);
            if (upsert) {
                b.onConflictUpdate(k);
            } else {
                b.onConflictDoNothing(k);
            }
        }
        return b.build();
    }
}
