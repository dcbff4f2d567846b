package io.fluxgate.dedupe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
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

    /** Default stage name. */
    public static final String DEFAULT_NAME = "dedupe";
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
     * A builder whose key function is given last, to {@link Builder#build(Function)}, so an untyped lambda takes
     * its element type from the stream: {@code events.transform(Dedupe.builder().ttl(d).build(e -> e.id()))}.
     *
     * @return a new builder without a key function
     */
    public static Builder<Object, Object> builder() {
        return new Builder<>(null);
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
        private final @Nullable Function<? super T, ? extends K> key;
        private String name = DEFAULT_NAME;
        private @Nullable Integer maxKeys;
        private @Nullable Duration ttl;
        private @Nullable IdempotencyStore<? super K> store;
        private @Nullable MeterRegistry meterRegistry;
        private int maxBatch = DEFAULT_MAX_BATCH;

        private Builder(@Nullable Function<? super T, ? extends K> key) {
            this.key = key;
        }

        /**
         * As {@link #build()} with the key function given here, so an untyped lambda gets its element type from the
         * stream the transformer is applied to; this builder's key function, if any, is not used.
         *
         * @param <U> the element type
         * @param <J> the key type; needs equals and hashCode
         * @param key the key of an element; must not return null
         * @return {@code Flux<U> -> Flux<U>}, reusable
         * @throws NullPointerException if {@code key} is null
         * @throws IllegalArgumentException as {@link #build()}
         */
        @SuppressWarnings("unchecked")
        public <U, J> Function<Flux<U>, Flux<U>> build(Function<? super U, ? extends J> key) {
            Builder<U, J> b = new Builder<>(Objects.requireNonNull(key, "key"));
            b.name = name;
            b.maxKeys = maxKeys;
            b.ttl = ttl;
            // the store was typed for this builder's keys; with a new key function the caller vouches for it
            b.store = (IdempotencyStore<? super J>) (IdempotencyStore<?>) store;
            b.meterRegistry = meterRegistry;
            return b.build();
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
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value Dedupe#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder<T, K> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.dedupe.passed} (counter: elements whose key was new)
         * and {@code fluxgate.dedupe.dropped} (counter: duplicates dropped), tagged {@code name}. Default: none.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T, K> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Forget a key {@code ttl} after its first sighting. Applies to the per-subscription in-memory store only:
         * with {@link #store(IdempotencyStore)} the store decides how long it remembers, and {@link #build()}
         * refuses the combination.
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
         * Use this (possibly shared, possibly remote) store instead of a per-subscription in-memory one. The store
         * then decides how long and how many keys it remembers: {@link #ttl(Duration)} and {@link #maxKeys(int)}
         * cannot be combined with it (configure them on the store, e.g. {@link InMemoryIdempotencyStore#builder()}).
         *
         * @param store decides which keys are new
         * @return this builder
         * @throws NullPointerException if {@code store} is null
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
         * @param <U> the element type of the stream it is applied to (any subtype of {@code T})
         * @return {@code Flux<U> -> Flux<U>}; reusable, an in-memory store is created per subscription
         * @throws IllegalArgumentException if no key function was given, or {@link #ttl(Duration)} or {@link #maxKeys(int)} was set together with
         *     {@link #store(IdempotencyStore)} (they would be silently ignored)
         */
        public <U extends T> Function<Flux<U>, Flux<U>> build() {
            Function<? super T, ? extends K> k = key;
            if (k == null) {
                throw new IllegalArgumentException("no key function: use build(key) or byKey(key)");
            }
            StageMeters m = meterRegistry == null ? StageMeters.NONE : MicrometerStageMeters.of(meterRegistry, "dedupe", name);
            Runnable passed = m.counter("passed", "elements whose key was new");
            Runnable dropped = m.counter("dropped", "duplicates dropped");
            IdempotencyStore<? super K> s = store;
            if (s != null) {
                if (ttl != null || maxKeys != null) {
                    throw new IllegalArgumentException("ttl " + ttl + " / maxKeys " + maxKeys + " apply to the in-memory "
                            + "store only and would be ignored with store(" + s + "): configure them on the store");
                }
                return Described.of("Dedupe", source -> apply(source, k, s, maxBatch, passed, dropped), "name", name, "store", s,
                        "maxBatch", maxBatch);
            }
            int mk = maxKeys != null ? maxKeys : InMemoryIdempotencyStore.DEFAULT_MAX_KEYS;
            Duration t = ttl;
            Supplier<IdempotencyStore<K>> fresh = () -> {
                InMemoryIdempotencyStore.Builder b = InMemoryIdempotencyStore.builder().maxKeys(mk);
                return (t == null ? b : b.ttl(t)).build();
            };
            return Described.of("Dedupe", source -> Flux.defer(() -> apply(source, k, fresh.get(), 1, passed, dropped)),
                    "name", name, "maxKeys", mk, "ttl", t != null ? t : "none");
        }

        private static <T, K> Flux<T> apply(Flux<T> source, Function<? super T, ? extends K> key,
                                            IdempotencyStore<? super K> store, int maxBatch,
                                            Runnable passed, Runnable dropped) {
            if (store instanceof LocalIdempotencyStore<? super K> local) {
                return source.filter(v -> count(local.tryMark(key.apply(v)), passed, dropped));
            }
            if (maxBatch == 1) {
                return source.filterWhen(v -> store.markIfAbsent(key.apply(v)).map(isNew -> count(isNew, passed, dropped)), 1);
            }
            // bufferTimeout with fair backpressure: keeps pulling while a check is in flight and hands over what
            // has queued (up to maxBatch) when the check returns; the 1 ns timer only closes a lone element's batch
            return source.bufferTimeout(maxBatch, Duration.ofNanos(1), true)
                    .concatMap(batch -> check(batch, key, store, passed, dropped), 0);
        }

        private static boolean count(boolean isNew, Runnable passed, Runnable dropped) {
            (isNew ? passed : dropped).run();
            return isNew;
        }

        private static <T, K> Flux<T> check(List<T> batch, Function<? super T, ? extends K> key,
                                            IdempotencyStore<? super K> store, Runnable passed, Runnable dropped) {
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
                    if (count(Boolean.TRUE.equals(answers.get(i)), passed, dropped)) {
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
