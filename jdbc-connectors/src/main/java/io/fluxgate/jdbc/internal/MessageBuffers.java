package io.fluxgate.jdbc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayDeque;

/**
 * Heap buffers of one size for the COPY data messages of one sink, whose arrays are reused once a buffer's last
 * reference is released (the batch's, or the driver's if it still holds one).
 *
 * <p>Why: a sink writes its whole input as messages of about the same size, tens of megabytes a second; fresh
 * arrays of that size (256 KiB and up: large objects for the collector, G1's "humongous" ones) made most of the
 * sink's garbage and its collections, and the driver's pooled allocator did not reuse them (they are allocated on
 * the encoding thread and released on an event loop). At most {@code maxRetained} spare arrays are kept, so an idle
 * sink holds at most that many times the buffer size.
 */
public final class MessageBuffers {

    private final int capacity;
    private final int maxRetained;
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();

    /**
     * @param capacity    bytes per buffer
     * @param maxRetained spare arrays kept for reuse at most
     */
    public MessageBuffers(int capacity, int maxRetained) {
        this.capacity = capacity;
        this.maxRetained = maxRetained;
    }

    /** A buffer of {@link #capacity()} bytes (it grows beyond that if written past it), reference count 1. */
    public ByteBuf take() {
        byte[] array;
        synchronized (spare) {
            array = spare.pollLast();
        }
        ByteBuf buf = new Recycled(this, array != null ? array : new byte[capacity]);
        return buf.clear(); // the wrapping constructor makes the whole array readable
    }

    public int capacity() {
        return capacity;
    }

    /** Spare arrays held now (for tests). */
    int spareCount() {
        synchronized (spare) {
            return spare.size();
        }
    }

    private void giveBack(byte[] array) {
        if (array.length != capacity) {
            return; // a buffer grown past its size: its array goes to the collector
        }
        synchronized (spare) {
            if (spare.size() < maxRetained) {
                spare.addLast(array);
            }
        }
    }

    /** Netty's plain heap buffer over a given array; the array comes back here when it is freed (refCnt 0). */
    private static final class Recycled extends UnpooledHeapByteBuf {
        private final MessageBuffers owner;

        Recycled(MessageBuffers owner, byte[] array) {
            super(UnpooledByteBufAllocator.DEFAULT, array, Integer.MAX_VALUE);
            this.owner = owner;
        }

        @Override
        protected void freeArray(byte[] array) {
            owner.giveBack(array);
        }
    }
}
