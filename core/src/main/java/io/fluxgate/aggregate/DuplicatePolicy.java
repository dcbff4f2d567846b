package io.fluxgate.aggregate;

/**
 * What {@link Aggregate} does with a part whose name is already present in its key's open group. Every duplicate is
 * counted in {@link AggregateStats#duplicates()}; the value not kept goes to Reactor's discard hook.
 */
public enum DuplicatePolicy {
    /** Keep the part that arrived first; the new one is discarded. The default. */
    KEEP_FIRST,
    /** Replace the held part with the new one (it keeps its position in {@link Aggregated#parts()}). */
    KEEP_LAST,
    /** Fail the stream with a {@link DuplicatePartException}. */
    ERROR
}
