package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Issue 24, point 1: a pooled connection that PostgreSQL ended while it sat idle fails the pool's validation on
 * checkout with a "non-transient" exception; a retry gets a fresh connection, so it is transient. Reproduced with a
 * real pool and {@code pg_terminate_backend} on this test's own connection (its own application name).
 */
@ExtendWith(PostgresExtension.class)
class TransientErrorsTest {

    @Test
    void aPooledConnectionKilledWhileIdleIsTransient(PostgresTestSchema db) {
        PostgresSettings settings = db.settings().toBuilder().applicationName("fluxgate-transient-test").build();
        ConnectionPool pool = settings.pool(2);
        try {
            // two idle connections, both killed (the timeout makes the server wait until they have exited): the pool
            // retries one acquisition, so a second dead one surfaces
            Connection a = Mono.from(pool.create()).block(Duration.ofSeconds(10));
            Connection b = Mono.from(pool.create()).block(Duration.ofSeconds(10));
            Mono.from(a.close()).block(Duration.ofSeconds(10));
            Mono.from(b.close()).block(Duration.ofSeconds(10));
            assertThat(db.queryLong("SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 10000) AS t FROM"
                    + " pg_stat_activity WHERE application_name = 'fluxgate-transient-test'"
                    + " AND datname = current_database()) k WHERE t")).isEqualTo(2);

            assertThatThrownBy(() -> Flux.usingWhen(pool.create(),
                            conn -> Flux.from(conn.createStatement("SELECT 1").execute())
                                    .concatMap(r -> r.map((row, meta) -> row.get(0))),
                            Connection::close)
                    .blockLast(Duration.ofSeconds(10)))
                    .satisfies(e -> assertThat(TransientErrors.isTransient(e)).as(e.toString()).isTrue());
            // and retrying on what TransientErrors calls transient gets a fresh connection. Whether the pool's own
            // retry hands out the second dead connection or a new one depends on when it finishes destroying the
            // first, so the other dead one may still surface once more: the retry is what production code does.
            List<Throwable> retried = new ArrayList<>();
            assertThat(Flux.usingWhen(pool.create(),
                            conn -> Flux.from(conn.createStatement("SELECT 1").execute())
                                    .concatMap(r -> r.map((row, meta) -> row.get(0, Integer.class))),
                            Connection::close)
                    .retryWhen(Retry.max(2).filter(TransientErrors::isTransient)
                            .doBeforeRetry(signal -> retried.add(signal.failure())))
                    .blockLast(Duration.ofSeconds(10))).isEqualTo(1);
            assertThat(retried).hasSizeLessThanOrEqualTo(1);
        } finally {
            pool.dispose();
        }
    }

    @Test
    void onlyThePoolsValidationFailureIsTransientAmongResourceErrorsWithoutState() {
        assertThat(TransientErrors.isTransient(new R2dbcNonTransientResourceException("Connection validation failed")))
                .isTrue();
        assertThat(TransientErrors.isTransient(new R2dbcNonTransientResourceException("something else"))).isFalse();
    }

    @Test
    void theApplicationNameComesFromTheBuilderOrPgAppname() {
        assertThat(PostgresSettings.builder().build().applicationName()).isEqualTo("fluxgate");
        PostgresSettings s = PostgresSettings.fromEnvironment(Map.of("PGAPPNAME", "loader-7"));
        assertThat(s.applicationName()).isEqualTo("loader-7");
        assertThat(s.libpqEnvironment()).containsEntry("PGAPPNAME", "loader-7");
        assertThatThrownBy(() -> PostgresSettings.builder().applicationName("x".repeat(64)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 63 bytes");
    }
}
