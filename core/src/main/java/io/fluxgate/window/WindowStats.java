package io.fluxgate.window;

import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe, cumulative counters of a {@link UniqueUsers} operator, readable at any time (e.g. at the end of a run).
 *
 * <p>Pass one to {@link UniqueUsers.Builder#stats(WindowStats)}; every subscription of the operator adds to it. The
 * operator folds its per-subscription counts in at each emitted window and when the subscription terminates or is
 * cancelled, so {@link #events()} may lag by the records of the windows still open; the rejection counters
 * ({@code late}, {@code future}, {@code dropped}, {@code sideOutput}, {@code replayedSkipped}) are updated as they
 * happen. Each {@link WindowCount} also carries an exact {@link Snapshot} of its own subscription.
 *
 * <p>Rejections count (record, window size) pairs: with one window size they count records. For any snapshot
 * {@code late + future == dropped + sideOutput + updated}.
 */
public final class WindowStats {

    private final LongAdder events = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder future = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder sideOutput = new LongAdder();
    private final LongAdder updated = new LongAdder();
    private final LongAdder replayedSkipped = new LongAdder();
    private final LongAdder windowsEmitted = new LongAdder();
    private final LongAdder revisionsEmitted = new LongAdder();

    /**
     * Counters at one instant.
     *
     * @param events           records received
     * @param late             (record, size) pairs whose window had closed
     * @param future           (record, size) pairs rejected for being too far ahead of processing time
     * @param dropped          late/future pairs discarded (DROP, UPDATE past retention, UPDATE future)
     * @param sideOutput       late/future pairs handed to the side output
     * @param updated          late pairs applied to a retained window (UPDATE)
     * @param replayedSkipped  pairs skipped after {@code resumeFrom} because their window had been emitted before
     * @param windowsEmitted   first emissions (revision 0)
     * @param revisionsEmitted corrected emissions (revision >= 1)
     */
    public record Snapshot(long events, long late, long future, long dropped, long sideOutput, long updated,
                           long replayedSkipped, long windowsEmitted, long revisionsEmitted) {
        /** All counters zero. */
        public static final Snapshot EMPTY = new Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0);

        Snapshot minus(Snapshot o) {
            return new Snapshot(events - o.events, late - o.late, future - o.future, dropped - o.dropped,
                    sideOutput - o.sideOutput, updated - o.updated, replayedSkipped - o.replayedSkipped,
                    windowsEmitted - o.windowsEmitted, revisionsEmitted - o.revisionsEmitted);
        }
    }

    /** {@return records received} */
    public long events() {
        return events.sum();
    }

    /** {@return (record, size) pairs whose window had closed} */
    public long late() {
        return late.sum();
    }

    /** {@return (record, size) pairs rejected for being too far ahead of processing time} */
    public long future() {
        return future.sum();
    }

    /** {@return late and future pairs discarded} */
    public long dropped() {
        return dropped.sum();
    }

    /** {@return late and future pairs handed to the side output} */
    public long sideOutput() {
        return sideOutput.sum();
    }

    /** {@return late pairs applied to a retained window} */
    public long updated() {
        return updated.sum();
    }

    /** {@return pairs skipped after a resume because their window had been emitted before} */
    public long replayedSkipped() {
        return replayedSkipped.sum();
    }

    /** {@return first emissions of windows (revision 0)} */
    public long windowsEmitted() {
        return windowsEmitted.sum();
    }

    /** {@return corrected emissions (revision 1 and above)} */
    public long revisionsEmitted() {
        return revisionsEmitted.sum();
    }

    /**
     * {@return all counters now; each is read on its own, so a snapshot taken while the operator runs may be off by the records in flight}
     */
    public Snapshot snapshot() {
        return new Snapshot(events(), late(), future(), dropped(), sideOutput(), updated(), replayedSkipped(),
                windowsEmitted(), revisionsEmitted());
    }

    /**
     * Adds a delta; used by the operator.
     *
     * @param d the increments to add; counters may only grow, so its fields are zero or positive
     */
    public void add(Snapshot d) {
        if (d.events() != 0) events.add(d.events());
        if (d.late() != 0) late.add(d.late());
        if (d.future() != 0) future.add(d.future());
        if (d.dropped() != 0) dropped.add(d.dropped());
        if (d.sideOutput() != 0) sideOutput.add(d.sideOutput());
        if (d.updated() != 0) updated.add(d.updated());
        if (d.replayedSkipped() != 0) replayedSkipped.add(d.replayedSkipped());
        if (d.windowsEmitted() != 0) windowsEmitted.add(d.windowsEmitted());
        if (d.revisionsEmitted() != 0) revisionsEmitted.add(d.revisionsEmitted());
    }

    /**
     * The difference {@code a - b}; used by the operator to fold in increments.
     *
     * @param a the later snapshot
     * @param b the earlier snapshot
     * @return the increments from {@code b} to {@code a}
     */
    public static Snapshot delta(Snapshot a, Snapshot b) {
        return a.minus(b);
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
