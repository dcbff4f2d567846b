package io.fluxgate.examples.shared;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.dedupe.IdempotencyStore;
import io.fluxgate.jdbc.PostgresSettings;
import io.fluxgate.jdbc.dedupe.PostgresIdempotencyStore;
import io.fluxgate.ratelimit.RateLimit;
import io.fluxgate.redis.RedisIdempotencyStore;
import io.fluxgate.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.r2dbc.pool.ConnectionPool;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Two instances of one pipeline sharing one idempotency store and one rate limiter. Each instance sees every order
 * (as after a consumer-group rebalance, when two instances replay the same records), marks it in the shared store
 * (Redis, or a PostgreSQL table with {@code --store=postgres}) so that only one of them processes it, and calls a
 * partner API that allows {@code --rate} calls per second in total, through one Redis limiter. Each instance has its
 * own connections, as separate JVMs would.
 *
 * <pre>
 * java -cp examples/target/... io.fluxgate.examples.shared.SharedStoresExample --orders=2000 --rate=500
 * </pre>
 *
 * Prints how many orders each instance processed (together: each order once) and the calls' combined rate.
 */
public final class SharedStoresExample {

    /** What a run did. */
    public record Summary(int orders, List<Integer> perInstance, int processedTwice, double callsPerSecond) {
    }

    private SharedStoresExample() {
    }

    public static void main(String[] args) {
        int orders = 2000;
        int rate = 500;
        boolean postgres = false;
        for (String a : args) {
            if (a.startsWith("--orders=")) {
                orders = Integer.parseInt(a.substring(9));
            } else if (a.startsWith("--rate=")) {
                rate = Integer.parseInt(a.substring(7));
            } else if (a.equals("--store=postgres")) {
                postgres = true;
            } else if (!a.equals("--store=redis")) {
                System.err.println("usage: SharedStoresExample [--orders=N] [--rate=N] [--store=redis|postgres]");
                System.exit(2);
            }
        }
        String host = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"));
        RedisClient redis = RedisClient.create(RedisURI.create(host, port));
        try {
            Summary s = run(redis, postgres ? PostgresSettings.fromEnvironment() : null, orders, rate,
                    "example:" + UUID.randomUUID() + ":");
            System.out.printf("orders %d, processed per instance %s, processed twice %d, partner calls %.1f/s"
                    + " (limit %d/s in total)%n", s.orders(), s.perInstance(), s.processedTwice(), s.callsPerSecond(),
                    rate);
        } finally {
            redis.shutdown();
        }
    }

    /**
     * Runs two instances over the same {@code orders}.
     *
     * @param redis the Redis client (the limiter, and the store unless {@code postgres} is given)
     * @param postgres where the PostgreSQL store's table lives, or null for the Redis store
     * @param orders how many distinct orders each instance sees
     * @param rate partner calls per second, in total
     * @param namespace a prefix for the Redis keys and the table of this run
     * @return what each instance processed, and the combined call rate
     */
    public static Summary run(RedisClient redis, PostgresSettings postgres, int orders, int rate, String namespace) {
        Map<String, Integer> processed = new ConcurrentHashMap<>();
        List<AtomicInteger> perInstance = List.of(new AtomicInteger(), new AtomicInteger());
        List<AutoCloseable> resources = new ArrayList<>();
        List<Mono<Void>> instances = new ArrayList<>();
        String table = "example_seen_" + Integer.toHexString(namespace.hashCode() & 0x7fffffff);
        try {
            for (int i = 0; i < 2; i++) {
                StatefulRedisConnection<String, String> connection = redis.connect();
                resources.add(connection);
                IdempotencyStore<String> store;
                if (postgres != null) {
                    ConnectionPool pool = postgres.pool(2);
                    resources.add(pool::dispose);
                    PostgresIdempotencyStore pg = PostgresIdempotencyStore.builder(pool).table(table)
                            .ttl(Duration.ofHours(1)).build();
                    resources.add(pg);
                    store = pg;
                } else {
                    store = RedisIdempotencyStore.builder(connection).keyPrefix(namespace + "seen:")
                            .ttl(Duration.ofHours(1)).build();
                }
                RedisRateLimiter partnerApi = RedisRateLimiter.builder(connection, namespace + "partner-api")
                        .permits(rate).per(Duration.ofSeconds(1)).build();
                AtomicInteger mine = perInstance.get(i);
                instances.add(Flux.range(0, orders)
                        .map(n -> "order-" + n)
                        .transform(Dedupe.<String, String>byKey(id -> id).store(store).build())
                        .transform(RateLimit.shaping(partnerApi))
                        .doOnNext(id -> {
                            processed.merge(id, 1, Integer::sum); // the "partner call"
                            mine.incrementAndGet();
                        })
                        .subscribeOn(Schedulers.boundedElastic())
                        .then());
            }
            long start = System.nanoTime();
            Mono.when(instances).block();
            double seconds = (System.nanoTime() - start) / 1e9;
            int twice = (int) processed.values().stream().filter(n -> n > 1).count();
            return new Summary(orders, perInstance.stream().map(AtomicInteger::get).toList(), twice,
                    processed.size() / seconds);
        } finally {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    // closing what the example opened; nothing to recover
                }
            }
            if (postgres != null) {
                dropTable(postgres, table);
            }
        }
    }

    private static void dropTable(PostgresSettings settings, String table) {
        Mono.usingWhen(settings.connectionFactory().create(),
                        c -> Mono.from(c.createStatement("DROP TABLE IF EXISTS " + table).execute())
                                .flatMap(r -> Mono.from(r.getRowsUpdated())),
                        io.r2dbc.spi.Connection::close)
                .block(Duration.ofSeconds(30));
    }
}
