package io.fluxgate.examples.ingest;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.jdbc.PostgresSettings;
import io.r2dbc.spi.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Terminates PostgreSQL backends of one application name (a test's own: the server is shared), on a thread of its
 * own, over one connection of its own, until closed or until it has killed {@code limit} backends.
 */
final class BackendKiller implements AutoCloseable {

    private final AtomicLong killed = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;
    private final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

    /**
     * @param applicationName whose backends to kill (never the killer's own)
     * @param idleOnly        only backends idle between transactions (a pooled connection at rest)
     * @param period          pause between rounds
     * @param limit           stop after this many kills
     */
    BackendKiller(PostgresSettings admin, String applicationName, boolean idleOnly, Duration period, long limit) {
        String sql = "SELECT count(*)::int8 FROM (SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity"
                + " WHERE application_name = '" + applicationName.replace("'", "''") + "'"
                + " AND datname = current_database() AND pid <> pg_backend_pid()"
                + (idleOnly ? " AND state = 'idle'" : "") + ") k WHERE t";
        thread = new Thread(() -> {
            Connection c = Mono.from(admin.toBuilder().applicationName("fluxgate-test-killer").build()
                    .connectionFactory().create()).block(Duration.ofSeconds(10));
            try {
                while (!stop && killed.get() < limit) {
                    Long n = Flux.from(c.createStatement(sql).execute())
                            .concatMap(r -> r.map((row, meta) -> row.get(0, Long.class)))
                            .blockLast(Duration.ofSeconds(10));
                    killed.addAndGet(n == null ? 0 : n);
                    ready.countDown();
                    if (!period.isZero()) {
                        Thread.sleep(period.toMillis());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                ready.countDown();
                Mono.from(c.close()).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10));
            }
        }, "backend-killer");
        thread.setDaemon(true);
        thread.start();
        try {
            // killing from the first moment of the attacked run on: the killer's own connection is up
            ready.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Backends terminated so far. */
    long killed() {
        return killed.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
        if (failure != null) {
            throw new IllegalStateException("the killer failed", failure);
        }
    }
}
