package io.fluxgate.window;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * The number of distinct users of one tumbling window {@code [start, end)}, in the operator's event-time
 * {@link #unit() unit}.
 *
 * <p>{@link #revision()} is 0 for the first emission of a window and 1, 2, ... for corrections emitted under
 * {@link LatePolicy#update UPDATE}. {@link #sketch()} is present in approximate mode. {@link #stats()} is a snapshot
 * of the subscription's counters at emission time; {@link #checkpoint()} is present when positions are tracked.
 *
 * <p>Equality covers the window and the counts (start, end, size, unit, uniqueUsers, events, revision), not the
 * sketch, stats or checkpoint, so results of different runs compare directly.
 */
public final class WindowCount {

    private final long start;
    private final long end;
    private final Duration size;
    private final ChronoUnit unit;
    private final long uniqueUsers;
    private final long events;
    private final int revision;
    private final UniqueSketch sketch;
    private final WindowStats.Snapshot stats;
    private final Checkpoint checkpoint;

    /**
     * @throws NullPointerException     if size, unit or stats is null
     * @throws IllegalArgumentException if counts or revision are negative
     */
    public WindowCount(long start, long end, Duration size, ChronoUnit unit, long uniqueUsers, long events,
                       int revision, UniqueSketch sketch, WindowStats.Snapshot stats, Checkpoint checkpoint) {
        if (uniqueUsers < 0 || events < 0 || revision < 0) {
            throw new IllegalArgumentException("negative count: uniqueUsers=" + uniqueUsers + ", events=" + events
                    + ", revision=" + revision);
        }
        this.start = start;
        this.end = end;
        this.size = Objects.requireNonNull(size, "size");
        this.unit = Objects.requireNonNull(unit, "unit");
        this.uniqueUsers = uniqueUsers;
        this.events = events;
        this.revision = revision;
        this.sketch = sketch;
        this.stats = Objects.requireNonNull(stats, "stats");
        this.checkpoint = checkpoint;
    }

    /** Inclusive window start, in {@link #unit()}. */
    public long start() {
        return start;
    }

    /** Exclusive window end ({@code start + size}, saturated at {@link Long#MAX_VALUE}), in {@link #unit()}. */
    public long end() {
        return end;
    }

    /** The window size this result belongs to (one operator can compute several sizes). */
    public Duration size() {
        return size;
    }

    /** The event-time unit of start and end: {@link ChronoUnit#SECONDS} or {@link ChronoUnit#MILLIS}. */
    public ChronoUnit unit() {
        return unit;
    }

    /** Distinct users (exact, or the rounded estimate in approximate mode). */
    public long uniqueUsers() {
        return uniqueUsers;
    }

    /** Records counted in the window, duplicates included. */
    public long events() {
        return events;
    }

    /** 0 for the first emission, then 1, 2, ... for UPDATE corrections. */
    public int revision() {
        return revision;
    }

    /** The mergeable sketch of the window's users, in approximate mode. */
    public Optional<UniqueSketch> sketch() {
        return Optional.ofNullable(sketch);
    }

    /** The subscription's counters when this result was emitted. */
    public WindowStats.Snapshot stats() {
        return stats;
    }

    /** The records fully accounted for once this result is handled, when positions are tracked. */
    public Optional<Checkpoint> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowCount w && start == w.start && end == w.end && size.equals(w.size)
                && unit == w.unit && uniqueUsers == w.uniqueUsers && events == w.events && revision == w.revision;
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, end, size, unit, uniqueUsers, events, revision);
    }

    @Override
    public String toString() {
        return "WindowCount{[" + start + ", " + end + ") size=" + size + ", users=" + uniqueUsers + ", events=" + events
                + (revision > 0 ? ", revision=" + revision : "") + "}";
    }
}
