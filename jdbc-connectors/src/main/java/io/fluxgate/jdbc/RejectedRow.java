package io.fluxgate.jdbc;

import java.util.Objects;

/**
 * An element the sink refused before the COPY, with why: the mapper (a column getter) threw, or a value cannot be
 * stored in its column (see {@link PgType}). Listed in its batch's {@link BatchResult#rejected()} and, as the
 * element of an {@link io.fluxgate.outcome.DeadLetter} whose cause is the same {@code cause}, stored in the
 * sink's {@link PostgresCopySink.Builder#deadLetters dead-letter sink}.
 *
 * @param element the element as it came from upstream
 * @param column the column whose getter or value failed
 * @param cause the getter's exception, or an {@link IllegalArgumentException} saying why the value was refused
 * @param <T> the element type
 */
public record RejectedRow<T>(T element, String column, Throwable cause) {

    /** The {@link io.fluxgate.outcome.DeadLetter#stage()} of the letters {@link PostgresCopySink} records. */
    public static final String SINK_STAGE = "postgres-copy";

    /**
     * Checks that the rejection says where and why.
     *
     * @param element the element as it came from upstream
     * @param column  the column whose getter or value failed
     * @param cause   why it was refused
     * @throws NullPointerException if {@code column} or {@code cause} is null
     */
    public RejectedRow {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(cause, "cause");
    }

    /**
     * Why the row was refused, for logs.
     *
     * @return {@code column: cause}
     */
    public String reason() {
        return column + ": " + cause;
    }
}
