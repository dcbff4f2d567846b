package io.fluxgate.examples.ingest;

import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The columns one row sets, in table order. A column a row does not set gets its default (or NULL): that is why
 * rows are written per column set, each set with a COPY column list of its own. Rows of a CSV file share their
 * header's set; JSON lines rows share a set when they have the same fields.
 */
final class ColumnSet {

    private final List<TableSchema.Column> columns;
    private final Registry registry;

    private ColumnSet(List<TableSchema.Column> columns, Registry registry) {
        this.columns = List.copyOf(columns);
        this.registry = registry;
    }

    /** The registry this set belongs to: one per table (per entry of a config file). */
    Registry registry() {
        return registry;
    }

    List<TableSchema.Column> columns() {
        return columns;
    }

    int size() {
        return columns.size();
    }

    @Override
    public String toString() {
        return columns.stream().map(TableSchema.Column::name).toList().toString();
    }

    /** One instance per distinct set, shared by every file, so that rows group by identity. */
    static final class Registry {
        private final TableSchema table;
        private final ConcurrentMap<BitSet, ColumnSet> sets = new ConcurrentHashMap<>();

        Registry(TableSchema table) {
            this.table = table;
        }

        /** The set of the columns whose indexes are set in {@code indexes} (read, not kept). */
        ColumnSet of(BitSet indexes) {
            ColumnSet set = sets.get(indexes);
            if (set != null) {
                return set;
            }
            BitSet key = (BitSet) indexes.clone();
            return sets.computeIfAbsent(key, k -> new ColumnSet(k.stream().mapToObj(table.columns()::get).toList(), this));
        }
    }
}
