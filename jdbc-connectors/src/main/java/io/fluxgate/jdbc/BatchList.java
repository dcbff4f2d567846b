package io.fluxgate.jdbc;

import java.util.ArrayList;

/**
 * A batch cut by the sink's default batching: an {@code ArrayList} made for one batch and referenced by the sink
 * alone once emitted, so a {@link BatchResult} can show it through an unmodifiable view instead of copying it (a
 * copy of every batch, twice over in {@code List.copyOf}, on the event loop that emits the result). Sized up front
 * for a full batch (at most {@link #MAX_PRESIZE} elements), so filling it does not copy it again as it grows.
 *
 * @param <T> the element type
 */
final class BatchList<T> extends ArrayList<T> {

    private static final long serialVersionUID = 1L;

    /** Elements reserved up front at most: a slow trickle cut by time should not hold a large empty array. */
    static final int MAX_PRESIZE = 1 << 16;

    BatchList(int batchSize) {
        super(Math.min(batchSize, MAX_PRESIZE));
    }
}
