package io.fluxgate.window.internal;

import java.util.Arrays;

/**
 * A set of primitive {@code long}s with open addressing and linear probing: no boxing, one {@code long[]} per set.
 *
 * <p>Keys are scrambled with a Fibonacci multiply before indexing, so user-supplied keys that are sequential (ids
 * 1, 2, 3 ...) spread as well as hashed ones. Zero is the empty-slot marker, so the key 0 is tracked by a flag.
 * The table doubles when it is half full, keeping probe sequences short; at 100k keys it holds 256k slots (2 MiB).
 * Not thread-safe: each window owns one and only the operator's drain loop touches it.
 */
public final class LongHashSet {

    static final int MIN_CAPACITY = 16;
    private static final long PHI = 0x9E3779B97F4A7C15L;

    private long[] table;
    private int mask;
    private int shift;
    private int size;
    private int resizeAt;
    private boolean hasZero;

    public LongHashSet() {
        this(MIN_CAPACITY);
    }

    /** @param expected keys expected; the table is sized so that many fit without a resize */
    public LongHashSet(int expected) {
        if (expected < 0) {
            throw new IllegalArgumentException("expected must be >= 0, was " + expected);
        }
        int cap = MIN_CAPACITY;
        while (cap < (1 << 30) && cap / 2 < expected) {
            cap <<= 1;
        }
        allocate(cap);
    }

    private void allocate(int capacity) {
        table = new long[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        resizeAt = capacity >>> 1;
    }

    /** @return true if {@code key} was not in the set before */
    public boolean add(long key) {
        if (key == 0L) {
            if (hasZero) {
                return false;
            }
            hasZero = true;
            size++;
            return true;
        }
        long[] t = table;
        int i = (int) ((key * PHI) >>> shift);
        for (;;) {
            long k = t[i];
            if (k == 0L) {
                t[i] = key;
                if (++size - (hasZero ? 1 : 0) > resizeAt) {
                    grow();
                }
                return true;
            }
            if (k == key) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    public boolean contains(long key) {
        if (key == 0L) {
            return hasZero;
        }
        long[] t = table;
        int i = (int) ((key * PHI) >>> shift);
        for (;;) {
            long k = t[i];
            if (k == 0L) {
                return false;
            }
            if (k == key) {
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    public int size() {
        return size;
    }

    /** Slots allocated (a power of two); for memory accounting. */
    public int capacity() {
        return table.length;
    }

    /** Forgets every key but keeps the table when it is small, so a pooled set can be reused without garbage. */
    public void clear() {
        if (table.length > 4096) {
            allocate(MIN_CAPACITY);
        } else {
            Arrays.fill(table, 0L);
        }
        size = 0;
        hasZero = false;
    }

    private void grow() {
        long[] old = table;
        if (old.length >= (1 << 30)) {
            throw new IllegalStateException("LongHashSet cannot grow beyond 2^30 slots");
        }
        allocate(old.length << 1);
        long[] t = table;
        for (long key : old) {
            if (key != 0L) {
                int i = (int) ((key * PHI) >>> shift);
                while (t[i] != 0L) {
                    i = (i + 1) & mask;
                }
                t[i] = key;
            }
        }
    }
}
