package io.fluxgate.examples.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.fluxgate.jdbc.BatchResult;
import io.fluxgate.jdbc.PgIdentifier;
import io.r2dbc.spi.Statement;
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
 * server can check (unique, foreign-key and check constraints, domain checks) fails the whole COPY.
 *
 * <p>A duplicate key (SQLSTATE 23505), the usual case when a load is run again over rows already in the table, is
 * resolved in one query per batch: the keys of the batch's rows (for each unique index whose columns the rows set)
 * are looked up in the table, and the rows whose key is there, or whose key an earlier row of the batch has, are
 * rejected; the rest is written again. Any other data error (SQLSTATE class 22, data exception, or 23, integrity
 * constraint violation), or a duplicate the lookup does not explain (a concurrent writer), splits the batch in
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
    private final ConcurrentMap<ColumnSet, List<List<TableSchema.Column>>> lookupKeys = new ConcurrentHashMap<>();

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

    /**
     * One COPY of {@code rows}; if PostgreSQL refuses some row in it, the rows not yet refused again, without the
     * duplicates a key lookup finds, or else in two halves.
     */
    private Flux<BatchResult<Row>> writeRows(PostgresCopySink<Row> sink, List<Row> rows) {
        return sink.writeBatch(rows).flux().onErrorResume(e -> dataError(e) != null, e -> {
            List<Row> live = rows.stream().filter(r -> !r.rejected).toList();
            if (live.size() <= 1) {
                live.forEach(r -> reject(r, null, "PostgreSQL refused the row: " + describe(dataError(e))));
                return Flux.empty();
            }
            List<List<TableSchema.Column>> keys = UNIQUE_VIOLATION.equals(dataError(e).getSqlState())
                    ? keysOf(live.get(0).columns) : List.of();
            if (keys.isEmpty()) {
                return halves(sink, live);
            }
            return Flux.fromIterable(keys)
                    .concatMap(key -> duplicates(key, live))
                    .collectList()
                    .flatMapMany(found -> {
                        if (found.stream().allMatch(List::isEmpty)) {
                            return halves(sink, live); // not explained by the keys: a concurrent writer?
                        }
                        return writeRows(sink, live.stream().filter(r -> !r.rejected).toList());
                    })
                    .onErrorResume(lookupFailed -> !(lookupFailed instanceof ErrorFile.WriteFailed),
                            lookupFailed -> halves(sink, live.stream().filter(r -> !r.rejected).toList()));
        });
    }

    private Flux<BatchResult<Row>> halves(PostgresCopySink<Row> sink, List<Row> live) {
        counters.splits.increment();
        int half = live.size() / 2;
        return Flux.concat(writeRows(sink, live.subList(0, half)), writeRows(sink, live.subList(half, live.size())));
    }

    static final String UNIQUE_VIOLATION = "23505";
    /** Bind parameters per lookup query (PostgreSQL takes at most 65,535). */
    private static final int MAX_PARAMETERS = 30_000;

    /** The table's unique keys whose columns are all in {@code set}: the ones a row of the set can violate. */
    private List<List<TableSchema.Column>> keysOf(ColumnSet set) {
        return lookupKeys.computeIfAbsent(set, s -> {
            List<List<TableSchema.Column>> out = new ArrayList<>();
            for (java.util.Set<String> key : table.uniqueKeys()) {
                List<TableSchema.Column> cols = new ArrayList<>();
                for (String name : key) {
                    s.columns().stream().filter(c -> c.name().equals(name)).findFirst().ifPresent(cols::add);
                }
                if (cols.size() == key.size()) {
                    out.add(List.copyOf(cols));
                }
            }
            return List.copyOf(out);
        });
    }

    /**
     * Rejects the rows of {@code live} whose {@code key} is in the table already, or taken by an earlier row of the
     * batch, as inserting them one by one would; emits the rows rejected. A row with a NULL in the key cannot
     * conflict (NULLs are distinct in a unique index).
     */
    private Mono<List<Row>> duplicates(List<TableSchema.Column> key, List<Row> live) {
        List<Row> candidates = new ArrayList<>();
        List<Object[]> keyValues = new ArrayList<>();
        for (Row r : live) {
            if (r.rejected) {
                continue;
            }
            Object[] k = new Object[key.size()];
            boolean hasNull = false;
            for (int i = 0; i < k.length; i++) {
                k[i] = r.values[r.columns.columns().indexOf(key.get(i))];
                hasNull |= k[i] == null;
            }
            if (!hasNull) {
                candidates.add(r);
                keyValues.add(k);
            }
        }
        int perQuery = Math.max(1, MAX_PARAMETERS / key.size());
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i += perQuery) {
            starts.add(i);
        }
        return Flux.fromIterable(starts)
                .concatMap(from -> inTable(key, keyValues, from, Math.min(candidates.size(), from + perQuery)))
                .collect(java.util.BitSet::new, java.util.BitSet::set)
                .map(existing -> {
                    List<Row> rejected = new ArrayList<>();
                    Map<List<Object>, Row> seen = new java.util.HashMap<>();
                    for (int i = 0; i < candidates.size(); i++) {
                        Row r = candidates.get(i);
                        List<Object> k = java.util.Arrays.asList(keyValues.get(i));
                        String where = existing.get(i) ? "is already in the table"
                                : seen.putIfAbsent(k, r) != null ? "is taken by an earlier row of the input" : null;
                        if (where != null) {
                            reject(r, key.size() == 1 ? key.get(0).name() : null, "duplicate key: " + keyText(key, k)
                                    + " " + where + " (a unique index of " + table.displayName() + "; SQLSTATE "
                                    + UNIQUE_VIOLATION + "; --idempotent skips such rows)");
                            rejected.add(r);
                        }
                    }
                    return rejected;
                });
    }

    /** Indexes in {@code [from, to)} of the keys that the table holds: one query. */
    private Flux<Integer> inTable(List<TableSchema.Column> key, List<Object[]> keyValues, int from, int to) {
        StringBuilder sql = new StringBuilder("SELECT v.i FROM (VALUES ");
        int p = 1;
        for (int i = from; i < to; i++) {
            sql.append(i == from ? "(" : ", (").append(i);
            for (TableSchema.Column c : key) {
                sql.append(", $").append(p++).append("::").append(c.sqlType());
            }
            sql.append(')');
        }
        sql.append(") AS v(i");
        for (int j = 0; j < key.size(); j++) {
            sql.append(", k").append(j);
        }
        sql.append(") WHERE EXISTS (SELECT 1 FROM ").append(PgIdentifier.qualified(table.schema(), table.table()))
                .append(" t WHERE ");
        for (int j = 0; j < key.size(); j++) {
            sql.append(j == 0 ? "" : " AND ").append("t.").append(PgIdentifier.quote(key.get(j).name()))
                    .append(" = v.k").append(j);
        }
        sql.append(')');
        counters.keyLookups.increment();
        return Flux.usingWhen(pool.create(), c -> {
            Statement st = c.createStatement(sql.toString());
            int q = 0;
            for (int i = from; i < to; i++) {
                for (Object v : keyValues.get(i)) {
                    st.bind(q++, v);
                }
            }
            return Flux.from(st.execute()).concatMap(r -> r.map((row, meta) -> row.get(0, Integer.class)));
        }, c -> Mono.from(c.close()).onErrorResume(e -> Mono.empty()));
    }

    private static String keyText(List<TableSchema.Column> key, List<Object> values) {
        StringBuilder sb = new StringBuilder("(");
        for (int j = 0; j < key.size(); j++) {
            sb.append(j == 0 ? "" : ", ").append(key.get(j).name());
        }
        sb.append(")=(");
        for (int j = 0; j < values.size(); j++) {
            sb.append(j == 0 ? "" : ", ").append(values.get(j));
        }
        return sb.append(')').toString();
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
