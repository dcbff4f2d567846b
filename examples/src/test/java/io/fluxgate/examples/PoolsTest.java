package io.fluxgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.fluxgate.jdbc.PostgresSettings;
import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

@ExtendWith(PostgresExtension.class)
class PoolsTest {

    /**
     * The end of {@code bin/ingest}'s load under IngestFaultsTest's killer: idle pooled connections ended by the
     * server while the pool is being closed. {@link ConnectionPool#dispose()} threw (AbortedException: a closed
     * channel, or "channel not registered to an event loop") in one run of three here, turning a finished load into a
     * failed run.
     */
    @RepeatedTest(10)
    void disposingAPoolWhoseIdleConnectionsTheServerEndsNeverThrows(PostgresTestSchema db) {
        String app = "fluxgate-pools-test";
        PostgresSettings settings = db.settings().toBuilder().applicationName(app).build();
        ConnectionPool pool = settings.pool(3);
        Connection[] held = new Connection[3];
        for (int i = 0; i < held.length; i++) {
            held[i] = Mono.from(pool.create()).block(Duration.ofSeconds(10));
        }
        for (Connection c : held) {
            Mono.from(c.close()).block(Duration.ofSeconds(10));
        }
        // ended without waiting for them to exit: the pool closes them while the server does
        assertThat(db.queryLong("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity"
                + " WHERE application_name = '" + app + "' AND datname = current_database()) k WHERE t"))
                .isEqualTo(3);

        Pools.dispose(pool);

        assertThat(pool.isDisposed()).isTrue();
    }
}
