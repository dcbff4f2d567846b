package io.fluxgate.examples.uniqueusers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.fluxgate.window.UniqueSketch;

/**
 * The combiner's algorithm, free of Kafka: reads the workers' per-partition partial counts in the order of the
 * partials topic and says which windows are complete, with their global count.
 *
 * <p>Each input partition has its own window operator (its own watermark), which emits the windows of each size in
 * ascending order. So a partial of partition {@code p} for a window of size {@code s} ending at {@code e} says that
 * {@code p} has passed every window of size {@code s} ending at or before {@code e}: those it had records in were
 * published before this one, the others have none of its users. A window is complete once every input partition has
 * passed it ({@link #accept}) or is done ({@link #partitionDone}: read to its end and committed, or empty). Its
 * count is then the sum of the partitions' counts, exact because the input is keyed by user, so partitions have
 * disjoint users; in approximate mode the partitions' sketches are merged instead. A partial repeated after a
 * worker's restart or a rebalance (same window, same partition) replaces the earlier one: the same count again, never
 * added twice. Windows are emitted once each; partials of windows already emitted are replays and are ignored.
 */
final class PartialCombiner {

    /** One partition's count of one window: what a worker publishes. {@code sketch} is null in exact mode. */
    record Partial(long start, long sizeSeconds, int partition, long users, long events, byte[] sketch) {
        long end() {
            return start + sizeSeconds;
        }
    }

    /** A complete window: the sum over partitions (or the merged sketch's estimate, which is then present). */
    record Combined(long start, long sizeSeconds, long users, long events, int partitions, UniqueSketch sketch) {
    }

    private record Window(long start, long sizeSeconds) {
    }

    private static final Comparator<Window> ORDER =
            Comparator.comparingLong(Window::start).thenComparingLong(Window::sizeSeconds);

    private final int partitions;
    private final boolean approximate;
    /** Per size: per partition, the end of the last window of that size it published. */
    private final Map<Long, long[]> passed = new HashMap<>();
    private final boolean[] done;
    private int doneCount;
    private final TreeMap<Window, Map<Integer, Partial>> pending = new TreeMap<>(ORDER);
    /** Per size: the end of the last window emitted. */
    private final Map<Long, Long> emittedUpTo = new HashMap<>();
    private long replays;

    /**
     * @param partitions  input partitions; every one must pass a window (or be done) before it is emitted
     * @param approximate merge the partials' sketches instead of summing their counts
     */
    PartialCombiner(int partitions, boolean approximate) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        this.partitions = partitions;
        this.approximate = approximate;
        this.done = new boolean[partitions];
    }

    /**
     * Takes the next partial of the partials topic.
     *
     * @throws IllegalArgumentException if its partition or size is out of range, or it does not match the mode
     *                                  (a sketch in exact mode, none in approximate mode)
     */
    void accept(Partial p) {
        if (p.partition() < 0 || p.partition() >= partitions) {
            throw new IllegalArgumentException("partial of partition " + p.partition() + ", but the input has "
                    + partitions + " partitions (0.." + (partitions - 1) + ")");
        }
        if (p.sizeSeconds() <= 0) {
            throw new IllegalArgumentException("partial with window size " + p.sizeSeconds() + " s");
        }
        if (approximate != (p.sketch() != null)) {
            throw new IllegalArgumentException("partial of window " + p.start() + " from partition " + p.partition()
                    + (approximate ? " has no sketch: the workers count in exact mode"
                            : " has a sketch: the workers count in approximate mode") + " (use the workers' --mode)");
        }
        long[] ends = passed.computeIfAbsent(p.sizeSeconds(), s -> {
            long[] none = new long[partitions];
            Arrays.fill(none, Long.MIN_VALUE);
            return none;
        });
        ends[p.partition()] = Math.max(ends[p.partition()], p.end());
        if (p.end() <= emittedUpTo.getOrDefault(p.sizeSeconds(), Long.MIN_VALUE)) {
            replays++;
            return;
        }
        pending.computeIfAbsent(new Window(p.start(), p.sizeSeconds()), w -> new HashMap<>()).put(p.partition(), p);
    }

    /** Partition {@code p} has no partials still to come: it passed every window. */
    void partitionDone(int p) {
        if (!done[p]) {
            done[p] = true;
            doneCount++;
        }
    }

    boolean isDone(int p) {
        return done[p];
    }

    /** The windows complete since the last call, ascending by start, then size; each is emitted once. */
    List<Combined> drain() {
        List<Combined> out = new ArrayList<>();
        for (Iterator<Map.Entry<Window, Map<Integer, Partial>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Window, Map<Integer, Partial>> e = it.next();
            Window w = e.getKey();
            long end = w.start() + w.sizeSeconds();
            if (!passedByAll(w.sizeSeconds(), end)) {
                continue;
            }
            // read before removing: TreeMap's iterator may reuse the removed entry for its successor
            Map<Integer, Partial> parts = e.getValue();
            it.remove();
            out.add(combine(w, parts.values()));
            emittedUpTo.merge(w.sizeSeconds(), end, Math::max);
        }
        return out;
    }

    /** Every partition is done and every window emitted: nothing more can come. */
    boolean finished() {
        return doneCount == partitions && pending.isEmpty();
    }

    /** Partials ignored because their window was emitted already (replays after a restart or rebalance). */
    long replays() {
        return replays;
    }

    /** Windows waiting for a partition to pass them. */
    int pendingWindows() {
        return pending.size();
    }

    private boolean passedByAll(long size, long end) {
        long[] ends = passed.get(size);
        for (int p = 0; p < partitions; p++) {
            if (!done[p] && ends[p] < end) {
                return false;
            }
        }
        return true;
    }

    private Combined combine(Window w, java.util.Collection<Partial> parts) {
        long users = 0;
        long events = 0;
        UniqueSketch merged = null;
        for (Partial p : parts) {
            users += p.users();
            events += p.events();
            if (approximate) {
                UniqueSketch s = UniqueSketch.fromByteArray(p.sketch());
                merged = merged == null ? s : merged.merge(s);
            }
        }
        if (merged != null) {
            users = Math.round(merged.estimate());
        }
        return new Combined(w.start(), w.sizeSeconds(), users, events, parts.size(), merged);
    }
}
