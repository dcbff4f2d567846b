package io.fluxgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.ratelimit.RateLimit;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * A private redis-server restarted in the middle of a stream that goes through the shared store and the shared
 * limiter: the configured failure mode holds, no element is lost, and the pipeline recovers (the store deduplicates
 * again afterwards). The server runs without persistence, so the keys marked before the restart are forgotten.
 */
class RedisRestartTest {

    private static final int ELEMENTS = 400;

    /** Runs the stream, restarting the server once {@code 100} elements are through; returns what passed. */
    private static List<Integer> runAcrossARestart(RedisServers.Private server, RedisIdempotencyStore store,
                                                   RedisRateLimiter limiter) throws Exception {
        ConcurrentLinkedQueue<Integer> passed = new ConcurrentLinkedQueue<>();
        AtomicInteger seen = new AtomicInteger();
        CompletableFuture<Void> run = Flux.range(0, ELEMENTS)
                .transform(Dedupe.<Integer, String>byKey(i -> "k" + i).store(store).build())
                .transform(RateLimit.shaping(limiter))
                .doOnNext(i -> {
                    passed.add(i);
                    seen.incrementAndGet();
                })
                .then().toFuture();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.get() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        server.stop();
        Thread.sleep(500);
        server.start();
        run.get();
        return List.copyOf(passed);
    }

    @Test
    void failingClosedWithATimeoutLongerThanTheOutageLosesNothingAndFailsNothing() throws Exception {
        try (RedisServers.Private server = new RedisServers.Private()) {
            RedisClient client = RedisServers.client("127.0.0.1", server.port());
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                RedisIdempotencyStore store = RedisIdempotencyStore.builder(conn).ttl(Duration.ofMinutes(5))
                        .timeout(Duration.ofSeconds(10)).build();
                RedisRateLimiter limiter = RedisRateLimiter.builder(conn, "limit").permits(500)
                        .per(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(10)).build();
                List<Integer> passed = runAcrossARestart(server, store, limiter);
                assertThat(passed).as("every element, once, in order").containsExactlyElementsOf(
                        Flux.range(0, ELEMENTS).collectList().block());
                assertThat(store.errors()).isZero();
                assertThat(limiter.errors()).isZero();
                // recovered: the keys marked after the restart are remembered
                assertThat(store.markAllIfAbsent(List.of("k" + (ELEMENTS - 1), "new")).block())
                        .containsExactly(false, true);
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void failingOpenLetsElementsThroughDuringTheOutageAndCountsThem() throws Exception {
        try (RedisServers.Private server = new RedisServers.Private()) {
            RedisClient client = RedisServers.client("127.0.0.1", server.port());
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                RedisIdempotencyStore store = RedisIdempotencyStore.builder(conn).ttl(Duration.ofMinutes(5))
                        .timeout(Duration.ofMillis(100)).failOpen(true).build();
                RedisRateLimiter limiter = RedisRateLimiter.builder(conn, "limit").permits(500)
                        .per(Duration.ofSeconds(1)).timeout(Duration.ofMillis(100)).failOpen(true).build();
                List<Integer> passed = runAcrossARestart(server, store, limiter);
                assertThat(passed).as("every element, once, in order").containsExactlyElementsOf(
                        Flux.range(0, ELEMENTS).collectList().block());
                assertThat(store.failOpenPasses() + limiter.failOpenPasses()).as("passed without an answer")
                        .isPositive();
                assertThat(store.errors() + limiter.errors()).isPositive();
                assertThat(store.markAllIfAbsent(List.of("k" + (ELEMENTS - 1), "new")).block())
                        .containsExactly(false, true);
            } finally {
                client.shutdown();
            }
        }
    }
}
