package io.fluxgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.ratelimit.RateLimit;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Three "instances" (each its own connection and operator, on its own thread) sharing one store and one limiter on
 * the shared Redis: no key passes twice, and the limiter holds the sum of their rates to the configured one.
 */
class SharedStoresTest {

    private static RedisClient client;
    private static final List<StatefulRedisConnection<String, String>> CONNECTIONS = new ArrayList<>();

    @BeforeAll
    static void connect() {
        client = RedisServers.shared();
        for (int i = 0; i < 3; i++) {
            CONNECTIONS.add(client.connect());
        }
    }

    @AfterAll
    static void close() {
        CONNECTIONS.forEach(StatefulRedisConnection::close);
        if (client != null) {
            client.shutdown();
        }
    }

    @Test
    void threeInstancesSharingOneStoreLetEachKeyThroughOnce() {
        String prefix = RedisServers.prefix();
        int keys = 3000;
        ConcurrentLinkedQueue<String> passed = new ConcurrentLinkedQueue<>();
        List<Mono<Void>> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RedisIdempotencyStore store = RedisIdempotencyStore.builder(CONNECTIONS.get(i)).keyPrefix(prefix)
                    .ttl(Duration.ofMinutes(5)).build();
            List<String> all = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                all.add("order-" + k);
            }
            Collections.shuffle(all, new Random(i));
            instances.add(Flux.fromIterable(all)
                    .transform(Dedupe.<String, String>byKey(s -> s).store(store).build())
                    .doOnNext(passed::add)
                    .subscribeOn(Schedulers.boundedElastic())
                    .then());
        }
        Mono.when(instances).block(Duration.ofSeconds(60));
        Set<String> distinct = new HashSet<>(passed);
        assertThat(passed).as("no key passed twice").hasSize(distinct.size());
        assertThat(distinct).as("every key passed once").hasSize(keys);
        List<String> written = CONNECTIONS.get(0).sync().keys(prefix + "*");
        CONNECTIONS.get(0).sync().del(written.toArray(String[]::new));
    }

    @Test
    void threeInstancesSharingOneLimiterTakeTheConfiguredRateBetweenThem() {
        String key = RedisServers.prefix() + "limit";
        int rate = 500;
        int perInstance = 100;
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Mono<Long>> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RedisRateLimiter limiter = RedisRateLimiter.builder(CONNECTIONS.get(i), key).permits(rate)
                    .per(Duration.ofSeconds(1)).build();
            instances.add(Flux.range(0, perInstance)
                    .transform(RateLimit.shaping(limiter))
                    .doOnNext(x -> threads.add(Thread.currentThread().getName()))
                    .subscribeOn(Schedulers.boundedElastic())
                    .count());
        }
        long start = System.nanoTime();
        List<Long> counts = Flux.merge(instances).collectList().block(Duration.ofSeconds(60));
        long elapsed = System.nanoTime() - start;
        assertThat(counts).containsExactly((long) perInstance, (long) perInstance, (long) perInstance);
        // 300 permits at 500/s between them: the last one is due 299 intervals after the first, whatever the
        // instances' count (a per-instance limit would have finished in a third of that)
        assertThat(Duration.ofNanos(elapsed)).isGreaterThanOrEqualTo(Duration.ofMillis(299 * 2 - 8));
        CONNECTIONS.get(0).sync().del(key);
    }
}
