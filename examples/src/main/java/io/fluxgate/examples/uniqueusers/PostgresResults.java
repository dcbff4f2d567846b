package io.fluxgate.examples.uniqueusers;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.examples.Pools;
import io.fluxgate.jdbc.BatchResult;
import io.fluxgate.jdbc.PgType;
import io.fluxgate.jdbc.PostgresCopySink;
import io.fluxgate.jdbc.PostgresSettings;
import io.fluxgate.window.WindowCount;
import io.r2dbc.pool.ConnectionPool;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code --postgres}: the results also go to the table {@value #TABLE} (created when missing) through the COPY
 * sink in idempotent mode, one row per window, upserted on (window_start, window_seconds) so that a window emitted
 * again after a restart overwrites its row instead of adding one.
 */
final class PostgresResults implements AutoCloseable {

    static final String TABLE = "unique_users";

    private final ConnectionPool pool;
    private final PostgresCopySink<WindowCount> sink;

    PostgresResults(PostgresSettings settings) {
        this.pool = settings.pool(2);
        this.sink = PostgresCopySink.<WindowCount>builder(pool)
                .table(TABLE)
                .column("window_start", PgType.INT8, WindowCount::start)
                .column("window_seconds", PgType.INT8, w -> w.size().toSeconds())
                .column("cnt", PgType.INT8, WindowCount::uniqueUsers)
                .column("events", PgType.INT8, WindowCount::events)
                .onConflictUpdate("window_start", "window_seconds")
                .batchSize(500)
                .maxWait(Duration.ofMillis(100))
                .maxInFlight(1)
                .build();
    }

    /** Creates the table when it is missing. */
    Mono<Void> prepare() {
        return Mono.usingWhen(pool.create(),
                c -> Flux.from(c.createStatement("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                        + "window_start bigint NOT NULL, window_seconds bigint NOT NULL, cnt bigint NOT NULL,"
                        + " events bigint NOT NULL, PRIMARY KEY (window_start, window_seconds))").execute())
                        .flatMap(r -> r.getRowsUpdated()).then(),
                c -> c.close());
    }

    /** Writes the windows, in batches, passing each committed batch on. */
    Function<Flux<WindowCount>, Flux<BatchResult<WindowCount>>> writer() {
        return sink.transformer();
    }

    @Override
    public void close() {
        Pools.dispose(pool);
    }
}
