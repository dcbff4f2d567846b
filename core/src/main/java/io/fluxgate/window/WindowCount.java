package io.fluxgate.window;

import org.jspecify.annotations.Nullable;
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
    private final @Nullable UniqueSketch sketch;
    private final WindowStats.Snapshot stats;
    private final @Nullable Checkpoint checkpoint;

    /**
     * @param start inclusive window start, in {@code unit}
     * @param end exclusive window end, in {@code unit}
     * @param size the window size
     * @param unit {@link ChronoUnit#SECONDS} or {@link ChronoUnit#MILLIS}
     * @param uniqueUsers distinct users, zero or more
     * @param events records counted, zero or more
     * @param revision 0 for the first emission, then 1, 2, ...
     * @param sketch the window's sketch in approximate mode, else {@code null}
     * @param stats the subscription's counters
     * @param checkpoint the checkpoint when positions are tracked, else {@code null}
     * @throws NullPointerException     if size, unit or stats is null
     * @throws IllegalArgumentException if counts or revision are negative
     */
    public WindowCount(long start, long end, Duration size, ChronoUnit unit, long uniqueUsers, long events,
                       int revision, @Nullable UniqueSketch sketch, WindowStats.Snapshot stats,
                       @Nullable Checkpoint checkpoint) {
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

    /** {@return inclusive window start, in {@link #unit()}} */
    public long start() {
        return start;
    }

    /**
     * {@return exclusive window end ({@code start + size}, saturated at {@link Long#MAX_VALUE}), in {@link #unit()}}
     */
    public long end() {
        return end;
    }

    /** {@return the window size this result belongs to (one operator can compute several sizes)} */
    public Duration size() {
        return size;
    }

    /** {@return the event-time unit of start and end: {@link ChronoUnit#SECONDS} or {@link ChronoUnit#MILLIS}} */
    public ChronoUnit unit() {
        return unit;
    }

    /** {@return distinct users (exact, or the rounded estimate in approximate mode)} */
    public long uniqueUsers() {
        return uniqueUsers;
    }

    /** {@return records counted in the window, duplicates included} */
    public long events() {
        return events;
    }

    /** {@return 0 for the first emission, then 1, 2, ... for UPDATE corrections} */
    public int revision() {
        return revision;
    }

    /**
     * The mergeable sketch of the window's users, in approximate mode.
     *
     * @return the sketch, or empty in exact mode
     */
    public Optional<UniqueSketch> sketch() {
        return Optional.ofNullable(sketch);
    }

    /** {@return the subscription's counters when this result was emitted} */
    public WindowStats.Snapshot stats() {
        return stats;
    }

    /**
     * The records fully accounted for once this result is handled, when positions are tracked.
     *
     * @return the checkpoint, or empty unless positions are tracked
     */
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
