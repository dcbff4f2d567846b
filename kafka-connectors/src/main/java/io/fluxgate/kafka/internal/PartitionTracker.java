package io.fluxgate.kafka.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Per assigned partition: which emitted offsets are still unacknowledged, so that the committed position only
 * ever advances over a contiguous prefix of acknowledged records. Offsets are registered in increasing order (the
 * order Kafka delivers a partition) by one registering thread at a time; acknowledgements come in any order from
 * any thread. When the head of the pending queue becomes acknowledged, the prefix advances: its last record's
 * offset becomes {@link #advancedOffset()}, {@link #advances()} counts one more, and, if the tracker was made with a
 * callback, the handle of that record is passed to it (the caller commits {@code offset + 1} through it).
 *
 * <p>Registration takes no lock (it runs once per emitted record on the emitting thread): the registering side
 * writes a slot of the ring and publishes it by a release store of {@code tail}; acknowledgements, which read the
 * ring, take this tracker's lock and an acquire load of {@code tail}. The ring is grown, and the registering side's
 * view of {@code head} refreshed, under the lock, only when the ring looks full.
 *
 * <p>{@link #generation()} tells records read before this assignment (stale, dropped) from those read after.
 *
 * @param <H> the commit handle type kept per pending record
 */
public final class PartitionTracker<H> implements LongConsumer {

    private static final VarHandle TAIL;
    private static final VarHandle ADVANCES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(PartitionTracker.class, "tail", long.class);
            ADVANCES = l.findVarHandle(PartitionTracker.class, "advances", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long generation;
    private final Consumer<? super H> onAdvance;
    /** Replaced (grown) under the lock; slots in [head, tail) are written once by the registering side. */
    private long[] offsets = new long[64];
    private Object[] handles = new Object[64];
    /** Under the lock: set by acknowledgements, cleared as the head passes. */
    private boolean[] acked = new boolean[64];
    /** Sequence number of the first pending slot; under the lock. */
    private long head;
    /** Sequence number of the next slot to register: written by the registering side only (release store). */
    @SuppressWarnings("unused")
    private long tail;
    /** Registering side only: a {@link #head} seen under the lock, never ahead of the real one. */
    private long knownHead;
    /** Registering side only. */
    private long lastRegistered = Long.MIN_VALUE;
    /** Under the lock: the offset of the acknowledged prefix's last record. */
    private long advancedOffset = Long.MIN_VALUE;
    /** Acknowledgements that advanced the prefix; written under the lock (release store), read by any thread. */
    @SuppressWarnings("unused")
    private long advances;
    private volatile boolean closed;

    /**
     * A tracker whose advances are read with {@link #advances()} and {@link #advancedOffset()}.
     *
     * @param generation the assignment generation its records belong to
     */
    public PartitionTracker(long generation) {
        this(generation, null);
    }

    /**
     * A tracker that also passes the handle of each advanced prefix's last record to {@code onAdvance}, under its
     * lock (so that {@link #close()} cannot interleave with a half-done advance).
     *
     * @param generation the assignment generation its records belong to
     * @param onAdvance  called on the acknowledging thread; null for none
     */
    public PartitionTracker(long generation, Consumer<? super H> onAdvance) {
        this.generation = generation;
        this.onAdvance = onAdvance;
    }

    public long generation() {
        return generation;
    }

    /**
     * Registers an emitted record. Returns false, registering nothing, if the tracker is closed or the offset is
     * not above the last registered one (a replay of a record already emitted in this assignment). Calls must not
     * overlap: one registering thread, or calls serialized by the caller.
     */
    public boolean register(long offset, H handle) {
        if (closed || offset <= lastRegistered) {
            return false;
        }
        long t = tail;
        if (t - knownHead == offsets.length) {
            synchronized (this) {
                knownHead = head;
                if (t - knownHead == offsets.length) {
                    grow(t);
                }
            }
        }
        // the arrays are replaced only by this side (under the lock, which orders it with the acknowledgements)
        int i = (int) t & (offsets.length - 1);
        offsets[i] = offset;
        handles[i] = handle;
        lastRegistered = offset;
        // publishes the slot to acknowledgements, which load tail with acquire
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Acknowledges {@code offset}; unknown, repeated and post-close acknowledgements are ignored. */
    @Override
    @SuppressWarnings("unchecked")
    public void accept(long offset) {
        synchronized (this) {
            long t = (long) TAIL.getAcquire(this);
            if (closed || head == t) {
                return;
            }
            int idx = indexOf(offset, t);
            if (idx < 0) {
                return;
            }
            acked[idx] = true;
            int mask = offsets.length - 1;
            H advanced = null;
            long before = head;
            while (head != t && acked[(int) head & mask]) {
                int i = (int) head & mask;
                advancedOffset = offsets[i];
                advanced = (H) handles[i];
                // the ring keeps no handle it no longer needs; the registering side reuses the slot only once it
                // has seen (under this lock) the head past it
                handles[i] = null;
                acked[i] = false;
                head++;
            }
            if (head == before) {
                return;
            }
            ADVANCES.setRelease(this, advances + 1);
            if (onAdvance != null) {
                // inside the lock, so that close() (revocation) cannot interleave with a half-done advance
                onAdvance.accept(advanced);
            }
        }
    }

    /** Acknowledgements that advanced the acknowledged prefix so far; any thread. */
    public long advances() {
        return (long) ADVANCES.getAcquire(this);
    }

    /** The offset of the acknowledged prefix's last record; {@link Long#MIN_VALUE} if none advanced yet. */
    public synchronized long advancedOffset() {
        return advancedOffset;
    }

    /** Records registered and not yet part of the acknowledged prefix. */
    public synchronized int pending() {
        return closed ? 0 : (int) ((long) TAIL.getAcquire(this) - head);
    }

    /** Stops tracking: later registrations and acknowledgements are ignored. */
    public synchronized void close() {
        closed = true;
        java.util.Arrays.fill(handles, null);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Under the lock: the slot of {@code offset} among the pending ones before {@code t}, or -1. */
    private int indexOf(long offset, long t) {
        int mask = offsets.length - 1;
        if (offsets[(int) head & mask] == offset) {
            return (int) head & mask;
        }
        long lo = head;
        long hi = t - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            long v = offsets[(int) mid & mask];
            if (v < offset) {
                lo = mid + 1;
            } else if (v > offset) {
                hi = mid - 1;
            } else {
                return (int) mid & mask;
            }
        }
        return -1;
    }

    /** Under the lock, by the registering side, with the ring full ({@code t - head} slots pending). */
    private void grow(long t) {
        int n = offsets.length;
        long[] o = new long[n * 2];
        Object[] h = new Object[n * 2];
        boolean[] a = new boolean[n * 2];
        int mask = n - 1;
        int newMask = n * 2 - 1;
        // slots keep their sequence numbers, so indices computed from head and tail stay valid
        for (long s = head; s < t; s++) {
            int i = (int) s & mask;
            int j = (int) s & newMask;
            o[j] = offsets[i];
            h[j] = handles[i];
            a[j] = acked[i];
        }
        offsets = o;
        handles = h;
        acked = a;
    }
}
