package io.fluxgate.jdbc;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Reactive Streams TCK over {@link PostgresCopySink#transformer()} on a real PostgreSQL: one element per batch,
 * so {@code n} results means {@code n} committed COPYs. TestNG (the TCK's framework), so the schema is set up here
 * rather than by {@link PostgresExtension}.
 */
public class PostgresCopySinkTckTest extends PublisherVerification<BatchResult<Long>> {

    private final PostgresSettings admin = PostgresSettings.fromEnvironment();
    private final String schema = "fg_tck_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private ConnectionPool pool;
    private PostgresCopySink<Long> sink;

    public PostgresCopySinkTckTest() {
        // generous timeouts: every element is a COPY and a commit on a shared machine; below 5 s the reference
        // check after cancel (spec 3.13) flakes on a loaded 2-core box while the cancelled COPY winds down
        super(new TestEnvironment(5_000, 100), 5_000);
    }

    @BeforeClass
    public void setUp() {
        try {
            execute(admin, "CREATE SCHEMA " + PgIdentifier.quote(schema));
        } catch (RuntimeException e) {
            throw new IllegalStateException("PostgreSQL is not answering at " + admin + ". "
                    + PostgresExtension.START_HINT, e);
        }
        PostgresSettings settings = admin.toBuilder().schema(schema).build();
        execute(settings, "CREATE UNLOGGED TABLE tck (v int8)");
        pool = settings.pool(2);
        sink = PostgresCopySink.<Long>builder(pool)
                .table("tck")
                .column("v", PgType.INT8, v -> v)
                .batching(f -> f.buffer(1))
                .build();
    }

    @AfterClass(alwaysRun = true)
    public void tearDown() {
        if (pool != null) {
            pool.disposeLater().block(Duration.ofSeconds(10));
        }
        execute(admin, "DROP SCHEMA IF EXISTS " + PgIdentifier.quote(schema) + " CASCADE");
    }

    @Override
    public Publisher<BatchResult<Long>> createPublisher(long elements) {
        return Flux.range(0, (int) elements).map(i -> (long) i).transform(sink.transformer());
    }

    @Override
    public Publisher<BatchResult<Long>> createFailedPublisher() {
        return Flux.<Long>error(new IllegalStateException("upstream failed")).transform(sink.transformer());
    }

    @Override
    public long maxElementsFromPublisher() {
        return 16; // each element is a transaction; the TCK's larger counts would only measure PostgreSQL
    }

    private static void execute(PostgresSettings s, String sql) {
        Mono.usingWhen(s.connectionFactory().create(),
                        c -> Flux.from(c.createStatement(sql).execute()).concatMap(r -> r.getRowsUpdated()).then(),
                        Connection::close)
                .block(Duration.ofSeconds(30));
    }
}
