package io.fluxgate.aggregate;

import java.util.Objects;

/**
 * A part that arrived for a key whose group had already been closed (completed, timed out, evicted), handed to a
 * {@link LatePartPolicy#sideOutput side output}.
 *
 * @param key   its correlation key
 * @param part  its part name
 * @param value the value as it came from upstream
 * @param <K>   the correlation key type
 * @param <T>   the part value type
 */
public record LatePart<K, T>(K key, String part, T value) {
    /**
     * Checks the components.
     *
     * @param key   its correlation key
     * @param part  its part name
     * @param value the value as it came from upstream
     * @throws NullPointerException if {@code key} or {@code part} is null
     */
    public LatePart {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(part, "part");
    }
}
