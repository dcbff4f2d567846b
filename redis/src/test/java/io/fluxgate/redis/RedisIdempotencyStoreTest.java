package io.fluxgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.dedupe.InMemoryIdempotencyStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@link RedisIdempotencyStore} against the in-memory store as the reference, and its TTL and failure modes. */
class RedisIdempotencyStoreTest {

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private static synchronized StatefulRedisConnection<String, String> connection() {
        if (connection == null) {
            client = RedisServers.shared();
            connection = client.connect();
        }
        return connection;
    }

    @AfterContainer
    static void close() {
        if (client != null) {
            connection.close();
            client.shutdown();
        }
    }

    @Provide
    Arbitrary<List<List<String>>> batches() {
        // a small alphabet, so keys repeat across and inside batches
        return Arbitraries.strings().withChars("abcdefgh").ofMinLength(1).ofMaxLength(2)
                .list().ofMinSize(1).ofMaxSize(12).list().ofMinSize(1).ofMaxSize(15);
    }

    @Property(tries = 80)
    void answersAsTheInMemoryStore(@ForAll("batches") List<List<String>> batches) {
        String prefix = RedisServers.prefix();
        RedisIdempotencyStore store = RedisIdempotencyStore.builder(connection()).keyPrefix(prefix)
                .ttl(Duration.ofMinutes(5)).build();
        InMemoryIdempotencyStore<String> reference = InMemoryIdempotencyStore.lastKeys(10_000);
        try {
            for (List<String> batch : batches) {
                List<Boolean> expected = new ArrayList<>();
                for (String k : batch) {
                    expected.add(reference.tryMark(k));
                }
                List<Boolean> actual = batch.size() == 1
                        ? List.of(store.markIfAbsent(batch.get(0)).block(Duration.ofSeconds(10)))
                        : store.markAllIfAbsent(batch).block(Duration.ofSeconds(10));
                assertThat(actual).as("batch %s", batch).isEqualTo(expected);
            }
        } finally {
            List<String> keys = connection().sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                connection().sync().del(keys.toArray(String[]::new));
            }
        }
    }

    @Example
    void theKeyExpiresAfterItsTtlAndIsNewAgain() throws InterruptedException {
        String prefix = RedisServers.prefix();
        RedisIdempotencyStore store = RedisIdempotencyStore.builder(connection()).keyPrefix(prefix)
                .ttl(Duration.ofMillis(30)).build();
        assertThat(store.markIfAbsent("k").block()).isTrue();
        long pttl = connection().sync().pttl(prefix + "k");
        assertThat(pttl).as("Redis expires the key").isBetween(-2L, 30L);
        // wait for Redis to drop it (a condition, not a timing assertion)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (connection().sync().exists(prefix + "k") == 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(store.markIfAbsent("k").block()).isTrue();
        assertThat(store.markIfAbsent("k").block()).isFalse();
        connection().sync().del(prefix + "k");
    }

    @Example
    void dedupeOverTheStoreDropsKeysSeenByAnotherStream() {
        String prefix = RedisServers.prefix();
        RedisIdempotencyStore store = RedisIdempotencyStore.builder(connection()).keyPrefix(prefix)
                .ttl(Duration.ofMinutes(1)).build();
        var dedupe = Dedupe.<String, String>byKey(s -> s).store(store).build();
        StepVerifier.create(Flux.just("a", "b", "a", "c").transform(dedupe)).expectNext("a", "b", "c")
                .verifyComplete();
        StepVerifier.create(Flux.just("c", "d", "b").transform(dedupe)).expectNext("d").verifyComplete();
        connection().sync().del(prefix + "a", prefix + "b", prefix + "c", prefix + "d");
    }

    @Example
    void aServerThatDoesNotAnswerFailsTheCallOrLetsItThroughNeverDuplicate() throws Exception {
        try (RedisServers.Private server = new RedisServers.Private()) {
            RedisClient c = RedisServers.client("127.0.0.1", server.port());
            try (StatefulRedisConnection<String, String> conn = c.connect()) {
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                RedisIdempotencyStore failing = RedisIdempotencyStore.builder(conn).ttl(Duration.ofMinutes(1))
                        .timeout(Duration.ofMillis(200)).name("orders").meterRegistry(registry).build();
                RedisIdempotencyStore open = RedisIdempotencyStore.builder(conn).ttl(Duration.ofMinutes(1))
                        .timeout(Duration.ofMillis(200)).failOpen(true).name("orders-open").meterRegistry(registry)
                        .build();
                assertThat(failing.markIfAbsent("x").block()).isTrue();
                server.stop();
                StepVerifier.create(failing.markAllIfAbsent(List.of("x", "y")))
                        .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(RedisStoreException.class)
                                .hasMessageContaining("'orders'").hasMessageContaining("2 key(s): no answer within PT0.2S"));
                assertThat(open.markAllIfAbsent(List.of("x", "y", "x")).block())
                        .as("fail open: every element goes through, even a repeat").containsExactly(true, true, true);
                assertThat(failing.errors()).isEqualTo(1);
                assertThat(open.errors()).isEqualTo(1);
                assertThat(open.failOpenPasses()).isEqualTo(3);
                assertThat(registry.get("fluxgate.store.fail.open").tag("store", "orders-open").counter().count())
                        .isEqualTo(3.0);
                assertThat(registry.get("fluxgate.store.errors").tag("store", "orders").counter().count())
                        .isEqualTo(1.0);
            } finally {
                c.shutdown();
            }
        }
    }

    @Example
    void rejectsBadSettings() {
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(connection()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(connection()).ttl(Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.00000001S");
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(connection()).timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> RedisRateLimiter.builder(connection(), "k").permits(1).per(Duration.ofNanos(1500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.0000015S");
        assertThatThrownBy(() -> RedisRateLimiter.builder(connection(), " "))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
