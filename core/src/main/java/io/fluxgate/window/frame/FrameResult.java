package io.fluxgate.window.frame;

import java.util.Objects;

/**
 * Outcome of reading one {@code {"uid": ..., "ts": ...}} frame with {@link RootFrameReader}: a valid
 * {@link Frame}, a {@link Blank} line (whitespace only; callers skip it, it is not an error), or a
 * {@link Malformed} value with the reason it was rejected.
 */
public sealed interface FrameResult permits FrameResult.Frame, FrameResult.Blank, FrameResult.Malformed {

    /** A valid frame: a non-empty user id and an integer timestamp within [-2^62, 2^62]. */
    record Frame(String uid, long ts) implements FrameResult {
        /**
         * Validates the frame.
         *
         * @param uid the user id, not empty
         * @param ts the timestamp, within [-2^62, 2^62]
         * @throws NullPointerException if {@code uid} is null
         */
        public Frame {
            Objects.requireNonNull(uid, "uid");
        }
    }

    /** A value that holds only JSON whitespace (or nothing). */
    final class Blank implements FrameResult {
        static final Blank INSTANCE = new Blank();

        private Blank() {
        }

        @Override
        public String toString() {
            return "Blank";
        }
    }

    /** A rejected value; {@code reason} says why in a few words (e.g. {@code "ts is a float, not an integer"}). */
    record Malformed(String reason) implements FrameResult {
        /**
         * Validates the result.
         *
         * @param reason why the value was rejected, in a few words
         * @throws NullPointerException if {@code reason} is null
         */
        public Malformed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The shared {@link Blank} result.
     *
     * @return the single blank result
     */
    static Blank blank() {
        return Blank.INSTANCE;
    }
}
