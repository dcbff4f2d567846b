package io.fluxgate.examples.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.UUID;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The two-instance example, small: each order processed by exactly one instance, the calls held to the limit. */
@ExtendWith(PostgresExtension.class)
class SharedStoresExampleTest {

    private static RedisClient redis() {
        String host = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
        } catch (IOException e) {
            String message = "Redis is not answering at " + host + ":" + port + "; start one with `redis-server"
                    + " --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no`";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message, e);
            }
            Assumptions.abort(message);
        }
        return RedisClient.create(RedisURI.create(host, port));
    }

    @Test
    void twoInstancesOnRedisProcessEachOrderOnceAtTheSharedRate() {
        RedisClient redis = redis();
        try {
            long start = System.nanoTime();
            SharedStoresExample.Summary s = SharedStoresExample.run(redis, null, 300, 1000,
                    "fgtest:" + UUID.randomUUID() + ":");
            long elapsed = System.nanoTime() - start;
            assertThat(s.perInstance().get(0) + s.perInstance().get(1)).isEqualTo(300);
            assertThat(s.processedTwice()).isZero();
            // 300 calls at 1000/s in total: the last is due 299 ms after the first, not 150 (two separate limits)
            assertThat(Duration.ofNanos(elapsed)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        } finally {
            redis.shutdown();
        }
    }

    @Test
    void twoInstancesOnAPostgresTable(PostgresTestSchema db) {
        RedisClient redis = redis();
        try {
            SharedStoresExample.Summary s = SharedStoresExample.run(redis, db.settings(), 40, 2000,
                    "fgtest:" + UUID.randomUUID() + ":");
            assertThat(s.perInstance().get(0) + s.perInstance().get(1)).isEqualTo(40);
            assertThat(s.processedTwice()).isZero();
        } finally {
            redis.shutdown();
        }
    }
}
