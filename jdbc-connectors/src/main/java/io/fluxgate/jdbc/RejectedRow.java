package io.fluxgate.jdbc;

import java.util.Objects;

/**
 * An element the sink refused before the COPY, with why: the mapper (a column getter) threw, or a value cannot be
 * stored in its column (see {@link PgType}). Handed to the {@link DeadLetterHandler} and listed in its batch's
 * {@link BatchResult#rejected()}.
 *
 * @param element the element as it came from upstream
 * @param column the column whose getter or value failed
 * @param cause the getter's exception, or an {@link IllegalArgumentException} saying why the value was refused
 * @param <T> the element type
 */
public record RejectedRow<T>(T element, String column, Throwable cause) {

    public RejectedRow {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(cause, "cause");
    }

    /** {@code column: message}, for logs. */
    public String reason() {
        return column + ": " + cause;
    }
}
