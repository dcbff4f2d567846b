package io.fluxgate.jdbc.dedupe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@link PostgresIdempotencyStore} on the real server: batches, expiry, purge, sharing, failures and a restart. */
@ExtendWith(PostgresExtension.class)
class PostgresIdempotencyStoreTest {

    private static final AtomicInteger TABLES = new AtomicInteger();

    private static String table() {
        return "seen" + TABLES.incrementAndGet();
    }

    /** Counts the connections taken: one per statement. */
    static final class Counting implements ConnectionFactory {
        final ConnectionFactory delegate;
        final AtomicInteger creates = new AtomicInteger();

        Counting(ConnectionFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public Publisher<? extends Connection> create() {
            creates.incrementAndGet();
            return delegate.create();
        }

        @Override
        public ConnectionFactoryMetadata getMetadata() {
            return delegate.getMetadata();
        }
    }

    @Test
    void aBatchOfKeysIsMarkedInOneStatement(PostgresTestSchema db) {
        Counting pool = new Counting(db.pool(2));
        PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(pool).table(table())
                .ttl(Duration.ofMinutes(5)).purgeInterval(Duration.ZERO).build();
        store.createTable().block();
        pool.creates.set(0);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            keys.add("k" + (i % 400)); // 100 repeats inside the batch
        }
        List<Boolean> answers = store.markAllIfAbsent(keys).block();
        assertThat(pool.creates).as("one round trip for the batch").hasValue(1);
        assertThat(answers.subList(0, 400)).containsOnly(true);
        assertThat(answers.subList(400, 500)).as("repeats inside the batch").containsOnly(false);
        assertThat(store.markAllIfAbsent(List.of("k1", "new", "new")).block()).containsExactly(false, true, false);
    }

    @Test
    void anExpiredKeyIsNewAgainAndThePurgeDeletesExpiredRows(PostgresTestSchema db) throws InterruptedException {
        String t = table();
        PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(db.pool(2)).table(t)
                .ttl(Duration.ofMillis(20)).purgeInterval(Duration.ZERO).build();
        assertThat(store.markIfAbsent("a").block()).isTrue();
        awaitExpired(db, t, 1);
        assertThat(store.markAllIfAbsent(List.of("a", "a")).block()).as("expired: new, with a fresh expiry")
                .containsExactly(true, false);
        assertThat(store.markIfAbsent("b").block()).isTrue();
        awaitExpired(db, t, 2);
        assertThat(store.purge().block()).isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isZero();
    }

    /** Polls (a condition, not a timing assertion) until {@code n} rows have expired on the server's clock. */
    private static void awaitExpired(PostgresTestSchema db, String t, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (db.queryLong("SELECT count(*) FROM " + t + " WHERE expires_at <= now()") < n
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void thePeriodicPurgeRunsUntilClosed(PostgresTestSchema db) throws InterruptedException {
        String t = table();
        PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(db.pool(2)).table(t)
                .ttl(Duration.ofMillis(1)).purgeInterval(Duration.ofMillis(50)).build();
        try {
            assertThat(store.markAllIfAbsent(List.of("a", "b", "c")).block()).containsOnly(true);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (db.queryLong("SELECT count(*) FROM " + t) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(db.queryLong("SELECT count(*) FROM " + t)).isZero();
        } finally {
            store.close();
        }
    }

    @Test
    void theDocumentedDdlAndASchemaQualifiedTable(PostgresTestSchema db) {
        String t = db.name() + "." + table();
        db.execute(PostgresIdempotencyStore.ddl(t).split(";\n"));
        PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(db.pool(1)).table(t).createTable(false)
                .ttl(Duration.ofHours(1)).purgeInterval(Duration.ZERO).build();
        assertThat(store.markAllIfAbsent(List.of("x", "y")).block()).containsExactly(true, true);
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(2);
    }

    @Test
    void threeInstancesSharingOneTableLetEachKeyThroughOnce(PostgresTestSchema db) {
        String t = table();
        int keys = 2000;
        ConcurrentLinkedQueue<String> passed = new ConcurrentLinkedQueue<>();
        List<Mono<Void>> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // each instance its own pool and store, as separate JVMs would have
            PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(db.pool(2)).table(t)
                    .ttl(Duration.ofMinutes(5)).purgeInterval(Duration.ZERO).build();
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
        Mono.when(instances).block(Duration.ofSeconds(120));
        Set<String> distinct = new HashSet<>(passed);
        assertThat(passed).as("no key passed twice").hasSize(distinct.size());
        assertThat(distinct).as("every key passed once").hasSize(keys);
    }

    @Test
    void aServerThatDoesNotAnswerFailsTheCallOrLetsItThroughNeverDuplicate(PostgresTestSchema db)
            throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ConnectionPool nowhere = db.settings().toBuilder().port(closedPort).build().pool(1);
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            PostgresIdempotencyStore failing = PostgresIdempotencyStore.builder(nowhere).table("nowhere")
                    .ttl(Duration.ofMinutes(1)).timeout(Duration.ofMillis(300)).purgeInterval(Duration.ZERO)
                    .meterRegistry(registry).build();
            PostgresIdempotencyStore open = PostgresIdempotencyStore.builder(nowhere).table("nowhere_open")
                    .ttl(Duration.ofMinutes(1)).timeout(Duration.ofMillis(300)).failOpen(true)
                    .purgeInterval(Duration.ZERO).meterRegistry(registry).build();
            StepVerifier.create(failing.markAllIfAbsent(List.of("x", "y")))
                    .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(PostgresStoreException.class)
                            .hasMessageContaining("nowhere could not mark 2 key(s): no answer within PT0.3S"));
            assertThat(open.markAllIfAbsent(List.of("x", "y", "x")).block()).containsExactly(true, true, true);
            assertThat(failing.errors()).isEqualTo(1);
            assertThat(open.failOpenPasses()).isEqualTo(3);
            assertThat(registry.get(PostgresIdempotencyStore.FAIL_OPEN_METER).tag("store", "nowhere_open")
                    .counter().count()).isEqualTo(3.0);
            assertThat(registry.get(PostgresIdempotencyStore.ERRORS_METER).tag("store", "nowhere")
                    .counter().count()).isEqualTo(1.0);
        } finally {
            nowhere.disposeLater().block();
        }
    }

    @Test
    void rejectsBadSettings(PostgresTestSchema db) {
        ConnectionFactory pool = db.connectionFactory();
        assertThatThrownBy(() -> PostgresIdempotencyStore.builder(pool).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> PostgresIdempotencyStore.builder(pool).ttl(Duration.ofNanos(999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.000000999S");
        assertThatThrownBy(() -> PostgresIdempotencyStore.builder(pool).table("bad\u0001name"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresIdempotencyStore.builder(pool).purgeInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    /**
     * The real server restarted (Debian's {@code pg_ctlcluster ... restart}, fast mode) while keys go through the
     * store: with a timeout longer than the outage, the transient errors are retried with the same token, so nothing
     * fails, nothing is lost and nothing passes twice; the store works afterwards. Needs the local cluster's tools and
     * root (as on CI); skipped without them, except on CI, where it fails.
     */
    @Test
    void theRealServerRestartedInTheMiddleOfAStream(PostgresTestSchema db) throws Exception {
        List<String> restart = pgRestartCommand();
        if (restart == null) {
            org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CI") != null,
                    "pg_ctlcluster and a local cluster are needed to restart the server");
            throw new AssertionError("CI is set but PostgreSQL cannot be restarted here (pg_ctlcluster, /etc/postgresql)");
        }
        String t = table();
        PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(db.pool(2)).table(t)
                .ttl(Duration.ofMinutes(5)).timeout(Duration.ofSeconds(60)).purgeInterval(Duration.ZERO).build();
        store.createTable().block();
        int elements = 400;
        ConcurrentLinkedQueue<Integer> passed = new ConcurrentLinkedQueue<>();
        AtomicInteger seen = new AtomicInteger();
        // every key twice in a row: the copy must be dropped even when the restart falls between the two
        CompletableFuture<Void> run = Flux.range(0, elements * 2).map(i -> i / 2)
                .delayElements(Duration.ofMillis(5))
                .transform(Dedupe.<Integer, String>byKey(i -> "k" + i).store(store).build())
                .doOnNext(i -> {
                    passed.add(i);
                    seen.incrementAndGet();
                })
                .then().toFuture();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (seen.get() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(run).as("the restart falls in the middle of the stream").isNotDone();
        Process p = new ProcessBuilder(restart).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("restart: " + output).isZero();
        run.get();
        assertThat(List.copyOf(passed)).as("every key once, in order")
                .containsExactlyElementsOf(Flux.range(0, elements).collectList().block());
        assertThat(store.errors()).isZero();
        assertThat(store.markAllIfAbsent(List.of("k0", "after")).block()).containsExactly(false, true);
    }

    /** {@code pg_ctlcluster <newest version> main restart -m fast}, or null where that cannot run. */
    private static List<String> pgRestartCommand() {
        Path etc = Path.of("/etc/postgresql");
        Path tool = Path.of("/usr/bin/pg_ctlcluster");
        if (!Files.isDirectory(etc) || !Files.isExecutable(tool) || !"root".equals(System.getProperty("user.name"))) {
            return null;
        }
        try (var versions = Files.list(etc)) {
            String version = versions.map(v -> v.getFileName().toString())
                    .max(java.util.Comparator.comparingDouble(v -> {
                        try {
                            return Double.parseDouble(v);
                        } catch (NumberFormatException e) {
                            return 0;
                        }
                    })).orElse(null);
            return version == null ? null
                    : List.of(tool.toString(), "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast");
        } catch (IOException e) {
            return null;
        }
    }
}
