package io.fluxgate.breaker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The last N outcomes, lock-free. Each record takes a slot index, swaps its outcome into the slot and adds the
 * difference (new minus evicted) to one packed counter word; the word returned by that add is a consistent
 * snapshot, so the verdict needs no lock. Under contention two records may land in one slot (the ring is
 * approximate about which call is the oldest) but the counters always equal the sum of the slots.
 */
final class CountWindow extends Window {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle COUNTS;
    private static final VarHandle CURSOR;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNTS = l.findVarHandle(CountWindow.class, "counts", long.class);
            CURSOR = l.findVarHandle(CountWindow.class, "cursor", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots;
    @SuppressWarnings("unused") private volatile long counts;
    @SuppressWarnings("unused") private volatile int cursor;

    CountWindow(int size, int minimumNumberOfCalls, float failureRateThreshold, float slowCallRateThreshold) {
        super(minimumNumberOfCalls, failureRateThreshold, slowCallRateThreshold);
        this.slots = new long[size];
    }

    @Override
    int record(long outcome, long nowNanos) {
        int i = (int) CURSOR.getAndAdd(this, 1);
        int index = Integer.remainderUnsigned(i, slots.length);
        long evicted = (long) SLOTS.getAndSet(slots, index, outcome);
        long c = (long) COUNTS.getAndAdd(this, outcome - evicted) + (outcome - evicted);
        return verdict(c & 0xFFFF, (c >>> 16) & 0xFFFF, (c >>> 32) & 0xFFFF);
    }

    @Override
    long[] counts(long nowNanos) {
        long c = (long) COUNTS.getVolatile(this);
        return new long[] {c & 0xFFFF, (c >>> 16) & 0xFFFF, (c >>> 32) & 0xFFFF, (c >>> 48) & 0xFFFF};
    }
}
