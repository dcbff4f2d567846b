package io.fluxgate.jdbc.internal;

import io.fluxgate.jdbc.RejectedRow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * PostgreSQL's binary COPY format: signature {@code PGCOPY\n\377\r\n\0}, flags and header-extension words, then
 * per row a 16-bit field count and length-prefixed fields, and a -1 trailer.
 *
 * <p>{@link #validate} runs every getter and check once per row before the COPY; {@link #encode} then writes the
 * accepted rows lazily, one chunk of about {@code chunkSize} bytes per request, so a batch never sits in memory
 * as bytes and a retry re-encodes from the elements.
 */
public final class BinaryCopyEncoder<T> {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private final CopyColumn<T>[] columns;
    private final int chunkSize;
    private final ByteBufAllocator allocator;

    public BinaryCopyEncoder(List<CopyColumn<T>> columns, int chunkSize, ByteBufAllocator allocator) {
        @SuppressWarnings("unchecked")
        CopyColumn<T>[] array = columns.toArray(new CopyColumn[0]);
        this.columns = array;
        this.chunkSize = chunkSize;
        this.allocator = allocator;
    }

    /** Accepted rows and rejections of one batch. */
    public record Validated<T>(List<T> accepted, List<RejectedRow<T>> rejected) {
    }

    /** Runs every getter and value check; a row whose getter throws or whose value is refused is rejected. */
    public Validated<T> validate(List<T> rows) {
        List<RejectedRow<T>> rejected = null;
        List<T> accepted = null;
        for (int r = 0, n = rows.size(); r < n; r++) {
            T row = rows.get(r);
            RejectedRow<T> rejection = check(row);
            if (rejection != null) {
                if (rejected == null) {
                    rejected = new ArrayList<>();
                    accepted = new ArrayList<>(rows.subList(0, r));
                }
                rejected.add(rejection);
            } else if (accepted != null) {
                accepted.add(row);
            }
        }
        return rejected == null ? new Validated<>(rows, List.of()) : new Validated<>(accepted, rejected);
    }

    private RejectedRow<T> check(T row) {
        for (CopyColumn<T> c : columns) {
            try {
                Object v = c.get(row);
                if (v != null) {
                    c.check(v);
                }
            } catch (RuntimeException e) {
                return new RejectedRow<>(row, c.name(), e);
            }
        }
        return null;
    }

    /**
     * The COPY stream for {@code rows}, generated on demand: each emitted buffer holds whole rows and is about
     * {@code chunkSize} bytes (more for a single larger row). A getter failing now (it passed {@link #validate})
     * fails the stream, which aborts the COPY.
     */
    public Flux<ByteBuf> encode(List<T> rows) {
        return Flux.generate(() -> new int[] {-1}, (next, sink) -> {
            if (next[0] > rows.size()) {
                sink.complete();
                return next;
            }
            ByteBuf buf = allocator.buffer(chunkSize + (chunkSize >> 3));
            try {
                if (next[0] < 0) {
                    buf.writeBytes(SIGNATURE);
                    buf.writeInt(0); // flags: no OIDs
                    buf.writeInt(0); // header extension length
                    next[0] = 0;
                }
                int r = next[0];
                for (int n = rows.size(); r < n && buf.writerIndex() < chunkSize; r++) {
                    writeRow(buf, rows.get(r));
                }
                if (r == rows.size()) {
                    buf.writeShort(-1);
                    r++;
                }
                next[0] = r;
            } catch (RuntimeException e) {
                buf.release();
                sink.error(e);
                return next;
            }
            sink.next(buf);
            return next;
        });
    }

    private void writeRow(ByteBuf buf, T row) {
        CopyColumn<T>[] cols = columns;
        buf.writeShort(cols.length);
        for (CopyColumn<T> c : cols) {
            Object v = c.get(row);
            if (v == null) {
                buf.writeInt(-1);
            } else {
                c.write(buf, v);
            }
        }
    }
}
