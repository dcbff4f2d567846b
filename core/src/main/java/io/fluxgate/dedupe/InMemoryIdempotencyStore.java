package io.fluxgate.dedupe;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Time;

/**
 * A bounded in-memory {@link IdempotencyStore}: remembers each key for {@code ttl} after it was first seen
 * and/or only the {@code maxKeys} most recently first-seen keys, whichever forgets sooner. Memory is bounded by
 * {@code maxKeys} (always set; default {@link #DEFAULT_MAX_KEYS}), unlike Reactor's {@code distinct()}.
 *
 * <p>A duplicate does not extend its key's lifetime: the window is anchored at the first sighting, so a key that
 * keeps arriving is let through again once per TTL. Operations are O(1) amortized and thread-safe (one lock).
 */
public final class InMemoryIdempotencyStore<K> implements LocalIdempotencyStore<K> {

    /** Default bound on remembered keys. */
    public static final int DEFAULT_MAX_KEYS = 100_000;

    private final int maxKeys;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    /** Insertion order = first-seen order = expiry order (the TTL is the same for every key). */
    private final LinkedHashMap<K, Long> seenAt = new LinkedHashMap<>();

    private InMemoryIdempotencyStore(Builder b) {
        this.maxKeys = b.maxKeys;
        this.ttlNanos = b.ttl == null ? Long.MAX_VALUE : b.ttl.toNanos();
        this.nanoClock = b.nanoClock != null ? b.nanoClock : Time.defaultNanoClock();
    }

    /**
     * A builder: no TTL, {@link #DEFAULT_MAX_KEYS} keys.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Remembers the last {@code maxKeys} keys.
     *
     * @param <K> the key type; needs equals and hashCode
     * @param maxKeys at least 1
     * @return an empty store
     * @throws IllegalArgumentException if {@code maxKeys < 1}
     */
    public static <K> InMemoryIdempotencyStore<K> lastKeys(int maxKeys) {
        return builder().maxKeys(maxKeys).build();
    }

    /**
     * Remembers keys for {@code ttl}, at most {@link #DEFAULT_MAX_KEYS} of them.
     *
     * @param <K> the key type; needs equals and hashCode
     * @param ttl positive
     * @return an empty store
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public static <K> InMemoryIdempotencyStore<K> ttl(Duration ttl) {
        return builder().ttl(ttl).build();
    }

    @Override
    public boolean tryMark(K key) {
        Objects.requireNonNull(key, "key");
        // without a TTL time does not matter: skip the clock read on the per-element path
        long now = ttlNanos == Long.MAX_VALUE ? 0 : nanoClock.getAsLong();
        synchronized (seenAt) {
            expire(now);
            if (seenAt.containsKey(key)) {
                return false;
            }
            seenAt.put(key, now);
            if (seenAt.size() > maxKeys) {
                Iterator<K> oldest = seenAt.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            return true;
        }
    }

    /**
     * Whether {@code key} is remembered now, without marking it (a reader's check, e.g. "was this key closed?").
     *
     * @param key the key to look up
     * @return {@code true} if it was marked and has not expired or been evicted since
     * @throws NullPointerException if {@code key} is null
     */
    public boolean contains(K key) {
        Objects.requireNonNull(key, "key");
        long now = ttlNanos == Long.MAX_VALUE ? 0 : nanoClock.getAsLong();
        synchronized (seenAt) {
            expire(now);
            return seenAt.containsKey(key);
        }
    }

    private void expire(long now) {
        if (ttlNanos == Long.MAX_VALUE) {
            return;
        }
        Iterator<Map.Entry<K, Long>> it = seenAt.entrySet().iterator();
        while (it.hasNext()) {
            if (now - it.next().getValue() >= ttlNanos) {
                it.remove();
            } else {
                return;
            }
        }
    }

    /**
     * Keys currently remembered (expired ones may still be counted until the next call).
     *
     * @return the number of keys remembered, at most {@code maxKeys}
     */
    public int size() {
        synchronized (seenAt) {
            return seenAt.size();
        }
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder {
        private int maxKeys = DEFAULT_MAX_KEYS;
        private Duration ttl;
        private LongSupplier nanoClock;

        private Builder() {
        }

        /**
         * Most keys remembered; the oldest is forgotten first.
         *
         * @param maxKeys at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxKeys < 1}
         */
        public Builder maxKeys(int maxKeys) {
            this.maxKeys = Checks.atLeast("maxKeys", maxKeys, 1);
            return this;
        }

        /**
         * How long after its first sighting a key is remembered.
         *
         * @param ttl positive
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is zero or negative
         */
        public Builder ttl(Duration ttl) {
            this.ttl = Checks.requirePositive("ttl", ttl);
            return this;
        }

        /**
         * Nanosecond clock for the TTL (default {@code System.nanoTime()}, virtual time under {@code StepVerifier.withVirtualTime}).
         *
         * @param nanoClock a monotonic nanosecond clock
         * @return this builder
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Builds an empty store.
         *
         * @param <K> the key type; needs equals and hashCode
         * @return a new, empty store
         */
        public <K> InMemoryIdempotencyStore<K> build() {
            return new InMemoryIdempotencyStore<>(this);
        }
    }
}
