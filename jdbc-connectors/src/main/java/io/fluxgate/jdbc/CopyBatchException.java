package io.fluxgate.jdbc;

import java.util.List;

/**
 * A batch could not be committed: the error was not transient, or transient errors outlasted the retries. The
 * stream fails with it; its rows were rolled back (each batch is one transaction), so upstream should not
 * acknowledge {@link #elements()}. The original error is the {@link #getCause() cause}.
 */
public final class CopyBatchException extends RuntimeException {

    private final transient List<?> elements;
    private final int attempts;

    public CopyBatchException(String message, List<?> elements, int attempts, Throwable cause) {
        super(message, cause);
        this.elements = List.copyOf(elements);
        this.attempts = attempts;
    }

    /** The elements of the failed batch (including any that were rejected before the COPY). */
    public List<?> elements() {
        return elements;
    }

    /** Transactions tried before giving up. */
    public int attempts() {
        return attempts;
    }
}
