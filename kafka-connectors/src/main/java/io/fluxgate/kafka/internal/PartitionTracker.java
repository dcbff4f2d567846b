package io.fluxgate.kafka.internal;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Per assigned partition: which emitted offsets are still unacknowledged, so that the committed position only
 * ever advances over a contiguous prefix of acknowledged records. Offsets are registered in increasing order (the
 * order Kafka delivers a partition); acknowledgements come in any order from any thread. When the head of the
 * pending queue becomes acknowledged, the handle of the last record of the now-complete prefix is passed to
 * {@code onAdvance} (the caller commits {@code offset + 1} through it).
 *
 * <p>{@link #generation()} tells records read before this assignment (stale, dropped) from those read after.
 *
 * @param <H> the commit handle type kept per pending record
 */
public final class PartitionTracker<H> implements LongConsumer {

    private final long generation;
    private final Consumer<? super H> onAdvance;
    private long[] offsets = new long[64];
    private Object[] handles = new Object[64];
    private boolean[] acked = new boolean[64];
    private int head;
    private int size;
    private long lastRegistered = Long.MIN_VALUE;
    private boolean closed;

    public PartitionTracker(long generation, Consumer<? super H> onAdvance) {
        this.generation = generation;
        this.onAdvance = onAdvance;
    }

    public long generation() {
        return generation;
    }

    /**
     * Registers an emitted record. Returns false, registering nothing, if the tracker is closed or the offset is
     * not above the last registered one (a replay of a record already emitted in this assignment).
     */
    public synchronized boolean register(long offset, H handle) {
        if (closed || offset <= lastRegistered) {
            return false;
        }
        if (size == offsets.length) {
            grow();
        }
        int i = (head + size) & (offsets.length - 1);
        offsets[i] = offset;
        handles[i] = handle;
        acked[i] = false;
        size++;
        lastRegistered = offset;
        return true;
    }

    /** Acknowledges {@code offset}; unknown, repeated and post-close acknowledgements are ignored. */
    @Override
    @SuppressWarnings("unchecked")
    public void accept(long offset) {
        H advanced = null;
        synchronized (this) {
            if (closed || size == 0) {
                return;
            }
            int idx = indexOf(offset);
            if (idx < 0) {
                return;
            }
            acked[idx] = true;
            int mask = offsets.length - 1;
            while (size > 0 && acked[head]) {
                advanced = (H) handles[head];
                handles[head] = null;
                acked[head] = false;
                head = (head + 1) & mask;
                size--;
            }
            if (advanced != null) {
                // inside the lock, so that close() (revocation) cannot interleave with a half-done advance
                onAdvance.accept(advanced);
            }
        }
    }

    /** Records registered and not yet part of the acknowledged prefix. */
    public synchronized int pending() {
        return size;
    }

    /** Stops tracking: later registrations and acknowledgements are ignored. */
    public synchronized void close() {
        closed = true;
        java.util.Arrays.fill(handles, null);
        size = 0;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private int indexOf(long offset) {
        int mask = offsets.length - 1;
        if (offsets[head] == offset) {
            return head;
        }
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = offsets[(head + mid) & mask];
            if (v < offset) {
                lo = mid + 1;
            } else if (v > offset) {
                hi = mid - 1;
            } else {
                return (head + mid) & mask;
            }
        }
        return -1;
    }

    private void grow() {
        int n = offsets.length;
        long[] o = new long[n * 2];
        Object[] h = new Object[n * 2];
        boolean[] a = new boolean[n * 2];
        for (int k = 0; k < size; k++) {
            int i = (head + k) & (n - 1);
            o[k] = offsets[i];
            h[k] = handles[i];
            a[k] = acked[i];
        }
        offsets = o;
        handles = h;
        acked = a;
        head = 0;
    }
}
