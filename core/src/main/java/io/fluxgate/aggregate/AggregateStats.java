package io.fluxgate.aggregate;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe, cumulative counters of an {@link Aggregate} operator, readable at any time. Pass one to
 * {@link Aggregate.Settings#stats(AggregateStats)}; every subscription of the operator adds to it, as things happen.
 *
 * <p>Every group that is closed is counted once in {@code completed}, {@code timedOut}, {@code evicted} or
 * {@code sourceCompleted}; an incomplete group dropped under {@link IncompletePolicy#DROP} is also counted in
 * {@code incompleteDropped}. Every part received is counted in {@code parts}, and a part that was not kept as
 * received is also counted once in {@code duplicates} or {@code late}.
 */
public final class AggregateStats {

    /** The counters, also the values of the {@code event} tag of the operator's meters (lower case). */
    public enum Counter {
        /** Parts received from upstream. */
        PARTS,
        /** Groups whose completion condition held. */
        COMPLETED,
        /** Groups closed incomplete because their timeout passed. */
        TIMED_OUT,
        /** Groups closed incomplete to make room for a new key ({@code maxKeys}). */
        EVICTED,
        /** Groups closed incomplete because the source completed. */
        SOURCE_COMPLETED,
        /** Incomplete groups dropped under {@link IncompletePolicy#DROP}. */
        INCOMPLETE_DROPPED,
        /** Parts whose name was already present in their open group (whichever value was kept). */
        DUPLICATES,
        /** Parts for a key whose group had already been closed (dropped or handed to the side output). */
        LATE
    }

    private final EnumMap<Counter, LongAdder> counters = new EnumMap<>(Counter.class);

    /** Counters all at zero; share one instance between the subscriptions whose counts should add up. */
    public AggregateStats() {
        for (Counter c : Counter.values()) {
            counters.put(c, new LongAdder());
        }
    }

    /**
     * Adds one to {@code counter}; used by the operator.
     *
     * @param counter the counter to increment
     */
    public void increment(Counter counter) {
        counters.get(counter).increment();
    }

    /**
     * The current value of {@code counter}.
     *
     * @param counter the counter to read
     * @return its count since this object was created
     */
    public long get(Counter counter) {
        return counters.get(counter).sum();
    }

    /**
     * Parts received from upstream ({@link Counter#PARTS}).
     *
     * @return the count so far
     */
    public long parts() {
        return get(Counter.PARTS);
    }

    /**
     * Groups whose completion condition held ({@link Counter#COMPLETED}).
     *
     * @return the count so far
     */
    public long completed() {
        return get(Counter.COMPLETED);
    }

    /**
     * Groups closed incomplete because their timeout passed ({@link Counter#TIMED_OUT}).
     *
     * @return the count so far
     */
    public long timedOut() {
        return get(Counter.TIMED_OUT);
    }

    /**
     * Groups closed incomplete to make room for a new key ({@link Counter#EVICTED}).
     *
     * @return the count so far
     */
    public long evicted() {
        return get(Counter.EVICTED);
    }

    /**
     * Groups closed incomplete because the source completed ({@link Counter#SOURCE_COMPLETED}).
     *
     * @return the count so far
     */
    public long sourceCompleted() {
        return get(Counter.SOURCE_COMPLETED);
    }

    /**
     * Incomplete groups dropped under {@link IncompletePolicy#DROP} ({@link Counter#INCOMPLETE_DROPPED}).
     *
     * @return the count so far
     */
    public long incompleteDropped() {
        return get(Counter.INCOMPLETE_DROPPED);
    }

    /**
     * Parts whose name was already present in their open group ({@link Counter#DUPLICATES}).
     *
     * @return the count so far
     */
    public long duplicates() {
        return get(Counter.DUPLICATES);
    }

    /**
     * Parts for a key whose group had already been closed ({@link Counter#LATE}).
     *
     * @return the count so far
     */
    public long late() {
        return get(Counter.LATE);
    }

    /**
     * All counters at (about) one instant: each is read atomically, but not all together, so counts of a
     * subscription still running may be a few events apart.
     *
     * @return a new map holding every counter
     */
    public Map<Counter, Long> snapshot() {
        EnumMap<Counter, Long> m = new EnumMap<>(Counter.class);
        counters.forEach((c, a) -> m.put(c, a.sum()));
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
