package io.fluxgate.window;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which input records are fully accounted for once the {@link WindowCount} carrying this checkpoint has been
 * durably handled downstream. Present when the operator was built with
 * {@link UniqueUsers.Builder#positions(java.util.function.ToLongFunction) positions(...)}.
 *
 * <p>For each partition seen, {@link Mark#resumePosition()} is the smallest position among that partition's records
 * still held in windows not yet emitted (windows still open, windows closed in the same step but emitted after this
 * one, and windows retained by {@link LatePolicy#update UPDATE}), or the last seen position + 1 when none is held.
 * Every record of the partition below it has contributed only to windows emitted up to and including this one (or
 * was rejected and counted). {@link Mark#maxEventTimeBefore()} is the partition's largest event time over its records
 * below the resume position ({@link Long#MIN_VALUE} if there were none), which restores lateness exactly on resume.
 * {@link #emittedUpTo()} maps each window size to the end of the largest window of that size emitted so far.
 *
 * <p>Crash-safe use (Kafka): after the downstream has acknowledged this window, commit each partition's resume
 * position; after a restart, seek every partition to its committed resume position and build the operator with
 * {@link UniqueUsers.Builder#resumeFrom(ResumeState) resumeFrom(checkpoint.toResumeState())}. Windows re-emitted after
 * the restart are the same windows with the same counts (last write wins by size and start); windows that were
 * already emitted are not emitted again. Positions must increase within a partition in arrival order.
 *
 * <p>Limits: the equivalence holds for {@link LatePolicy#drop() DROP} and {@link LatePolicy#sideOutput SIDE_OUTPUT}
 * (a replayed late record is then counted as {@code replayedSkipped} rather than {@code late}, and is not handed to
 * the side output again). Under {@link LatePolicy#update UPDATE} the windows emitted before the checkpoint are not
 * rebuilt after a restart, so late corrections to them stop (their records are skipped as replayed). Watermark
 * advances made by idle flush are not part of the checkpoint; after a restart the watermark follows event time only
 * until the stream is quiet again.
 */
public final class Checkpoint {

    /** The partition key used when the operator was built without {@code partitions(...)}. */
    public static final Object SINGLE_PARTITION = 0;

    /**
     * One partition's mark.
     *
     * @param resumePosition     first position to re-read after a crash
     * @param maxEventTimeBefore the partition's max event time over records below {@code resumePosition};
     *                           {@link Long#MIN_VALUE} if none
     */
    public record Mark(long resumePosition, long maxEventTimeBefore) {
    }

    private final Map<Object, Mark> marks;
    private final Map<Duration, Long> emittedUpTo;

    /**
     * Creates a checkpoint; both maps are copied.
     *
     * @param marks per partition key, its mark
     * @param emittedUpTo per window size, the end of the largest window of that size emitted so far
     * @throws NullPointerException if a map is null
     */
    public Checkpoint(Map<?, Mark> marks, Map<Duration, Long> emittedUpTo) {
        this.marks = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(marks, "marks")));
        this.emittedUpTo = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(emittedUpTo, "emittedUpTo")));
    }

    /**
     * Per partition key (as returned by {@code partitionOf}), its mark.
     *
     * @return an unmodifiable map, in the order the partitions were first seen
     */
    public Map<Object, Mark> marks() {
        return marks;
    }

    /**
     * The mark of one partition, or null if the operator has not seen it.
     *
     * @param partition a partition key as returned by {@code partitionOf}
     * @return the mark, or {@code null}
     */
    public @Nullable Mark mark(Object partition) {
        return marks.get(partition);
    }

    /**
     * Per window size, the end of the largest window of that size emitted so far (absent: none yet).
     *
     * @return an unmodifiable map from window size to the exclusive end of the last emitted window, in the
     *     event-time unit
     */
    public Map<Duration, Long> emittedUpTo() {
        return emittedUpTo;
    }

    /**
     * The state to pass to {@link UniqueUsers.Builder#resumeFrom(ResumeState)} after a restart from this checkpoint.
     *
     * @return the resume state holding each partition's max event time before its resume position and
     *     {@link #emittedUpTo()}
     */
    public ResumeState toResumeState() {
        Map<Object, Long> max = new LinkedHashMap<>();
        marks.forEach((p, m) -> max.put(p, m.maxEventTimeBefore()));
        return ResumeState.of(max, emittedUpTo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && marks.equals(c.marks) && emittedUpTo.equals(c.emittedUpTo);
    }

    @Override
    public int hashCode() {
        return marks.hashCode() * 31 + emittedUpTo.hashCode();
    }

    @Override
    public String toString() {
        return "Checkpoint{marks=" + marks + ", emittedUpTo=" + emittedUpTo + "}";
    }
}
