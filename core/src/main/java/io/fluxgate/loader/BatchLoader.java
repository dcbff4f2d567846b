package io.fluxgate.loader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.fluxgate.internal.Time;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import java.util.function.LongConsumer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The DataLoader pattern: callers ask for one key at a time with {@link #load}, and the loader coalesces the
 * keys asked for within a short window (or until a batch is full), removes duplicates, fetches them with one call
 * to the batch function, and gives each caller its own value.
 *
 * <pre>{@code
 * BatchLoader<Long, User> users = BatchLoader.<Long, User>builder(ids -> repo.findAllById(ids)
 *                 .collectMap(User::id))
 *         .maxBatchSize(500).maxDelay(Duration.ofMillis(5)).cacheSize(10_000).build();
 * orders.concatMap(o -> users.load(o.userId()).map(u -> enrich(o, u)))   // or ids.transform(users.loadEach())
 * }</pre>
 *
 * <p>Semantics: a key absent from the batch result completes its callers empty; a failed batch fails every
 * caller of that batch with the same error (other batches are unaffected). A key already being fetched joins
 * that fetch instead of starting another. With {@link Builder#cacheSize(int)}, values are kept in a bounded LRU
 * cache and served without a fetch. {@code load} is lazy (nothing happens until subscription); cancelling a
 * {@code load} withdraws its key if no other caller waits for it and its batch has not been sent. The loader is
 * thread-safe and is meant to be shared.
 */
public final class BatchLoader<K, V> {

    /** Default largest batch. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 100;
    /** Default longest wait for more keys after the first one of a batch. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(10);
    /** Default name. */
    public static final String DEFAULT_NAME = "batch-loader";

    private final String name;
    private final Runnable batchesMeter;
    private final LongConsumer keysMeter;
    private final Runnable cacheHitsMeter;

    private final Function<? super List<K>, ? extends Mono<? extends Map<K, ? extends V>>> batchFn;
    private final int maxBatchSize;
    private final Duration maxDelay;
    private final Scheduler scheduler;
    private final LinkedHashMap<K, V> cache;
    private final int cacheSize;

    private final Object lock = new Object();
    /** Keys waiting for the next batch, with their callers, in arrival order. */
    private LinkedHashMap<K, List<MonoSink<V>>> pending = new LinkedHashMap<>();
    /** Keys of batches sent and not yet answered. */
    private final Map<K, List<MonoSink<V>>> inFlight = new LinkedHashMap<>();
    private Disposable timer;

    private BatchLoader(Builder<K, V> b) {
        this.name = b.name;
        StageMeters m = b.meterRegistry == null ? StageMeters.NONE : MicrometerStageMeters.of(b.meterRegistry, "loader", name);
        this.batchesMeter = m.counter("batches", "batch calls made");
        this.keysMeter = m.amount("keys", "keys sent in batch calls");
        this.cacheHitsMeter = m.counter("cache.hits", "loads answered from the cache");
        this.batchFn = b.batchFn;
        this.maxBatchSize = b.maxBatchSize;
        this.maxDelay = b.maxDelay;
        this.scheduler = b.scheduler;
        this.cacheSize = b.cacheSize;
        this.cache = b.cacheSize > 0 ? new LinkedHashMap<>(16, 0.75f, true) : null;
    }

    /**
     * A builder over {@code batchFn}: keys (distinct, at most maxBatchSize) to a map of the values found.
     *
     * @param <K> the key type
     * @param <V> the value type
     * @param batchFn fetches the values of a batch of keys; keys missing from its map have no value
     * @return a builder: batches of up to 100 keys, no cache
     */
    public static <K, V> Builder<K, V> builder(
            Function<? super List<K>, ? extends Mono<? extends Map<K, ? extends V>>> batchFn) {
        return new Builder<>(Objects.requireNonNull(batchFn, "batchFn"));
    }

    /**
     * The value for {@code key}: fetched in a batch with other keys asked for around the same time, or from the
     * cache. Completes empty if the batch result has no entry for the key.
     *
     * @param key the key to look up
     * @return a {@code Mono} of the value, empty when the batch function found none; the batch function's error
     *     when it fails
     */
    public Mono<V> load(K key) {
        Objects.requireNonNull(key, "key");
        return Mono.create(sink -> enqueue(key, sink));
    }

    /**
     * Loads every key of the stream, up to {@code maxBatchSize} at a time so a whole batch can form, and emits
     * the values in input order; keys without a value are skipped.
     *
     * @return {@code Flux<K> -> Flux<V>}: the values found, in input order
     */
    public Function<Flux<K>, Flux<V>> loadEach() {
        return Described.of("BatchLoader.loadEach", keys -> keys.flatMapSequential(this::load, maxBatchSize, 1),
                "name", name, "maxBatchSize", maxBatchSize, "ordered", true);
    }

    @Override
    public String toString() {
        return Described.describe("BatchLoader", "name", name, "maxBatchSize", maxBatchSize, "maxDelay", maxDelay,
                "cacheSize", cacheSize);
    }

    private void enqueue(K key, MonoSink<V> sink) {
        Map<K, List<MonoSink<V>>> batch = null;
        synchronized (lock) {
            if (cache != null) {
                V cached = cache.get(key);
                if (cached != null) {
                    cacheHitsMeter.run();
                    sink.success(cached);
                    return;
                }
            }
            List<MonoSink<V>> joining = inFlight.get(key);
            if (joining != null) {
                joining.add(sink);
            } else {
                pending.computeIfAbsent(key, k -> new ArrayList<>(1)).add(sink);
                if (pending.size() >= maxBatchSize) {
                    batch = takePending();
                } else if (pending.size() == 1) {
                    timer = Time.schedulerOr(scheduler).schedule(this::flushOnTimer, Time.saturatedNanos(maxDelay),
                            TimeUnit.NANOSECONDS);
                }
            }
        }
        sink.onCancel(() -> withdraw(key, sink));
        if (batch != null) {
            dispatch(batch);
        }
    }

    private void withdraw(K key, MonoSink<V> sink) {
        synchronized (lock) {
            List<MonoSink<V>> waiting = pending.get(key);
            if (waiting != null && waiting.remove(sink) && waiting.isEmpty()) {
                pending.remove(key);
            }
            List<MonoSink<V>> fetching = inFlight.get(key);
            if (fetching != null) {
                fetching.remove(sink);
            }
        }
    }

    private void flushOnTimer() {
        Map<K, List<MonoSink<V>>> batch;
        synchronized (lock) {
            timer = null;
            if (pending.isEmpty()) {
                return;
            }
            batch = takePending();
        }
        dispatch(batch);
    }

    /** Caller holds the lock. */
    private Map<K, List<MonoSink<V>>> takePending() {
        if (timer != null) {
            timer.dispose();
            timer = null;
        }
        Map<K, List<MonoSink<V>>> batch = pending;
        pending = new LinkedHashMap<>();
        inFlight.putAll(batch);
        return batch;
    }

    private void dispatch(Map<K, List<MonoSink<V>>> batch) {
        List<K> keys = List.copyOf(batch.keySet());
        batchesMeter.run();
        keysMeter.accept(keys.size());
        Mono<? extends Map<K, ? extends V>> call;
        try {
            call = Objects.requireNonNull(batchFn.apply(keys), "batch function returned null");
        } catch (RuntimeException e) {
            fail(keys, e);
            return;
        }
        call.subscribe(values -> complete(keys, values), e -> fail(keys, e), () -> complete(keys, Map.of()));
    }

    private void complete(List<K> keys, Map<K, ? extends V> values) {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (lock) {
            for (K key : keys) {
                List<MonoSink<V>> callers = inFlight.remove(key);
                if (callers == null) {
                    continue; // already completed (a Mono emitting and then completing)
                }
                V value = values.get(key);
                if (value != null && cache != null) {
                    cache.put(key, value);
                    if (cache.size() > cacheSize) {
                        cache.remove(cache.keySet().iterator().next());
                    }
                }
                List<MonoSink<V>> copy = List.copyOf(callers);
                deliveries.add(() -> copy.forEach(s -> {
                    if (value != null) {
                        s.success(value);
                    } else {
                        s.success();
                    }
                }));
            }
        }
        deliveries.forEach(Runnable::run);
    }

    private void fail(List<K> keys, Throwable e) {
        List<MonoSink<V>> callers = new ArrayList<>();
        synchronized (lock) {
            for (K key : keys) {
                List<MonoSink<V>> c = inFlight.remove(key);
                if (c != null) {
                    callers.addAll(c);
                }
            }
        }
        callers.forEach(s -> s.error(e));
    }

    /**
     * Number of values in the cache.
     *
     * @return values cached now, at most {@code cacheSize}
     */
    public int cachedValues() {
        synchronized (lock) {
            return cache == null ? 0 : cache.size();
        }
    }

    /**
     * Removes {@code key} from the cache, so the next load fetches it again.
     *
     * @param key the key to forget; a key not cached is ignored
     */
    public void invalidate(K key) {
        synchronized (lock) {
            if (cache != null) {
                cache.remove(key);
            }
        }
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder<K, V> {
        private final Function<? super List<K>, ? extends Mono<? extends Map<K, ? extends V>>> batchFn;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private int cacheSize;
        private @Nullable Scheduler scheduler;
        private String name = DEFAULT_NAME;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(Function<? super List<K>, ? extends Mono<? extends Map<K, ? extends V>>> batchFn) {
            this.batchFn = batchFn;
        }

        /**
         * The loader's name, used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value BatchLoader#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder<K, V> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.loader.batches} (counter: batch calls),
         * {@code fluxgate.loader.keys} (counter: keys sent in them) and {@code fluxgate.loader.cache.hits}
         * (counter), tagged {@code name}. Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the loader is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<K, V> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Largest number of distinct keys per batch call; a full batch is sent at once.
         *
         * @param maxBatchSize at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxBatchSize < 1}
         */
        public Builder<K, V> maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = Checks.atLeast("maxBatchSize", maxBatchSize, 1);
            return this;
        }

        /**
         * How long the first key of a batch waits for others before the batch is sent.
         *
         * @param maxDelay zero (batch only the keys asked for at the same instant) or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code maxDelay} is negative
         */
        public Builder<K, V> maxDelay(Duration maxDelay) {
            this.maxDelay = Checks.requireNonNegative("maxDelay", maxDelay);
            return this;
        }

        /**
         * Keep up to {@code cacheSize} values in an LRU cache (default 0: no cache).
         *
         * @param cacheSize zero or more
         * @return this builder
         * @throws IllegalArgumentException if {@code cacheSize < 0}
         */
        public Builder<K, V> cacheSize(int cacheSize) {
            this.cacheSize = Checks.atLeast("cacheSize", cacheSize, 0);
            return this;
        }

        /**
         * Scheduler of the batching window (default {@code Schedulers.parallel()}, looked up per batch).
         *
         * @param scheduler runs the batching window's timer
         * @return this builder
         */
        public Builder<K, V> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the loader.
         *
         * @return a new loader; its cache starts empty
         */
        public BatchLoader<K, V> build() {
            return new BatchLoader<>(this);
        }
    }
}
