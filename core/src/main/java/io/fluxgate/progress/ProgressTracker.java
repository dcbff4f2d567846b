package io.fluxgate.progress;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counting and rate arithmetic for one subscription, free of Reactor so it can be tested with a hand-driven clock.
 * {@link #increment()} is called on the stream's thread and must stay cheap (a {@link LongAdder}); reports are
 * serialized by the monitor so the listener never sees two calls at once and never a periodic one after the final.
 */
final class ProgressTracker {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressTracker.class);

    private final String name;
    private final long total;
    private final LongSupplier nanoClock;
    private final ProgressListener listener;
    private final LongAdder count = new LongAdder();

    private long startNanos;
    private long lastReportNanos;
    private long lastReportCount;
    private boolean finished;

    ProgressTracker(String name, long total, LongSupplier nanoClock, ProgressListener listener) {
        this.name = name;
        this.total = total;
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    synchronized void start() {
        startNanos = nanoClock.getAsLong();
        lastReportNanos = startNanos;
    }

    void increment() {
        count.increment();
    }

    void add(long weight) {
        count.add(weight);
    }

    synchronized void reportRunning() {
        if (!finished) {
            report(ProgressSnapshot.State.RUNNING);
        }
    }

    synchronized void reportFinal(ProgressSnapshot.State state) {
        if (!finished) {
            finished = true;
            report(state);
        }
    }

    /** Builds the snapshot and advances the interval baseline; caller holds the monitor. */
    ProgressSnapshot snapshot(ProgressSnapshot.State state) {
        long now = nanoClock.getAsLong();
        long c = count.sum();
        long elapsed = now - startNanos;
        long sinceLast = now - lastReportNanos;
        double rate = sinceLast > 0 ? (c - lastReportCount) * 1e9 / sinceLast : 0.0;
        double average = elapsed > 0 ? c * 1e9 / elapsed : 0.0;
        lastReportNanos = now;
        lastReportCount = c;
        return new ProgressSnapshot(name, state, c, total, Duration.ofNanos(elapsed), rate, average);
    }

    private void report(ProgressSnapshot.State state) {
        ProgressSnapshot snapshot = snapshot(state);
        try {
            listener.onProgress(snapshot);
        } catch (RuntimeException e) {
            LOG.warn("progress listener for '{}' threw; ignoring so the stream is not affected", name, e);
        }
    }
}
