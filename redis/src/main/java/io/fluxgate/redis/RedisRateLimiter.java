package io.fluxgate.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

import io.fluxgate.internal.Checks;
import io.fluxgate.ratelimit.AsyncRateLimiter;
import io.fluxgate.ratelimit.RateLimiter;
import io.fluxgate.redis.internal.FailureCounters;
import io.fluxgate.redis.internal.RedisErrors;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * A rate limiter shared by every instance that uses the same Redis key: {@code permits} per {@code period} in total,
 * however many instances (and streams) take permits from it. Apply it with
 * {@link io.fluxgate.ratelimit.RateLimit#shaping(AsyncRateLimiter)} or
 * {@link io.fluxgate.ratelimit.RateLimit#enforcing(AsyncRateLimiter)}, exactly as a local
 * {@link RateLimiter}.
 *
 * <pre>{@code
 * RedisRateLimiter partnerApi = RedisRateLimiter.builder(connection, "limits:partner-api")
 *         .permits(100).per(Duration.ofSeconds(1)).build();
 * requests.transform(RateLimit.shaping(partnerApi))     // 100/s across all instances
 * }</pre>
 *
 * <p><b>Algorithm.</b> The generic cell rate algorithm of {@link RateLimiter} (burst, exact fractional interval,
 * catch-up for throttled callers that wake up late), run as one Lua script ({@code EVALSHA}, loaded again on
 * {@code NOSCRIPT}) on the Redis server's clock, in microseconds: instances need no synchronised clocks, and for the
 * same sequence of calls at the same times it makes the same decisions as a local {@code RateLimiter}. A permit is
 * reserved on the server; the caller then waits the time it was told, so the round trip does not add to the spacing
 * when several instances are throttled (their reservations queue up on the server's schedule). The state is one hash
 * per limiter, expiring once it no longer matters.
 *
 * <p><b>Failures.</b> Connection errors (refused, reset, closed) are retried until the {@link Builder#timeout(Duration)} (default
 * {@value #DEFAULT_TIMEOUT_MILLIS} ms) runs out; then the call fails with {@link RedisStoreException} (default), or,
 * with {@link Builder#failOpen(boolean) failOpen(true)}, answers "no wait" so the element goes through unthrottled.
 * Both are counted ({@link #errors()}, {@link #failOpenPasses()}, Micrometer with
 * {@link Builder#meterRegistry(MeterRegistry)}). Answers are delivered on {@code Schedulers.parallel()}. Needs
 * Redis 7.0 or later.
 */
public final class RedisRateLimiter implements AsyncRateLimiter {

    /** Default {@link Builder#timeout(Duration)} in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 1000;
    /** Default {@link Builder#timeout(Duration)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS);
    /** Default name (the {@code store} tag of the counters). */
    public static final String DEFAULT_NAME = "redis-rate-limiter";
    /** The GCRA script; its SHA-1 is what {@code EVALSHA} runs. */
    static final String SCRIPT = load("gcra.lua");

    /** The largest {@code period * burst} in microseconds: the script's arithmetic stays exact below 2^53. */
    private static final long MAX_MICROS = 1L << 50;

    private final RedisReactiveCommands<String, String> redis;
    private final String key;
    private final int permits;
    private final Duration period;
    private final int burst;
    private final Duration catchUp;
    private final Duration timeout;
    private final boolean failOpen;
    private final String name;
    private final String[] keys;
    private final String permitsArg;
    private final String periodArg;
    private final String burstArg;
    private final String catchUpArg;
    private final FailureCounters counters;
    private volatile @Nullable String sha;

    private RedisRateLimiter(Builder b) {
        this.redis = b.connection.reactive();
        this.key = b.key;
        this.permits = b.permits;
        this.period = Objects.requireNonNull(b.period);
        this.burst = b.burst;
        this.catchUp = b.catchUp;
        this.timeout = b.timeout;
        this.failOpen = b.failOpen;
        this.name = b.name;
        this.keys = new String[] {b.key};
        this.permitsArg = Integer.toString(b.permits);
        this.periodArg = Long.toString(micros(period));
        this.burstArg = Integer.toString(b.burst);
        this.catchUpArg = Long.toString(micros(b.catchUp));
        this.counters = new FailureCounters(b.registry, b.name, "rate-limiter");
    }

    /**
     * A builder for the limiter whose state is the Redis key {@code key}; {@link Builder#permits(int)} and
     * {@link Builder#per(Duration)} are required. Every instance that builds a limiter on the same key must give it
     * the same settings.
     *
     * @param connection a connection with String keys and values; shared, not closed by the limiter
     * @param key the Redis key of the limiter's state, not blank (e.g. {@code "limits:partner-api"})
     * @return a new builder with the burst and catch-up defaults of {@link RateLimiter}
     * @throws NullPointerException if {@code connection} is null
     * @throws IllegalArgumentException if {@code key} is blank
     */
    public static Builder builder(StatefulRedisConnection<String, String> connection, String key) {
        return new Builder(Objects.requireNonNull(connection, "connection"), Checks.notBlank("key", key));
    }

    @Override
    public Mono<Long> tryReserveNanos(long maxWaitNanos) {
        return reserve(maxWaitNanos, null);
    }

    /**
     * As {@link #tryReserveNanos(long)} at an explicit time instead of the server's clock: the script's decisions
     * checked exactly in tests.
     */
    Mono<Long> reserve(long maxWaitNanos, @Nullable Long nowMicros) {
        if (maxWaitNanos < 0) {
            throw new IllegalArgumentException("maxWaitNanos must be >= 0, was " + maxWaitNanos);
        }
        String[] args = {permitsArg, periodArg, burstArg, catchUpArg,
                maxWaitNanos == Long.MAX_VALUE ? "-1" : Long.toString(maxWaitNanos),
                nowMicros == null ? "" : Long.toString(nowMicros)};
        return Mono.defer(() -> eval(args))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(500))
                        .filter(RedisErrors::isTransient))
                .timeout(timeout)
                .onErrorResume(this::failed)
                .publishOn(Schedulers.parallel());
    }

    private Mono<Long> eval(String[] args) {
        String digest = sha;
        Mono<Long> byScript = redis.<Long>eval(SCRIPT, ScriptOutputType.INTEGER, keys, args).next()
                .doOnNext(x -> sha = digestOf());
        if (digest == null) {
            return byScript; // EVAL caches the script on the server; EVALSHA from then on
        }
        return redis.<Long>evalsha(digest, ScriptOutputType.INTEGER, keys, args).next()
                .onErrorResume(RedisNoScriptException.class, e -> byScript); // a restarted or flushed server
    }

    private static String digestOf() {
        return DigestHolder.SHA;
    }

    private Mono<Long> failed(Throwable error) {
        counters.error();
        if (failOpen) {
            counters.failOpen(1);
            return Mono.just(0L);
        }
        return Mono.error(new RedisStoreException("Redis rate limiter '" + name + "' (" + key + "): "
                + RedisErrors.describe(error, timeout), error));
    }

    /**
     * Calls that failed or timed out so far.
     *
     * @return the error count
     */
    public long errors() {
        return counters.errors();
    }

    /**
     * Elements let through without a permit because Redis did not answer and the limiter fails open.
     *
     * @return the fail-open count
     */
    public long failOpenPasses() {
        return counters.failOpenPasses();
    }

    /**
     * Permits per {@link #period()}, across all instances.
     *
     * @return at least 1
     */
    public int permits() {
        return permits;
    }

    /**
     * The period the permits are counted over.
     *
     * @return a positive duration, whole microseconds
     */
    public Duration period() {
        return period;
    }

    /**
     * The most permits handed out at once after an idle spell.
     *
     * @return at least 1
     */
    public int burst() {
        return burst;
    }

    /**
     * How late a throttled caller may come back and still get the permits it missed (see {@link RateLimiter}).
     *
     * @return zero or positive
     */
    public Duration catchUp() {
        return catchUp;
    }

    @Override
    public String toString() {
        return "RedisRateLimiter[" + key + ": " + permits + " per " + period + ", burst " + burst + "]";
    }

    private static long micros(Duration d) {
        return d.getSeconds() * 1_000_000 + d.getNano() / 1000;
    }

    private static String load(String resource) {
        try (InputStream in = RedisRateLimiter.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The script's SHA-1, computed once. */
    private static final class DigestHolder {
        static final String SHA = sha1(SCRIPT);

        private static String sha1(String text) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                        .digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Configuration; each setter validates its argument and names the bad value. Not thread-safe. */
    public static final class Builder {
        private final StatefulRedisConnection<String, String> connection;
        private final String key;
        private int permits;
        private @Nullable Duration period;
        private int burst = RateLimiter.DEFAULT_BURST;
        private Duration catchUp = RateLimiter.DEFAULT_CATCH_UP;
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean failOpen;
        private String name = DEFAULT_NAME;
        private @Nullable Object registry;

        private Builder(StatefulRedisConnection<String, String> connection, String key) {
            this.connection = connection;
            this.key = key;
        }

        /**
         * Permits per period, across all instances. Required.
         *
         * @param permits at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code permits < 1}
         */
        public Builder permits(int permits) {
            this.permits = Checks.atLeast("permits", permits, 1);
            return this;
        }

        /**
         * The period the permits are counted over. Required.
         *
         * @param period positive, whole microseconds (the resolution of the server's clock), below about 35 years
         * @return this builder
         * @throws IllegalArgumentException if {@code period} is not positive, not whole microseconds or too long
         */
        public Builder per(Duration period) {
            Checks.requirePositive("period", period);
            if (period.getNano() % 1000 != 0 || period.compareTo(Duration.ofNanos(MAX_MICROS * 1000)) > 0) {
                throw new IllegalArgumentException("period must be whole microseconds up to " + MAX_MICROS
                        + " us, was " + period);
            }
            this.period = period;
            return this;
        }

        /**
         * Most permits handed out at once after an idle spell; {@code 1} means evenly spaced.
         *
         * @param burst at least 1; default {@value RateLimiter#DEFAULT_BURST}
         * @return this builder
         * @throws IllegalArgumentException if {@code burst < 1}
         */
        public Builder burst(int burst) {
            this.burst = Checks.atLeast("burst", burst, 1);
            return this;
        }

        /**
         * As {@link RateLimiter.Builder#catchUp(Duration)}: how late a throttled caller may come back and still be
         * given the permits it missed.
         *
         * @param catchUp zero or positive, whole microseconds; default {@link RateLimiter#DEFAULT_CATCH_UP}
         * @return this builder
         * @throws IllegalArgumentException if {@code catchUp} is negative or not whole microseconds
         */
        public Builder catchUp(Duration catchUp) {
            Checks.requireNonNegative("catchUp", catchUp);
            if (catchUp.getNano() % 1000 != 0 || catchUp.compareTo(Duration.ofNanos(MAX_MICROS * 1000)) > 0) {
                throw new IllegalArgumentException("catchUp must be whole microseconds up to " + MAX_MICROS
                        + " us, was " + catchUp);
            }
            this.catchUp = catchUp;
            return this;
        }

        /**
         * Longest a call may take, retries after connection errors included; then it fails, or passes when
         * {@link #failOpen(boolean) failing open}.
         *
         * @param timeout positive; default {@value RedisRateLimiter#DEFAULT_TIMEOUT_MILLIS} ms
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.requirePositive("timeout", timeout);
            return this;
        }

        /**
         * When Redis is down or slow: {@code false} (default) fails the element's stream with
         * {@link RedisStoreException}, {@code true} lets the element through at once (counted as a fail-open pass).
         *
         * @param failOpen whether to let elements through when Redis does not answer
         * @return this builder
         */
        public Builder failOpen(boolean failOpen) {
            this.failOpen = failOpen;
            return this;
        }

        /**
         * The limiter's name in exceptions and in the {@code store} tag of the counters.
         *
         * @param name not blank; default {@value RedisRateLimiter#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records counters {@code fluxgate.store.errors} and {@code fluxgate.store.fail.open} in {@code registry},
         * tagged {@code store} (the name) and {@code kind=rate-limiter}. Default: no registry, no meters.
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
         * Builds the limiter; nothing is sent to Redis until the first permit is asked for.
         *
         * @return a thread-safe limiter
         * @throws IllegalStateException if permits or period is missing, or {@code period * burst} exceeds
         *     2^50 microseconds
         */
        public RedisRateLimiter build() {
            if (permits == 0 || period == null) {
                throw new IllegalStateException("permits and per(period) are required");
            }
            long p = micros(period);
            if (p > MAX_MICROS / burst) {
                throw new IllegalStateException("period * burst must stay below 2^50 us, was " + period + " * "
                        + burst);
            }
            return new RedisRateLimiter(this);
        }
    }
}
