package io.fluxgate.window;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What {@link UniqueUsers} does with a record whose window has already closed (and with a record too far in the
 * future, see {@link UniqueUsers.Builder#maxFutureSkew(Duration)}).
 *
 * <ul>
 *   <li>{@link #drop()}: the record is counted in the stats ({@code late}, {@code dropped}) and metrics, nothing else.</li>
 *   <li>{@link #sideOutput(Consumer)}: the record is handed, with its reason, to a consumer, synchronously on the
 *       operator's drain thread (keep it fast and non-blocking, e.g. {@code Sinks.Many::tryEmitNext}). An exception
 *       thrown by the consumer fails the stream.</li>
 *   <li>{@link #update(Duration)}: closed windows are kept for a retention in event time; each late record for a
 *       kept window re-emits it as a corrected {@link WindowCount} with revision 1, 2, ... Once a window's retention
 *       has passed, its late records are dropped and counted. Future records are dropped and counted.</li>
 * </ul>
 *
 * @param <T> the record type
 */
public final class LatePolicy<T> {

    /** Retention of {@link #update()} without an explicit retention: one minute of event time. */
    public static final Duration DEFAULT_UPDATE_RETENTION = Duration.ofMinutes(1);

    /** The kind of policy. */
    public enum Kind {
        /** Late and future records are counted and discarded. */
        DROP,
        /** Late and future records go to a consumer. */
        SIDE_OUTPUT,
        /** Closed windows are kept for a retention and re-emitted with a corrected count. */
        UPDATE
    }

    private static final LatePolicy<Object> DROP = new LatePolicy<>(Kind.DROP, null, Duration.ZERO);

    private final Kind kind;
    private final @Nullable Consumer<? super LateRecord<T>> sink;
    private final Duration retention;

    private LatePolicy(Kind kind, @Nullable Consumer<? super LateRecord<T>> sink, Duration retention) {
        this.kind = kind;
        this.sink = sink;
        this.retention = retention;
    }

    /**
     * Drop late records, counting them. This is the default.
     *
     * @param <T> the record type
     * @return the shared drop policy
     */
    @SuppressWarnings("unchecked")
    public static <T> LatePolicy<T> drop() {
        return (LatePolicy<T>) DROP;
    }

    /**
     * Hand late and future records to {@code sink}, once per window size they missed.
     *
     * @param <T> the record type
     * @param sink receives each late or future record, on the thread that delivered it; must be quick and must
     *     not throw
     * @return a side-output policy
     * @throws NullPointerException if {@code sink} is null
     */
    public static <T> LatePolicy<T> sideOutput(Consumer<? super LateRecord<T>> sink) {
        return new LatePolicy<>(Kind.SIDE_OUTPUT, Objects.requireNonNull(sink, "sink"), Duration.ZERO);
    }

    /**
     * Keep closed windows until the watermark passes {@code end + retention} (event time) and re-emit a corrected
     * count, with the next revision number, for every late record that lands in a kept window. A late record for a
     * window that received no record before it closed, but is still within retention, emits that window for the first
     * time (revision 0). The retention must be a whole multiple of the event-time unit (checked by {@code build()}).
     *
     * @param <T> the record type
     * @param retention how long, in event time past a window's end, a closed window is kept for corrections; zero
     *     or positive
     * @return an update policy
     * @throws IllegalArgumentException if {@code retention} is negative
     * @throws NullPointerException     if {@code retention} is null
     */
    public static <T> LatePolicy<T> update(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must be >= 0, was " + retention);
        }
        return new LatePolicy<>(Kind.UPDATE, null, retention);
    }

    /**
     * {@link #update(Duration)} with {@link #DEFAULT_UPDATE_RETENTION}.
     *
     * @param <T> the record type
     * @return an update policy with one minute of retention
     */
    public static <T> LatePolicy<T> update() {
        return update(DEFAULT_UPDATE_RETENTION);
    }

    /**
     * The kind of this policy.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The side-output consumer, or null unless {@link Kind#SIDE_OUTPUT}.
     *
     * @return the consumer of {@link #sideOutput}, or {@code null}
     */
    public @Nullable Consumer<? super LateRecord<T>> sink() {
        return sink;
    }

    /**
     * The retention of {@link Kind#UPDATE}; zero otherwise.
     *
     * @return the retention, zero or positive
     */
    public Duration retention() {
        return retention;
    }

    @Override
    public String toString() {
        return kind == Kind.UPDATE ? "UPDATE(" + retention + ")" : kind.name();
    }
}
