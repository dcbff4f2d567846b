package io.fluxgate.redis;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.Assumptions;

/**
 * The Redis servers of the tests: the shared one at {@code 127.0.0.1:6379} ({@code REDIS_HOST}, {@code REDIS_PORT}),
 * used with a random key prefix per test, and private ones spawned on a free port for the tests that restart them.
 * Without a server the tests fail under {@code CI=true} with a message saying how to start one, and are skipped
 * elsewhere.
 */
final class RedisServers {

    static final String START_HINT = "Start one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379"
            + " --save \"\" --appendonly no` (Debian package redis-server), or point the tests at another server with"
            + " REDIS_HOST and REDIS_PORT.";

    /** Shared client resources: a fast, constant reconnect delay, so that a restarted server is found at once. */
    static final ClientResources RESOURCES = ClientResources.builder()
            .reconnectDelay(Delay.constant(Duration.ofMillis(50))).build();

    private RedisServers() {
    }

    static String host() {
        String h = System.getenv("REDIS_HOST");
        return h == null || h.isBlank() ? "127.0.0.1" : h;
    }

    static int port() {
        String p = System.getenv("REDIS_PORT");
        return p == null || p.isBlank() ? 6379 : Integer.parseInt(p);
    }

    /** A client of the shared server, after checking that it answers (fails on CI, skips elsewhere if not). */
    static RedisClient shared() {
        requireAnswering(host(), port());
        return client(host(), port());
    }

    static RedisClient client(String host, int port) {
        RedisClient client = RedisClient.create(RESOURCES, RedisURI.create(host, port));
        client.setOptions(ClientOptions.builder().autoReconnect(true).build());
        return client;
    }

    /** A fresh key prefix: the shared server is shared with other test runs. */
    static String prefix() {
        return "fgtest:" + UUID.randomUUID() + ":";
    }

    static void requireAnswering(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
        } catch (IOException e) {
            String message = "Redis is not answering at " + host + ":" + port + " (" + e.getMessage()
                    + "). The fluxgate-redis tests need a real server. " + START_HINT;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
    }

    /** The redis-server binary, or a failure/skip as for a missing server. */
    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        String message = "redis-server is not installed; the restart tests spawn their own. " + START_HINT;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    /** A redis-server of the test's own on a free port, without persistence; restartable on the same port. */
    static final class Private implements AutoCloseable {
        private final String binary = binary();
        private final int port;
        private Process process;

        Private() throws IOException, InterruptedException {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            start();
        }

        int port() {
            return port;
        }

        void start() throws IOException, InterruptedException {
            process = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw new IOException("redis-server did not start on port " + port, e);
                    }
                    Thread.sleep(20);
                }
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
