package io.fluxgate.examples.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every file's parser shares: the table, the rules for its columns, where errors and counts go.
 *
 * @param table the target table
 * @param sets the column sets rows are grouped by
 * @param keys the key columns of idempotent mode (by table index), empty otherwise
 * @param ignoreUnknown {@code --unknown-columns=ignore}: input columns the table cannot take are skipped instead of
 *     failing the file (CSV header) or rejecting the row (JSON field)
 * @param maxRecordBytes the longest record a file may hold
 * @param chunkBytes input bytes per chunk
 * @param errors the error file
 * @param counters the run's counters
 * @param notes lines for the person watching (stderr)
 * @param columns CSV: the names of the fields, in order ({@code --columns}), instead of the header row's; empty: the
 *     header row's
 * @param header CSV: the files start with a header row (with {@code columns}, it is skipped)
 */
record LoadPlan(TableSchema table, ColumnSet.Registry sets, List<TableSchema.Column> keys, boolean ignoreUnknown,
                int maxRecordBytes, int chunkBytes, ErrorFile errors, Counters counters, Consumer<String> notes,
                List<String> columns, boolean header) {

    /** Columns the input must set to a non-null value: the required ones, and the keys in idempotent mode. */
    List<TableSchema.Column> mustSet() {
        List<TableSchema.Column> out = new ArrayList<>();
        for (TableSchema.Column c : table.columns()) {
            if (c.required() || keys.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    boolean isKey(TableSchema.Column c) {
        return keys.contains(c);
    }
}
