package io.fluxgate.window;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a restarted {@link UniqueUsers} operator needs to continue exactly where a {@link Checkpoint} left off:
 * per partition the max event time before its resume position (so lateness is judged as before the crash) and per
 * window size the end of the last emitted window (records of windows ending at or before it are skipped, counted as
 * {@code replayedSkipped}, never emitted twice). Usually obtained with {@link Checkpoint#toResumeState()}, or rebuilt
 * from stored values with {@link #of(Map, Map)}.
 */
public final class ResumeState {

    private static final ResumeState EMPTY = new ResumeState(Map.of(), Map.of());

    private final Map<Object, Long> maxEventTimeBefore;
    private final Map<Duration, Long> emittedUpTo;

    private ResumeState(Map<Object, Long> maxEventTimeBefore, Map<Duration, Long> emittedUpTo) {
        this.maxEventTimeBefore = maxEventTimeBefore;
        this.emittedUpTo = emittedUpTo;
    }

    /**
     * Nothing to resume: a fresh start.
     *
     * @return the empty state
     */
    public static ResumeState empty() {
        return EMPTY;
    }

    /**
     * @param maxEventTimeBefore per partition key, the stored max event time ({@link Long#MIN_VALUE}: none)
     * @param emittedUpTo        per window size, the stored end of the largest emitted window
     * @return a resume state holding copies of both maps
     * @throws NullPointerException if a map, key or value is null
     */
    public static ResumeState of(Map<?, Long> maxEventTimeBefore, Map<Duration, Long> emittedUpTo) {
        Map<Object, Long> m = new LinkedHashMap<>();
        Objects.requireNonNull(maxEventTimeBefore, "maxEventTimeBefore").forEach((k, v) ->
                m.put(Objects.requireNonNull(k, "partition key"), Objects.requireNonNull(v, "maxEventTimeBefore of " + k)));
        Map<Duration, Long> e = new LinkedHashMap<>();
        Objects.requireNonNull(emittedUpTo, "emittedUpTo").forEach((k, v) ->
                e.put(Objects.requireNonNull(k, "window size"), Objects.requireNonNull(v, "emittedUpTo of " + k)));
        return new ResumeState(Collections.unmodifiableMap(m), Collections.unmodifiableMap(e));
    }

    /**
     * Per partition key, the max event time of the records before its resume position.
     *
     * @return an unmodifiable map; {@link Long#MIN_VALUE} means none
     */
    public Map<Object, Long> maxEventTimeBefore() {
        return maxEventTimeBefore;
    }

    /**
     * Per window size, the end of the largest window of that size emitted before the checkpoint.
     *
     * @return an unmodifiable map, in the event-time unit
     */
    public Map<Duration, Long> emittedUpTo() {
        return emittedUpTo;
    }

    /**
     * Whether there is nothing to resume from.
     *
     * @return {@code true} for a fresh start
     */
    public boolean isEmpty() {
        return maxEventTimeBefore.isEmpty() && emittedUpTo.isEmpty();
    }

    @Override
    public String toString() {
        return "ResumeState{maxEventTimeBefore=" + maxEventTimeBefore + ", emittedUpTo=" + emittedUpTo + "}";
    }
}
