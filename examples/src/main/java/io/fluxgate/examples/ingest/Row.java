package io.fluxgate.examples.ingest;

/**
 * One parsed, converted row on its way to the table, with where it came from (for the error file if PostgreSQL or
 * the sink refuses it later).
 */
final class Row {

    final ColumnSet columns;
    /** The values in {@link #columns} order; null is SQL NULL. */
    final Object[] values;
    final InputFile file;
    final long line;
    /** The record's bytes as read. */
    final byte[] raw;
    /** Set once the row is in the error file, so that a batch written again in halves leaves it out. */
    volatile boolean rejected;

    Row(ColumnSet columns, Object[] values, InputFile file, long line, byte[] raw) {
        this.columns = columns;
        this.values = values;
        this.file = file;
        this.line = line;
        this.raw = raw;
    }

    /** Rough bytes the row occupies, to bound a batch by weight as well as by count. */
    long weight() {
        return 64L + 2L * raw.length;
    }
}
