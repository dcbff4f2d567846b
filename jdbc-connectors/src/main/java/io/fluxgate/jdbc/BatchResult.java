package io.fluxgate.jdbc;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * What one committed batch did. Emitted by {@link PostgresCopySink#transformer()} in the order the batches came
 * from upstream, once the batch's transaction has committed: at that point every element of {@link #elements()}
 * is either in the table or in {@link #rejected()} (and was stored in the dead-letter sink), so upstream may
 * acknowledge all of them (e.g. commit Kafka offsets).
 *
 * @param elements the batch as it came from upstream, rejected elements included
 * @param rejected the elements refused before the COPY, with their causes
 * @param rowsCopied rows sent through COPY (elements minus rejected)
 * @param rowsWritten rows inserted or updated in the target; equals {@code rowsCopied} unless idempotent mode
 *     skipped rows whose key was already present (or, for an upsert, collapsed duplicates within the batch)
 * @param latency from the batch's arrival at the sink to its commit, retries included
 * @param attempts transactions tried: 1 without retries, 0 when every row was rejected
 * @param <T> the element type
 */
public record BatchResult<T>(List<T> elements, List<RejectedRow<T>> rejected, long rowsCopied, long rowsWritten,
        Duration latency, int attempts) {

    /**
     * Copies the lists, so a result stays as it was when emitted (a batch of the sink's own default batching, which
     * nothing else references, is shown through an unmodifiable view instead).
     *
     * @param elements    the batch as it came from upstream
     * @param rejected    the elements refused before the COPY
     * @param rowsCopied  rows sent through COPY
     * @param rowsWritten rows inserted or updated in the target
     * @param latency     from the batch's arrival to its commit
     * @param attempts    transactions tried
     * @throws NullPointerException if a list or an element of it is null
     */
    public BatchResult {
        elements = elements instanceof BatchList<T> owned ? Collections.unmodifiableList(owned)
                : List.copyOf(elements);
        rejected = List.copyOf(rejected);
    }

    /**
     * Retries this batch needed after transient errors.
     *
     * @return {@code attempts - 1}, or 0 when no transaction was needed
     */
    public int retries() {
        return Math.max(0, attempts - 1);
    }
}
