package io.fluxgate.dedupe;

import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Remembers which keys have been processed. {@link Dedupe} lets an element through only when
 * {@link #markIfAbsent} says its key is new. Implementations decide how long a key is remembered (a TTL, the
 * last N keys, forever in a table) and must be safe for concurrent use if shared between streams.
 *
 * <p>Stores that answer in memory should implement {@link LocalIdempotencyStore}, which the operator calls
 * synchronously without a {@code Mono} per element; remote stores (a database table with a unique key) implement
 * this asynchronous form, and should override {@link #markAllIfAbsent(List)} to answer a batch of keys in one round
 * trip: {@link Dedupe} asks per batch when elements queue up behind a check in flight.
 *
 * <p>An error (the store is down or slow) must never be reported as "duplicate": a store either signals the error
 * or, if it is configured to fail open, answers "new".
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

    /**
     * Records a batch of keys, as if {@link #markIfAbsent} were called for each in order: one answer per key, in
     * the order of {@code keys}; a key that occurs twice in the batch is new at most at its first occurrence. The
     * default asks key by key, one at a time; remote stores override it with one round trip for the batch.
     *
     * @param keys the keys of consecutive elements, not empty
     * @return a {@code Mono} of the answers, {@code answers.get(i)} for {@code keys.get(i)}; an error fails the
     *     whole batch
     */
    default Mono<List<Boolean>> markAllIfAbsent(List<? extends K> keys) {
        return Flux.fromIterable(keys).<Boolean>concatMap(this::markIfAbsent).collectList();
    }
}
