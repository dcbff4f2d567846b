package io.fluxgate.dedupe;

import reactor.core.publisher.Mono;

/** An {@link IdempotencyStore} that answers synchronously, without I/O. */
public interface LocalIdempotencyStore<K> extends IdempotencyStore<K> {

    /**
     * Synchronous form of {@link #markIfAbsent}: {@code true} if {@code key} was not remembered (and now is).
     *
     * @param key the element's key
     * @return {@code true} when the key is new, {@code false} for a duplicate
     */
    boolean tryMark(K key);

    @Override
    default Mono<Boolean> markIfAbsent(K key) {
        return Mono.fromSupplier(() -> tryMark(key));
    }
}
