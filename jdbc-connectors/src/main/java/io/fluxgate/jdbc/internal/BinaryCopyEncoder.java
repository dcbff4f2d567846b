package io.fluxgate.jdbc.internal;

import io.fluxgate.jdbc.RejectedRow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * throws or whose value is refused is cut out of the bytes again and rejected. The result is a list of pieces of
 * at most {@link #MAX_PIECE_SIZE} bytes (whole rows each, so a small batch holds a small buffer), grouped into COPY
 * data messages of about {@code messageSize} bytes and re-sent as they are on a retry. Large messages matter: the
 * driver sends one message at a time and waits for each write, so with small messages the server idled between
 * them (64 KiB messages: the sink at 0.85x psql on one connection; 1 MiB: 0.94-0.97x, same run). Encoding ahead of the COPY (rather than while the driver writes, on its event loop) lets the next batch be
 * encoded while the server ingests the current one; it costs the bytes of the batches held, about the size of the
 * elements themselves.
 */
public final class BinaryCopyEncoder<T> {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    /** The largest buffer a batch's bytes are written into (a row larger than this gets a piece of its own). */
    public static final int MAX_PIECE_SIZE = 64 * 1024;

    private final CopyColumn<T>[] columns;
    private final int pieceSize;
    private final int messageSize;
    private final ByteBufAllocator allocator;

    /**
     * @param columns     the columns, in the COPY statement's order
     * @param messageSize bytes per COPY data message (a message ends at the first piece boundary past it)
     * @param allocator   where the pieces come from (heap buffers)
     */
    public BinaryCopyEncoder(List<CopyColumn<T>> columns, int messageSize, ByteBufAllocator allocator) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        CopyColumn<T>[] array = columns.toArray(new CopyColumn[0]);
        this.columns = array;
        this.pieceSize = Math.min(messageSize, MAX_PIECE_SIZE);
        this.messageSize = messageSize;
        this.allocator = allocator;
    }

    /**
     * One batch checked and encoded: its accepted rows (the input list itself when none was rejected), the
     * rejections in input order, and the COPY stream as chunks, empty when no row was accepted. Holds pooled
     * buffers until {@link #release()}.
     */
    public static final class Encoded<T> {
        private final List<T> batch;
        private final List<T> accepted;
        private final List<RejectedRow<T>> rejected;
        private final List<ByteBuf> chunks;
        private final int messageSize;
        private final long startNanos;
        private final AtomicBoolean released = new AtomicBoolean();

        Encoded(List<T> batch, List<T> accepted, List<RejectedRow<T>> rejected, List<ByteBuf> chunks,
                int messageSize, long startNanos) {
            this.batch = batch;
            this.accepted = accepted;
            this.rejected = rejected;
            this.chunks = chunks;
            this.messageSize = messageSize;
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
            for (ByteBuf c : chunks) {
                n += c.readableBytes();
            }
            return n;
        }

        /**
         * The bytes for one attempt, one inner publisher per COPY data message (as the driver's {@code fromMany}
         * takes them; it joins an inner publisher's buffers into one message), each message the pieces up to the
         * first boundary at or past the message size. Each piece is a retained view taken when the driver asks for
         * it, so an attempt abandoned half way leaks nothing and the next attempt re-sends the same bytes.
         */
        public Flux<Publisher<ByteBuf>> copyData() {
            List<Publisher<ByteBuf>> messages = new ArrayList<>();
            int from = 0;
            long bytes = 0;
            for (int i = 0; i < chunks.size(); i++) {
                bytes += chunks.get(i).readableBytes();
                if (bytes >= messageSize || i == chunks.size() - 1) {
                    // indices, not the pieces: the driver releases what a cancelled publisher discards, and the
                    // pieces themselves stay this batch's until release()
                    messages.add(Flux.range(from, i + 1 - from).map(p -> chunks.get(p).retainedDuplicate()));
                    from = i + 1;
                    bytes = 0;
                }
            }
            return Flux.fromIterable(messages);
        }

        /** Returns the chunks to the pool; idempotent, so a cancel racing completion is harmless. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                for (ByteBuf c : chunks) {
                    c.release();
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
        List<ByteBuf> chunks = new ArrayList<>();
        List<RejectedRow<T>> rejected = null;
        List<T> accepted = null;
        ByteBuf buf = null;
        int written = 0;
        try {
            for (int r = 0, n = rows.size(); r < n; r++) {
                if (buf == null || buf.writerIndex() >= pieceSize) {
                    buf = newChunk(chunks);
                    if (chunks.size() == 1) {
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
                release(chunks);
                chunks = List.of();
            } else {
                buf.writeShort(-1);
            }
        } catch (RuntimeException | Error e) {
            release(chunks);
            throw e;
        }
        return rejected == null
                ? new Encoded<>(rows, rows, List.of(), chunks, messageSize, startNanos)
                : new Encoded<>(rows, accepted, rejected, chunks, messageSize, startNanos);
    }

    private ByteBuf newChunk(List<ByteBuf> chunks) {
        // heap, not direct: the bytes of the batches in flight sit on the heap beside their elements, bounded and
        // accounted with them (the driver copies each chunk into its own direct buffer for the socket anyway)
        ByteBuf buf = allocator.heapBuffer(pieceSize + (pieceSize >> 3));
        chunks.add(buf);
        return buf;
    }

    private static void release(List<ByteBuf> chunks) {
        for (ByteBuf c : chunks) {
            c.release();
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
