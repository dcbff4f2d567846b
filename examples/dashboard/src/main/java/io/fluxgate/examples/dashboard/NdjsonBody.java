package io.fluxgate.examples.dashboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;

/**
 * Splits a request body into lines and validates every line as a frame with {@link RootFrameReader}, the reader the
 * main job uses, so a line the dashboard accepts is a line the main job counts (and the other way round).
 *
 * <p>Lines end with {@code \n}; a trailing {@code \r} is dropped from the stored value. Lines of only whitespace are
 * skipped, as the main job skips them. Line numbers start at 1 and count blank lines too, so they match an editor's.
 * A line longer than the limit ends the scan at once ({@link TooLong}): nothing after it is read.
 *
 * <p>Plain Java, no Spring, no Kafka: unit-tested on its own.
 */
final class NdjsonBody {

    private NdjsonBody() {
    }

    /** A valid line: its number, the frame's fields, and its bytes as they go to Kafka. */
    record Line(int number, String uid, long ts, byte[] value) {
        Line {
            Objects.requireNonNull(uid, "uid");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Why one line was rejected. */
    record LineError(int line, String reason) {
    }

    /** The outcome of a scan. */
    sealed interface Result permits Valid, Invalid, TooLong {
    }

    /** Every non-blank line is a frame (possibly none: an empty body). */
    record Valid(List<Line> lines) implements Result {
    }

    /**
     * At least one line is not a frame.
     *
     * @param errors the first {@code maxErrors} bad lines, in order
     * @param count  all bad lines
     */
    record Invalid(List<LineError> errors, int count) implements Result {
    }

    /** Line {@code line} has more than {@code limit} bytes. */
    record TooLong(int line, long length, long limit) implements Result {
    }

    /**
     * Scans {@code body}.
     *
     * @param maxLineBytes longest accepted line, without its line end
     * @param maxErrors    bad lines to list (all are counted)
     */
    static Result scan(byte[] body, RootFrameReader reader, int maxLineBytes, int maxErrors) {
        List<Line> lines = new ArrayList<>();
        List<LineError> errors = new ArrayList<>();
        int bad = 0;
        int number = 0;
        int from = 0;
        while (from < body.length) {
            int nl = indexOf(body, (byte) '\n', from);
            int end = nl < 0 ? body.length : nl;
            number++;
            int len = end - from;
            if (len > 0 && body[end - 1] == '\r') {
                len--;
            }
            if (len > maxLineBytes) {
                return new TooLong(number, len, maxLineBytes);
            }
            FrameResult r = reader.read(body, from, len);
            if (r instanceof FrameResult.Frame f) {
                if (bad == 0) {
                    lines.add(new Line(number, f.uid(), f.ts(), Arrays.copyOfRange(body, from, from + len)));
                }
            } else if (r instanceof FrameResult.Malformed m) {
                bad++;
                if (errors.size() < maxErrors) {
                    errors.add(new LineError(number, m.reason()));
                }
            }
            from = end + 1;
        }
        return bad > 0 ? new Invalid(List.copyOf(errors), bad) : new Valid(List.copyOf(lines));
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
