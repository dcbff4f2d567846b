package io.fluxgate.aggregate;

/**
 * What {@link Aggregate} does with a group closed before its completion condition held: because its timeout
 * passed, because it was evicted to make room for a new key ({@code maxKeys}), or because the source completed.
 */
public enum IncompletePolicy {
    /** Emit it as an {@link Aggregated.Partial} carrying the {@link Aggregated.Reason}. The default. */
    EMIT_PARTIAL,
    /**
     * Drop it: its parts go to Reactor's discard hook ({@code Operators.onDiscard}) and it is counted in
     * {@link AggregateStats#incompleteDropped()} (and in {@code timedOut}, {@code evicted} or {@code sourceCompleted}).
     */
    DROP,
    /** Fail the stream with an {@link IncompleteGroupException}; everything held is discarded. */
    ERROR
}
