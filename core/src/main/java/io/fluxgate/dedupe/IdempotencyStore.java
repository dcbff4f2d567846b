package io.fluxgate.dedupe;

import reactor.core.publisher.Mono;

/**
 * Remembers which keys have been processed. {@link Dedupe} lets an element through only when
 * {@link #markIfAbsent} says its key is new. Implementations decide how long a key is remembered (a TTL, the
 * last N keys, forever in a table) and must be safe for concurrent use if shared between streams.
 *
 * <p>Stores that answer in memory should implement {@link LocalIdempotencyStore}, which the operator calls
 * synchronously without a {@code Mono} per element; remote stores (a database table with a unique key) implement
 * this asynchronous form.
 *
 * @param <K> the key type
 */
public interface IdempotencyStore<K> {

    /**
     * Atomically records {@code key} and tells whether it was absent: {@code true} means "first time, process
     * it", {@code false} means "duplicate, skip it". An error fails the stream (it is not treated as "new").
     *
     * @param key the element's key
     * @return a {@code Mono} of {@code true} when the key is new, {@code false} for a duplicate
     */
    Mono<Boolean> markIfAbsent(K key);
}
