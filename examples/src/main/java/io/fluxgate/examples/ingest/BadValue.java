package io.fluxgate.examples.ingest;

/**
 * Why one input value, or one row, cannot be loaded. Thrown per bad value on the parse threads, so it carries no
 * stack trace: a file full of bad rows must cost no more than one full of good ones.
 */
final class BadValue extends Exception {

    private static final long serialVersionUID = 1L;

    /** The column the value was meant for, or {@code null} when the problem is the row as a whole. */
    private final String column;

    BadValue(String reason) {
        this(null, reason);
    }

    BadValue(String column, String reason) {
        super(reason, null, false, false);
        this.column = column;
    }

    String column() {
        return column;
    }

    /** The same reason, now naming its column. */
    BadValue in(String columnName) {
        return column != null ? this : new BadValue(columnName, getMessage());
    }
}
