package io.fluxgate.jdbc;

import org.jspecify.annotations.Nullable;
import java.util.List;

/**
 * A batch could not be committed: the error was not transient, or transient errors outlasted the retries. The
 * stream fails with it; its rows were rolled back (each batch is one transaction), so upstream should not
 * acknowledge {@link #elements()}. The original error is the {@link #getCause() cause}.
 */
public final class CopyBatchException extends RuntimeException {

    // not serialized: elements need not be Serializable
    private final transient @Nullable List<?> elements;
    /** Transactions tried before giving up. */
    private final int attempts;

    /**
     * Creates the exception for a batch that could not be committed.
     *
     * @param message what went wrong
     * @param elements the batch's elements; copied
     * @param attempts transactions tried, at least 1
     * @param cause the error of the last attempt
     */
    public CopyBatchException(String message, List<?> elements, int attempts, Throwable cause) {
        super(message, cause);
        this.elements = List.copyOf(elements);
        this.attempts = attempts;
    }

    /**
     * The elements of the failed batch (including any that were rejected before the COPY).
     *
     * @return an unmodifiable copy of the batch; empty in a copy of this exception that was serialized and
     *     deserialized (the elements are not serialized)
     */
    public List<?> elements() {
        return elements == null ? List.of() : elements;
    }

    /**
     * Transactions tried before giving up.
     *
     * @return the number of attempts, at least 1
     */
    public int attempts() {
        return attempts;
    }
}
