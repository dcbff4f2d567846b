package io.fluxgate.jdbc;

/**
 * Receives every row the sink rejects before a COPY (see {@link RejectedRow}), once per row, on the thread that
 * prepares the batch, before the batch's good rows are written. Typical handlers write to a dead-letter table or
 * topic, or a log. Must not block for long: batches wait for it.
 *
 * <p>If the handler throws, the stream fails with that exception: a row is never dropped silently.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface DeadLetterHandler<T> {

    void accept(RejectedRow<T> rejected);
}
