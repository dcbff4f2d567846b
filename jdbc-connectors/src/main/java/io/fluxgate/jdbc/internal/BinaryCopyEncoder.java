package io.fluxgate.jdbc.internal;

import io.fluxgate.jdbc.RejectedRow;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * PostgreSQL's binary COPY format: signature {@code PGCOPY\n\377\r\n\0}, flags and header-extension words, then
 * per row a 16-bit field count and length-prefixed fields, and a -1 trailer.
 *
 * <p>{@link #encode} checks and encodes a batch in one pass, each column read, checked and written in one call
 * ({@link CopyColumn#write}), each getter called once per row: a row whose getter
 * throws or whose value is refused is cut out of the bytes again and rejected. The result is a list of COPY data
 * messages, each one contiguous buffer of whole rows, closed at the first row ending at or past
 * {@code messageSize}, and re-sent as they are on a retry.
 *
 * <p>Why one buffer per message: the driver copies each message into a direct buffer of its own, and a message
 * made of several buffers it first merged into a fresh heap array (a second copy, and a large object for the
 * collector per message). Why large messages: the driver sends one message at a time and waits for each write, so
 * with small messages the server idled between them (64 KiB messages: the sink at 0.85x psql on one connection;
 * 1 MiB: 0.94-0.97x, same run). The buffers come from a {@link MessageBuffers} of the encoder's, so their arrays are
 * reused rather than collected. Encoding ahead of the COPY (rather than while the driver writes, on its event loop)
 * lets the next batch be encoded while the server ingests the current one; it costs the bytes of the batches held,
 * about the size of the elements themselves.
 */
public final class BinaryCopyEncoder<T> {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private final CopyColumn<T>[] columns;
    private final int messageSize;
    private final MessageBuffers buffers;

    /**
     * @param columns       the columns, in the COPY statement's order
     * @param messageSize   bytes per COPY data message (a message ends with the first row ending at or past it)
     * @param maxSpareBytes released message buffers kept for reuse at most, in bytes (at least two buffers are)
     */
    public BinaryCopyEncoder(List<CopyColumn<T>> columns, int messageSize, int maxSpareBytes) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        CopyColumn<T>[] array = columns.toArray(new CopyColumn[0]);
        this.columns = array;
        this.messageSize = messageSize;
        // room past messageSize for the row that crosses it: a buffer written past its capacity grows, a copy
        int capacity = messageSize + Math.max(messageSize >> 3, 1024);
        this.buffers = new MessageBuffers(capacity, Math.max(2, maxSpareBytes / capacity));
    }

    /**
     * One batch checked and encoded: its accepted rows (the input list itself when none was rejected), the
     * rejections in input order, and the COPY stream as messages, none when no row was accepted. Holds the message
     * buffers until {@link #release()}.
     */
    public static final class Encoded<T> {
        private final List<T> batch;
        private final List<T> accepted;
        private final List<RejectedRow<T>> rejected;
        private final List<ByteBuf> messages;
        private final long startNanos;
        private final AtomicBoolean released = new AtomicBoolean();

        Encoded(List<T> batch, List<T> accepted, List<RejectedRow<T>> rejected, List<ByteBuf> messages,
                long startNanos) {
            this.batch = batch;
            this.accepted = accepted;
            this.rejected = rejected;
            this.messages = messages;
            this.startNanos = startNanos;
        }

        public List<T> batch() {
            return batch;
        }

        public List<T> accepted() {
            return accepted;
        }

        public List<RejectedRow<T>> rejected() {
            return rejected;
        }

        /** When the batch arrived, on the sink's clock. */
        public long startNanos() {
            return startNanos;
        }

        /** The COPY stream's bytes (header and trailer included). */
        public long bytes() {
            long n = 0;
            for (ByteBuf m : messages) {
                n += m.readableBytes();
            }
            return n;
        }

        /** How many COPY data messages {@link #copyData()} sends. */
        public int messageCount() {
            return messages.size();
        }

        /**
         * The bytes for one attempt, one inner publisher of one buffer per COPY data message (as the driver's
         * {@code fromMany} takes them). Each is a retained view taken when the driver asks for it, so an attempt
         * abandoned half way leaks nothing and the next attempt re-sends the same bytes.
         */
        public Flux<Publisher<ByteBuf>> copyData() {
            // indices, not the buffers: the driver releases what a cancelled publisher discards, and the buffers
            // themselves stay this batch's until release()
            return Flux.range(0, messages.size())
                    .map(i -> Mono.fromSupplier(() -> messages.get(i).retainedDuplicate()));
        }

        /** Releases the message buffers; idempotent, so a cancel racing completion is harmless. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                for (ByteBuf m : messages) {
                    m.release();
                }
            }
        }
    }

    /**
     * Checks and encodes {@code rows} in one pass: every getter runs once per row, then its value check and its
     * encoding; a row failing any of them is removed from the bytes and rejected with the column and the cause.
     *
     * @param rows       the batch
     * @param startNanos when the batch arrived, kept for its latency
     */
    public Encoded<T> encode(List<T> rows, long startNanos) {
        List<ByteBuf> messages = new ArrayList<>();
        List<RejectedRow<T>> rejected = null;
        List<T> accepted = null;
        ByteBuf buf = null;
        int written = 0;
        try {
            for (int r = 0, n = rows.size(); r < n; r++) {
                if (buf == null || buf.writerIndex() >= messageSize) {
                    buf = buffers.take();
                    messages.add(buf);
                    if (messages.size() == 1) {
                        buf.writeBytes(SIGNATURE);
                        buf.writeInt(0); // flags: no OIDs
                        buf.writeInt(0); // header extension length
                    }
                }
                T row = rows.get(r);
                RejectedRow<T> rejection = writeRow(buf, row);
                if (rejection != null) {
                    if (rejected == null) {
                        rejected = new ArrayList<>();
                        accepted = new ArrayList<>(rows.subList(0, r));
                    }
                    rejected.add(rejection);
                } else {
                    written++;
                    if (accepted != null) {
                        accepted.add(row);
                    }
                }
            }
            if (written == 0) {
                release(messages);
                messages = List.of();
            } else {
                buf.writeShort(-1);
            }
        } catch (RuntimeException | Error e) {
            release(messages);
            throw e;
        }
        return rejected == null
                ? new Encoded<>(rows, rows, List.of(), messages, startNanos)
                : new Encoded<>(rows, accepted, rejected, messages, startNanos);
    }

    private static void release(List<ByteBuf> messages) {
        for (ByteBuf m : messages) {
            m.release();
        }
    }

    /** Writes one row, or nothing (the buffer back where it was) and the rejection. */
    private RejectedRow<T> writeRow(ByteBuf buf, T row) {
        CopyColumn<T>[] cols = columns;
        int start = buf.writerIndex();
        buf.writeShort(cols.length);
        for (CopyColumn<T> c : cols) {
            try {
                c.write(buf, row);
            } catch (RuntimeException e) {
                buf.writerIndex(start);
                return new RejectedRow<>(row, c.name(), e);
            }
        }
        return null;
    }
}
