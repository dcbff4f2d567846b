package io.fluxgate.dedupe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import io.fluxgate.internal.Checks;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Drops elements whose key was already seen, with bounded memory: within a TTL, among the last N keys, or as an
 * {@link IdempotencyStore} decides (Reactor's {@code distinct()} remembers every key forever).
 *
 * <pre>{@code
 * events.transform(Dedupe.byKey(Event::id).ttl(Duration.ofMinutes(10)).maxKeys(1_000_000).build())
 * events.transform(Dedupe.byKey(Event::id).store(sharedStore).build())   // idempotent across streams
 * }</pre>
 *
 * <p>Order is kept; a dropped duplicate is handed to Reactor's discard hook ({@code doOnDiscard}) and its demand
 * is replenished from upstream, so the downstream never stalls on duplicates. With a remote store, one check is in
 * flight at a time, in order, so two copies of a key arriving back to back cannot both pass; elements that arrive
 * while a check is in flight queue up (at most {@link Builder#maxBatch(int)}) and are checked together, in one
 * {@link IdempotencyStore#markAllIfAbsent(List)} call, when it returns: one round trip per element when the stream
 * is slow, one per batch under load.
 */
public final class Dedupe {

    /** Default {@link Builder#maxBatch(int)}: keys checked in one call to a remote store under load. */
    public static final int DEFAULT_MAX_BATCH = 256;

    private Dedupe() {
    }

    /**
     * A builder deduplicating by {@code key}; by default each subscription gets its own in-memory store.
     *
     * @param <T> the element type
     * @param <K> the key type; needs equals and hashCode
     * @param key the key of an element; must not return null
     * @return a builder
     */
    public static <T, K> Builder<T, K> byKey(Function<? super T, ? extends K> key) {
        return new Builder<>(Objects.requireNonNull(key, "key"));
    }

    /**
     * Drops an element equal to one among the last {@code n} distinct elements.
     *
     * @param <T> the element type; needs equals and hashCode
     * @param n how many distinct elements are remembered, at least 1
     * @return {@code Flux<T> -> Flux<T>} without the duplicates
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static <T> Function<Flux<T>, Flux<T>> lastN(int n) {
        return Dedupe.<T, T>byKey(Function.identity()).maxKeys(n).build();
    }

    /**
     * Drops an element equal to one first seen less than {@code ttl} ago (at most
     * {@link InMemoryIdempotencyStore#DEFAULT_MAX_KEYS} remembered).
     *
     * @param <T> the element type; needs equals and hashCode
     * @param ttl how long an element is remembered after its first sighting, positive
     * @return {@code Flux<T> -> Flux<T>} without the duplicates
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public static <T> Function<Flux<T>, Flux<T>> within(Duration ttl) {
        return Dedupe.<T, T>byKey(Function.identity()).ttl(ttl).build();
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder<T, K> {
        private final Function<? super T, ? extends K> key;
        private int maxKeys = InMemoryIdempotencyStore.DEFAULT_MAX_KEYS;
        private Duration ttl;
        private IdempotencyStore<? super K> store;
        private int maxBatch = DEFAULT_MAX_BATCH;

        private Builder(Function<? super T, ? extends K> key) {
            this.key = key;
        }

        /**
         * Remember at most {@code maxKeys} keys per subscription (default
         * {@link InMemoryIdempotencyStore#DEFAULT_MAX_KEYS}).
         *
         * @param maxKeys at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxKeys < 1}
         */
        public Builder<T, K> maxKeys(int maxKeys) {
            InMemoryIdempotencyStore.builder().maxKeys(maxKeys); // same validation and message as the store
            this.maxKeys = maxKeys;
            return this;
        }

        /**
         * Forget a key {@code ttl} after its first sighting.
         *
         * @param ttl positive
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is not positive
         */
        public Builder<T, K> ttl(Duration ttl) {
            InMemoryIdempotencyStore.builder().ttl(ttl);
            this.ttl = ttl;
            return this;
        }

        /**
         * Use this (possibly shared, possibly remote) store instead of a per-subscription in-memory one.
         *
         * @param store decides which keys are new
         * @return this builder
         */
        public Builder<T, K> store(IdempotencyStore<? super K> store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Most keys asked of a remote {@link #store(IdempotencyStore) store} in one
         * {@link IdempotencyStore#markAllIfAbsent(List)} call (default {@value Dedupe#DEFAULT_MAX_BATCH}); elements
         * queue up to this many while a check is in flight. {@code 1} asks key by key with
         * {@link IdempotencyStore#markIfAbsent}. Not used with in-memory stores, which answer synchronously.
         *
         * @param maxBatch at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxBatch < 1}
         */
        public Builder<T, K> maxBatch(int maxBatch) {
            this.maxBatch = Checks.atLeast("maxBatch", maxBatch, 1);
            return this;
        }

        /**
         * Builds the transformer.
         *
         * @return {@code Flux<T> -> Flux<T>}; reusable, an in-memory store is created per subscription
         */
        public Function<Flux<T>, Flux<T>> build() {
            Function<? super T, ? extends K> k = key;
            if (store != null) {
                IdempotencyStore<? super K> s = store;
                int mb = maxBatch;
                return source -> apply(source, k, s, mb);
            }
            int mk = maxKeys;
            Duration t = ttl;
            Supplier<IdempotencyStore<K>> fresh = () -> {
                InMemoryIdempotencyStore.Builder b = InMemoryIdempotencyStore.builder().maxKeys(mk);
                return (t == null ? b : b.ttl(t)).build();
            };
            return source -> Flux.defer(() -> apply(source, k, fresh.get(), 1));
        }

        private static <T, K> Flux<T> apply(Flux<T> source, Function<? super T, ? extends K> key,
                                            IdempotencyStore<? super K> store, int maxBatch) {
            if (store instanceof LocalIdempotencyStore<? super K> local) {
                return source.filter(v -> local.tryMark(key.apply(v)));
            }
            if (maxBatch == 1) {
                return source.filterWhen(v -> store.markIfAbsent(key.apply(v)), 1);
            }
            // bufferTimeout with fair backpressure: keeps pulling while a check is in flight and hands over what
            // has queued (up to maxBatch) when the check returns; the 1 ns timer only closes a lone element's batch
            return source.bufferTimeout(maxBatch, Duration.ofNanos(1), true)
                    .concatMap(batch -> check(batch, key, store), 0);
        }

        private static <T, K> Flux<T> check(List<T> batch, Function<? super T, ? extends K> key,
                                            IdempotencyStore<? super K> store) {
            List<K> keys = new ArrayList<>(batch.size());
            for (T v : batch) {
                keys.add(key.apply(v));
            }
            return Flux.deferContextual(ctx -> store.markAllIfAbsent(keys).flatMapIterable(answers -> {
                if (answers.size() != batch.size()) {
                    throw new IllegalStateException(store + " answered " + answers.size() + " times for "
                            + batch.size() + " keys");
                }
                List<T> fresh = new ArrayList<>(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    if (Boolean.TRUE.equals(answers.get(i))) {
                        fresh.add(batch.get(i));
                    } else {
                        Operators.onDiscard(batch.get(i), Context.of(ctx));
                    }
                }
                return fresh;
            }));
        }
    }
}
