package io.fluxgate.examples.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows parsed from about {@link IngestJob#CHUNK_BYTES} of one file: the unit the parse threads hand over, and
 * the unit the progress bar counts (a file of n bytes yields ceil(n / CHUNK_BYTES) chunks, some possibly empty, so
 * the total is known before parsing starts).
 *
 * <p>A chunk also carries what parsing it found besides rows (rows rejected, blank lines, a file that failed or
 * ended, bytes read), to be {@link #apply applied} to the counters and the error file once the chunk is taken in
 * file order. A range of a split file is parsed ahead of the ranges before it (see {@link FileSplit}), so until then
 * its findings are only a proposal: if the range turns out to have started at the wrong place, its chunks are
 * dropped whole and nothing they found is counted or reported.
 */
final class Chunk {

    /** A record that did not become a row. */
    record Rejection(long line, String column, String reason, String raw) {
    }

    /**
     * Where the parser of a range (or of a whole file) stopped.
     *
     * @param offset the input offset after the last record it read: where the next range must start
     * @param lines line feeds before {@code offset}
     * @param failed the file failed there (the rest of it is not read)
     */
    record End(long offset, long lines, boolean failed) {
    }

    final List<Row> rows;
    /** The range this chunk belongs to (0 for a file that is not split). */
    final int range;
    /** The input offset its range started at. */
    final long rangeStart;
    long parsed;
    long blank;
    long bytes;
    private List<Rejection> rejections;
    /** The file failed while this chunk was read: at which line (0: none given) and why; else {@code null}. */
    String fileFailure;
    long fileFailureLine;
    /** The file was read to its end in this chunk. */
    boolean fileDone;
    /** Set on the chunk during which its range's parser stopped. */
    End end;

    Chunk(List<Row> rows, int range, long rangeStart) {
        this.rows = rows;
        this.range = range;
        this.rangeStart = rangeStart;
    }

    List<Row> rows() {
        return rows;
    }

    void reject(long line, String column, String reason, String raw) {
        if (rejections == null) {
            rejections = new ArrayList<>();
        }
        rejections.add(new Rejection(line, column, reason, raw));
    }

    /** Counts what this chunk found and writes its rejections (and a failed file) to the error file, in order. */
    void apply(InputFile file, LoadPlan plan) {
        Counters c = plan.counters();
        c.parsed.add(parsed);
        c.blank.add(blank);
        c.bytesRead.add(bytes);
        if (rejections != null) {
            c.rejected.add(rejections.size());
            for (Rejection r : rejections) {
                plan.errors().row(file, r.line(), r.column(), r.reason(), r.raw());
            }
        }
        if (fileFailure != null) {
            c.filesFailed.increment();
            plan.errors().file(file, fileFailureLine, fileFailure);
            plan.notes().accept(file.display() + ": failed" + (fileFailureLine > 0 ? " at line " + fileFailureLine
                    : "") + ": " + fileFailure);
        } else if (fileDone) {
            c.filesOk.increment();
        }
    }

    /** Drops a chunk that will not be used: its rows are no longer held. */
    void discard(LoadPlan plan) {
        plan.counters().release(rows.size());
    }
}
