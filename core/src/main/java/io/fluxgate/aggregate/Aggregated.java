package io.fluxgate.aggregate;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One result of {@link Aggregate}: the parts gathered for one correlation key. The type says whether the group
 * completed ({@link Complete}) or was closed before its completion condition held ({@link Partial}, emitted only
 * under {@link IncompletePolicy#EMIT_PARTIAL}), so a consumer cannot mistake a timed-out group for a finished one:
 *
 * <pre>{@code
 * if (group instanceof Aggregated.Partial<String, Object> partial) {
 *     alerts.missing(partial.key(), partial.reason());
 * } else {
 *     orders.ship(group.key(), group.parts());
 * }
 * }</pre>
 *
 * <p>{@link #parts()} maps part name to value in arrival order (a replaced duplicate keeps its first position); it is
 * unmodifiable.
 *
 * @param <K> the correlation key type
 * @param <T> the part value type
 */
public sealed interface Aggregated<K, T> permits Aggregated.Complete, Aggregated.Partial {

    /**
     * The correlation key.
     *
     * @return the key all parts of this group share
     */
    K key();

    /**
     * Part name to value, in arrival order.
     *
     * @return an unmodifiable map; never empty
     */
    Map<String, T> parts();

    /**
     * Whether the group's completion condition held.
     *
     * @return {@code true} for a {@link Complete} group, {@code false} for a {@link Partial} one
     */
    boolean isComplete();

    /**
     * The value of part {@code name}, or null if that part is absent.
     *
     * @param name the part name
     * @return its value, or null if that part did not arrive
     *
     * @throws NullPointerException if {@code name} is null
     */
    default @Nullable T part(String name) {
        return parts().get(Objects.requireNonNull(name, "name"));
    }

    /** Why a group was closed before its completion condition held. */
    enum Reason {
        /** Its completion timeout passed (measured from its first part). */
        TIMED_OUT,
        /** It was the oldest open group when a new key arrived and {@code maxKeys} groups were open. */
        EVICTED,
        /** The source completed while it was open. */
        SOURCE_COMPLETED
    }

    /**
     * A group whose completion condition held.
     *
     * @param key   the correlation key
     * @param parts part name to value, in arrival order
     * @param <K>   the correlation key type
     * @param <T>   the part value type
     */
    record Complete<K, T>(K key, Map<String, T> parts) implements Aggregated<K, T> {
        /**
         * Checks the components; the operator passes an unmodifiable map.
         *
         * @param key   the correlation key
         * @param parts part name to value, in arrival order
         * @throws NullPointerException if an argument is null
         */
        public Complete {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(parts, "parts");
        }

        @Override
        public boolean isComplete() {
            return true;
        }
    }

    /**
     * A group closed before its completion condition held.
     *
     * @param key    the correlation key
     * @param parts  the parts that did arrive, in arrival order (never empty)
     * @param reason why it was closed
     * @param <K>    the correlation key type
     * @param <T>    the part value type
     */
    record Partial<K, T>(K key, Map<String, T> parts, Reason reason) implements Aggregated<K, T> {
        /**
         * Checks the components; the operator passes an unmodifiable map.
         *
         * @param key    the correlation key
         * @param parts  the parts that did arrive, in arrival order
         * @param reason why it was closed
         * @throws NullPointerException if an argument is null
         */
        public Partial {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(parts, "parts");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public boolean isComplete() {
            return false;
        }
    }
}
