package io.fluxgate.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.dedupe.IdempotencyStore;
import io.fluxgate.internal.Checks;
import io.fluxgate.redis.internal.FailureCounters;
import io.fluxgate.redis.internal.RedisErrors;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * An {@link IdempotencyStore} on Redis, shared by every instance that uses the same server and key prefix: a key is
 * new if {@code SET prefix+key token NX PX ttl GET} finds it absent (or holding this very call's token, see below).
 * The TTL is Redis's own key expiry, anchored at the first sighting (a duplicate does not extend it), as in
 * {@link io.fluxgate.dedupe.InMemoryIdempotencyStore}.
 *
 * <pre>{@code
 * RedisIdempotencyStore store = RedisIdempotencyStore.builder(connection)
 *         .keyPrefix("orders:seen:").ttl(Duration.ofHours(1)).build();
 * orders.transform(Dedupe.byKey(Order::id).store(store).build())
 * }</pre>
 *
 * <p><b>Batches.</b> {@link #markAllIfAbsent(List)} sends one {@code SET} per distinct key without waiting for the
 * replies in between (pipelined on the connection); {@link io.fluxgate.dedupe.Dedupe} calls it with the elements
 * that queued up while the previous check was in flight.
 *
 * <p><b>Failures.</b> Every call carries a token of its own as the value it sets, so a command that Lettuce
 * re-sends after a reconnect, and a retry after a lost connection, recognise their own write and answer "new": an
 * error is never reported as "duplicate". Connection errors (refused, reset, closed) are retried until the {@link Builder#timeout(Duration)}
 * (default {@value #DEFAULT_TIMEOUT_MILLIS} ms) runs out; then the store either fails the call with
 * {@link RedisStoreException} (default) or, with {@link Builder#failOpen(boolean) failOpen(true)}, answers "new" for
 * every key (the elements go through; duplicates may pass during the outage). A failed call releases the keys it may
 * have set (those still holding its token) in the background, so a retry of the element is not taken for a
 * duplicate. Errors and fail-open passes are counted ({@link #errors()}, {@link #failOpenPasses()}, and Micrometer
 * counters with {@link Builder#meterRegistry(MeterRegistry)}).
 *
 * <p>Answers are delivered on {@code Schedulers.parallel()}, never on Lettuce's I/O threads. Thread-safe; one Lettuce
 * connection is shared by all callers (Lettuce connections are thread-safe). Needs Redis 7.0 or later ({@code NX}
 * with {@code GET}).
 */
public final class RedisIdempotencyStore implements IdempotencyStore<String> {

    /** Default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = "fluxgate:seen:";
    /** Default {@link Builder#timeout(Duration)} in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 2000;
    /** Default {@link Builder#timeout(Duration)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS);
    /** Default store name (the {@code store} tag of the counters). */
    public static final String DEFAULT_NAME = "redis-idempotency";

    /** Deletes each key that still holds the token (ARGV[1]): the release of a failed call. */
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then"
            + " return redis.call('DEL', KEYS[1]) end return 0";

    private final RedisReactiveCommands<String, String> redis;
    private final String keyPrefix;
    private final Duration ttl;
    private final Duration timeout;
    private final boolean failOpen;
    private final String name;
    private final FailureCounters counters;
    private final String instance = UUID.randomUUID().toString();
    private final AtomicLong calls = new AtomicLong();

    private RedisIdempotencyStore(Builder b) {
        this.redis = b.connection.reactive();
        this.keyPrefix = b.keyPrefix;
        this.ttl = Objects.requireNonNull(b.ttl);
        this.timeout = b.timeout;
        this.failOpen = b.failOpen;
        this.name = b.name;
        this.counters = new FailureCounters(b.registry, b.name, "idempotency");
    }

    /**
     * A builder over a Lettuce connection; {@link Builder#ttl(Duration)} is required.
     *
     * @param connection a connection with String keys and values (e.g. {@code RedisClient.connect()}); shared, not
     *     closed by the store
     * @return a new builder
     * @throws NullPointerException if {@code connection} is null
     */
    public static Builder builder(StatefulRedisConnection<String, String> connection) {
        return new Builder(Objects.requireNonNull(connection, "connection"));
    }

    @Override
    public Mono<Boolean> markIfAbsent(String key) {
        return markAllIfAbsent(List.of(key)).map(answers -> answers.get(0));
    }

    /**
     * Marks a batch of keys with one pipelined {@code SET ... NX PX ... GET} per distinct key; a key repeated in the
     * batch is new at most at its first occurrence.
     *
     * @param keys the keys, in element order
     * @return the answers, in the same order; {@link RedisStoreException} after the timeout unless failing open
     */
    @Override
    public Mono<List<Boolean>> markAllIfAbsent(List<? extends String> keys) {
        if (keys.isEmpty()) {
            return Mono.just(List.of());
        }
        for (String k : keys) {
            Objects.requireNonNull(k, "key");
        }
        // only a key's first occurrence is sent; a repeat inside the batch is a duplicate of it
        List<String> distinct = new ArrayList<>(keys.size());
        int[] slot = new int[keys.size()];
        Map<String, Integer> slots = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            Integer known = slots.putIfAbsent(keys.get(i), distinct.size());
            if (known == null) {
                slot[i] = distinct.size();
                distinct.add(keys.get(i));
            } else {
                slot[i] = -1;
            }
        }
        String token = instance + ":" + calls.incrementAndGet();
        SetArgs args = SetArgs.Builder.nx().px(ttl);
        // all SETs subscribed at once (flatMapSequential): written back to back, answers in key order
        Mono<List<Boolean>> attempt = Flux.fromIterable(distinct)
                .flatMapSequential(k -> redis.setGet(keyPrefix + k, token, args)
                        .map(token::equals) // our own earlier write (a re-sent command or a retry): still new
                        .defaultIfEmpty(Boolean.TRUE), Math.max(1, distinct.size()))
                .collectList()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(500))
                        .filter(RedisErrors::isTransient));
        return attempt.timeout(timeout)
                .map(answers -> {
                    List<Boolean> out = new ArrayList<>(keys.size());
                    for (int i = 0; i < keys.size(); i++) {
                        out.add(slot[i] >= 0 && answers.get(slot[i]));
                    }
                    return out;
                })
                .onErrorResume(e -> failed(e, keys.size(), distinct, token))
                .publishOn(Schedulers.parallel());
    }

    private Mono<List<Boolean>> failed(Throwable error, int size, List<String> distinct, String token) {
        counters.error();
        if (failOpen) {
            counters.failOpen(size);
            return Mono.just(Collections.nCopies(size, Boolean.TRUE));
        }
        // the SETs may have been applied (or be applied when a buffered command goes out): undo ours, in the
        // background, queued on the same connection behind them
        Flux.fromIterable(distinct)
                .flatMap(k -> redis.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {keyPrefix + k}, token))
                .then()
                .timeout(timeout.multipliedBy(10))
                .onErrorResume(e -> Mono.empty())
                .subscribe();
        return Mono.error(new RedisStoreException("Redis idempotency store '" + name + "' could not mark "
                + distinct.size() + " key(s): " + RedisErrors.describe(error, timeout), error));
    }

    /**
     * Calls that failed or timed out so far (each counted once, whatever its batch size).
     *
     * @return the error count
     */
    public long errors() {
        return counters.errors();
    }

    /**
     * Keys answered "new" without an answer from Redis, because the store fails open.
     *
     * @return the fail-open count
     */
    public long failOpenPasses() {
        return counters.failOpenPasses();
    }

    @Override
    public String toString() {
        return "RedisIdempotencyStore[" + name + ", prefix " + keyPrefix + ", ttl " + ttl + "]";
    }

    /** Configuration; each setter validates its argument and names the bad value. Not thread-safe. */
    public static final class Builder {
        private final StatefulRedisConnection<String, String> connection;
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private @Nullable Duration ttl;
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean failOpen;
        private String name = DEFAULT_NAME;
        private @Nullable Object registry;

        private Builder(StatefulRedisConnection<String, String> connection) {
            this.connection = connection;
        }

        /**
         * Prefix of every Redis key the store sets; gives each pipeline (or test) its own key space.
         *
         * @param keyPrefix not blank; default {@value RedisIdempotencyStore#DEFAULT_KEY_PREFIX}
         * @return this builder
         * @throws IllegalArgumentException if {@code keyPrefix} is blank
         */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Checks.notBlank("keyPrefix", keyPrefix);
            return this;
        }

        /**
         * How long a key is remembered after its first sighting. Required.
         *
         * @param ttl at least one millisecond (Redis's {@code PX} resolution)
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is shorter than 1 ms
         */
        public Builder ttl(Duration ttl) {
            if (Checks.requirePositive("ttl", ttl).toMillis() < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * Longest a call may take, retries after connection errors included; then it fails, or passes when
         * {@link #failOpen(boolean) failing open}.
         *
         * @param timeout positive; default {@value RedisIdempotencyStore#DEFAULT_TIMEOUT_MILLIS} ms
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.requirePositive("timeout", timeout);
            return this;
        }

        /**
         * When Redis is down or slow: {@code false} (default) fails the call with {@link RedisStoreException},
         * {@code true} answers "new" for every key so the elements go through (counted as fail-open passes).
         *
         * @param failOpen whether to let elements through when Redis does not answer
         * @return this builder
         */
        public Builder failOpen(boolean failOpen) {
            this.failOpen = failOpen;
            return this;
        }

        /**
         * The store's name in exceptions and in the {@code store} tag of the counters.
         *
         * @param name not blank; default {@value RedisIdempotencyStore#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records counters {@code fluxgate.store.errors} and {@code fluxgate.store.fail.open} in {@code registry},
         * tagged {@code store} (the name) and {@code kind=idempotency}. Default: no registry, no meters.
         *
         * @param registry where the counters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the store.
         *
         * @return a thread-safe store
         * @throws IllegalStateException if no TTL was set
         */
        public RedisIdempotencyStore build() {
            if (ttl == null) {
                throw new IllegalStateException("ttl(Duration) is required");
            }
            return new RedisIdempotencyStore(this);
        }
    }
}
