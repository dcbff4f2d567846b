package io.fluxgate.benchmarks.stores;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.dedupe.IdempotencyStore;
import io.fluxgate.dedupe.InMemoryIdempotencyStore;
import io.fluxgate.jdbc.PostgresSettings;
import io.fluxgate.jdbc.dedupe.PostgresIdempotencyStore;
import io.fluxgate.ratelimit.RateLimit;
import io.fluxgate.redis.RedisIdempotencyStore;
import io.fluxgate.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The shared stores of issue 22, measured.
 *
 * <p><b>Stores</b>: distinct keys per second through {@code Dedupe.byKey(...).store(s)} from a fast source, for the
 * in-memory store (the baseline), Redis and PostgreSQL, each batched (the operator's default, up to 256 keys per call)
 * and single (one key per call, {@code maxBatch(1)}); interleaved rounds, medians, ratios to the in-memory store of
 * the same rounds.
 *
 * <p><b>Limiter</b>: {@code --instances} streams (each its own Redis connection, as separate JVMs would have) take
 * permits from one {@link RedisRateLimiter} as fast as it lets them for {@code --seconds}; the permits emitted in that
 * time against the configured rate.
 *
 * <p>Redis from {@code REDIS_HOST}/{@code REDIS_PORT} (default 127.0.0.1:6379), PostgreSQL from the PG* variables.
 * Run through {@code benchmarks/scripts/shared-stores.sh}. Arguments: {@code --mode=stores|limiter|all --runs=N
 * --rates=1000,10000 --seconds=10 --instances=3 --in-flight=4}.
 */
public final class SharedStoresRun {

    private SharedStoresRun() {
    }

    public static void main(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opts.put(a.substring(2, eq < 0 ? a.length() : eq), eq < 0 ? "true" : a.substring(eq + 1));
        }
        String mode = opts.getOrDefault("mode", "all");
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        String host = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"));
        RedisClient client = RedisClient.create(RedisURI.create(host, port));
        try {
            if (mode.equals("all") || mode.equals("stores")) {
                stores(client, runs);
            }
            if (mode.equals("all") || mode.equals("limiter")) {
                int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
                int instances = Integer.parseInt(opts.getOrDefault("instances", "3"));
                int inFlight = Integer.parseInt(opts.getOrDefault("in-flight", "4"));
                for (String r : opts.getOrDefault("rates", "1000,10000").split(",")) {
                    limiter(client, Integer.parseInt(r.trim()), seconds, instances, inFlight);
                }
            }
        } finally {
            client.shutdown();
        }
    }

    // ------------------------------------------------------------------------------------------------- stores

    private static void stores(RedisClient client, int runs) {
        PostgresSettings pg = PostgresSettings.fromEnvironment();
        ConnectionPool pool = pg.pool(4);
        String table = "fg_bench_seen_" + Long.toHexString(System.nanoTime());
        StatefulRedisConnection<String, String> redis = client.connect();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try {
            for (int run = 1; run <= runs; run++) {
                String prefix = "fgbench:" + UUID.randomUUID() + ":";
                RedisIdempotencyStore redisStore = RedisIdempotencyStore.builder(redis).keyPrefix(prefix)
                        .ttl(Duration.ofMinutes(2)).build();
                PostgresIdempotencyStore pgStore = PostgresIdempotencyStore.builder(pool).table(table)
                        .ttl(Duration.ofMinutes(2)).purgeInterval(Duration.ZERO).build();
                pgStore.createTable().block();
                measure(rates, "in-memory", 300_000, "m" + run, InMemoryIdempotencyStore.lastKeys(1_000_000), 256);
                measure(rates, "redis batched", 50_000, "rb" + run, redisStore, 256);
                measure(rates, "redis single", 10_000, "rs" + run, redisStore, 1);
                measure(rates, "postgres batched", 50_000, "pb" + run, pgStore, 256);
                measure(rates, "postgres single", 5_000, "ps" + run, pgStore, 1);
                System.out.printf(Locale.ROOT, "run %d: %s%n", run, last(rates));
            }
        } finally {
            Mono.usingWhen(pool.create(), c -> Mono.from(c.createStatement("DROP TABLE IF EXISTS " + table).execute())
                    .flatMap(r -> Mono.from(r.getRowsUpdated())), Connection::close).block();
            pool.disposeLater().block();
            redis.close();
        }
        double base = median(rates.get("in-memory"));
        System.out.println();
        System.out.println("| store | keys/s (median of " + runs + ") | vs in-memory |");
        System.out.println("|---|---:|---:|");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            double m = median(e.getValue());
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.4f |%n", e.getKey(), m, m / base);
        }
        System.out.println();
    }

    private static void measure(Map<String, List<Double>> rates, String name, int keys, String run,
                                IdempotencyStore<String> store, int maxBatch) {
        Function<Flux<String>, Flux<String>> dedupe = Dedupe.<String, String>byKey(s -> s).store(store)
                .maxBatch(maxBatch).build();
        long start = System.nanoTime();
        long passed = Flux.range(0, keys).map(i -> run + ":" + i).transform(dedupe).count()
                .block(Duration.ofMinutes(10));
        long elapsed = System.nanoTime() - start;
        if (passed != keys) {
            throw new IllegalStateException(name + ": " + passed + " of " + keys + " distinct keys passed");
        }
        rates.computeIfAbsent(name, k -> new ArrayList<>()).add(keys * 1e9 / elapsed);
    }

    private static String last(Map<String, List<Double>> rates) {
        StringBuilder sb = new StringBuilder();
        rates.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %,.0f/s  ", k, v.get(v.size() - 1))));
        return sb.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    // ------------------------------------------------------------------------------------------------ limiter

    private static void limiter(RedisClient client, int rate, int seconds, int instances, int inFlight) {
        String key = "fgbench:" + UUID.randomUUID() + ":limit";
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        List<Disposable> streams = new ArrayList<>();
        AtomicLong inWindow = new AtomicLong();
        long[] perInstance = new long[instances];
        List<RedisRateLimiter> limiters = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            StatefulRedisConnection<String, String> c = client.connect();
            connections.add(c);
            limiters.add(RedisRateLimiter.builder(c, key).permits(rate).per(Duration.ofSeconds(1))
                    .timeout(Duration.ofSeconds(5)).build());
            // warm up the connection, the script cache and the JIT on a key of its own, outside the window
            RedisRateLimiter warm = RedisRateLimiter.builder(c, key + ":warmup").permits(1_000_000)
                    .per(Duration.ofSeconds(1)).build();
            Flux.range(0, 2000).concatMap(x -> warm.tryReserveNanos(Long.MAX_VALUE)).blockLast();
            c.sync().del(key + ":warmup");
        }
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        for (int i = 0; i < instances; i++) {
            RedisRateLimiter limiter = limiters.get(i);
            int id = i;
            streams.add(Flux.<Long>generate(s -> s.next(System.nanoTime()))
                    .transform(RateLimit.builder(limiter).maxInFlight(inFlight).build())
                    .subscribe(x -> {
                        if (System.nanoTime() <= end) {
                            inWindow.incrementAndGet();
                            synchronized (perInstance) {
                                perInstance[id]++;
                            }
                        }
                    }));
        }
        try {
            Thread.sleep(Math.max(0, Duration.ofNanos(end - System.nanoTime()).toMillis()) + 200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.forEach(Disposable::dispose);
        long permits = inWindow.get();
        double achieved = permits / (double) seconds;
        StringBuilder split = new StringBuilder();
        synchronized (perInstance) {
            for (long n : perInstance) {
                split.append(n).append(' ');
            }
        }
        System.out.printf(Locale.ROOT, "| %,d/s | %d s | %d x %d in flight | %,d | %,.1f/s | %+.2f%% | %s|%n", rate,
                seconds, instances, inFlight, permits, achieved, (achieved / rate - 1) * 100, split);
        connections.get(0).sync().del(key);
        connections.forEach(StatefulRedisConnection::close);
    }
}
