package io.fluxgate.aggregate;

import org.jspecify.annotations.Nullable;

import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Aggregate} does with a part for a key whose group was already closed and is still remembered (see
 * {@link Aggregate.Settings#rememberClosedKeys}). A part for a key no longer remembered opens a new group.
 *
 * <ul>
 *   <li>{@link #drop()} (the default): the part is counted in {@link AggregateStats#late()} and goes to Reactor's
 *       discard hook.</li>
 *   <li>{@link #sideOutput(Consumer)}: the part is counted and handed to a consumer, synchronously on the thread
 *       that delivered it, outside the operator's lock (keep it fast and non-blocking, e.g. a {@code Sinks.Many}
 *       with {@code emitNext(part, Sinks.EmitFailureHandler.busyLooping(...))}). An exception thrown by the
 *       consumer fails the stream.</li>
 * </ul>
 *
 * @param <K> the correlation key type
 * @param <T> the part value type
 */
public final class LatePartPolicy<K, T> {

    private static final LatePartPolicy<Object, Object> DROP = new LatePartPolicy<>(null);

    private final @Nullable Consumer<? super LatePart<K, T>> sink;

    private LatePartPolicy(@Nullable Consumer<? super LatePart<K, T>> sink) {
        this.sink = sink;
    }

    /**
     * Drop late parts, counting them in {@link AggregateStats#late()} and handing them to Reactor's discard hook.
     *
     * @param <K> the correlation key type
     * @param <T> the part value type
     * @return the shared drop policy (the default)
     */
    @SuppressWarnings("unchecked")
    public static <K, T> LatePartPolicy<K, T> drop() {
        return (LatePartPolicy<K, T>) DROP;
    }

    /**
     * Hand late parts to {@code sink}, counting them in {@link AggregateStats#late()}.
     *
     * @param <K>  the correlation key type
     * @param <T>  the part value type
     * @param sink called synchronously, outside the operator's lock, for each late part; what it throws fails
     *             the stream
     * @return a side-output policy
     * @throws NullPointerException if {@code sink} is null
     */
    public static <K, T> LatePartPolicy<K, T> sideOutput(Consumer<? super LatePart<K, T>> sink) {
        return new LatePartPolicy<>(Objects.requireNonNull(sink, "sink"));
    }

    /**
     * The side-output consumer.
     *
     * @return the consumer given to {@link #sideOutput}, or null for {@link #drop()}
     */
    public @Nullable Consumer<? super LatePart<K, T>> sink() {
        return sink;
    }

    @Override
    public String toString() {
        return sink == null ? "DROP" : "SIDE_OUTPUT";
    }
}
