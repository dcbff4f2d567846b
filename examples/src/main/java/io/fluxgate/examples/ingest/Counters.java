package io.fluxgate.examples.ingest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What a run has done so far; bumped by every parse thread and every batch, so adders rather than atomics. */
final class Counters {
    final LongAdder filesOk = new LongAdder();
    final LongAdder filesFailed = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder parsed = new LongAdder();
    final LongAdder blank = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder written = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder splits = new LongAdder();
    /** Queries looking up which rows of a batch refused for a duplicate key are already in the table. */
    final LongAdder keyLookups = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder parseNanos = new LongAdder();
    final LongAdder writeNanos = new LongAdder();
    /** Rows parsed and accepted but not yet written or rejected: what the run holds in memory. */
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peakHeld = new AtomicLong();
    /** The run's counters when these are one table's of several: rows held are the run's memory. */
    private final Counters run;

    Counters() {
        this(null);
    }

    Counters(Counters run) {
        this.run = run;
    }

    void hold(long rows) {
        long now = held.addAndGet(rows);
        peakHeld.accumulateAndGet(now, Math::max);
        if (run != null) {
            run.hold(rows);
        }
    }

    void release(long rows) {
        held.addAndGet(-rows);
        if (run != null) {
            run.release(rows);
        }
    }

    long peakHeld() {
        return peakHeld.get();
    }
}
