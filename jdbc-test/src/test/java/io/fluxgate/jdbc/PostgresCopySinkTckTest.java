package io.fluxgate.jdbc;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import java.util.concurrent.ThreadLocalRandom;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;
import reactor.core.publisher.Flux;

/**
 * The Reactive Streams TCK over {@link PostgresCopySink#transformer()} on a real PostgreSQL: one element per batch,
 * so {@code n} results means {@code n} committed COPYs. TestNG (the TCK's framework) does not run JUnit extensions,
 * so the schema is made here with {@link PostgresTestSchema#create}.
 */
public class PostgresCopySinkTckTest extends PublisherVerification<BatchResult<Long>> {

    private PostgresTestSchema db;
    private PostgresCopySink<Long> pooled;
    private PostgresCopySink<Long> unpooled;
    private volatile PostgresCopySink<Long> sink;

    public PostgresCopySinkTckTest() {
        // generous timeouts: every element is a COPY and a commit on a shared machine
        super(new TestEnvironment(2_000, 100, 10), 5_000);
    }

    @BeforeClass
    public void setUp() {
        PostgresSettings admin = PostgresSettings.fromEnvironment();
        String name = "fg_tck_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        try {
            db = PostgresTestSchema.create(admin, name);
        } catch (RuntimeException e) {
            throw new IllegalStateException("PostgreSQL is not answering at " + admin + ". "
                    + PostgresExtension.START_HINT, e);
        }
        db.execute("CREATE UNLOGGED TABLE tck (v int8)");
        pooled = sink(db.pool(2));
        unpooled = sink(db.connectionFactory());
        sink = pooled;
    }

    private static PostgresCopySink<Long> sink(io.r2dbc.spi.ConnectionFactory connectionFactory) {
        return PostgresCopySink.<Long>builder(connectionFactory)
                .table("tck")
                .column("v", PgType.INT8, v -> v)
                .batching(f -> f.buffer(1))
                .build();
    }

    /**
     * Rule 3.13 on unpooled connections: r2dbc-pool 1.0.2 can keep a reference to a subscriber whose acquire was
     * cancelled while the pool was opening a connection (seen here: the subscriber is never collected), which
     * would fail this rule for reasons outside this operator.
     */
    @Override
    @Test
    public void required_spec313_cancelMustMakeThePublisherEventuallyDropAllReferencesToTheSubscriber()
            throws Throwable {
        sink = unpooled;
        try {
            super.required_spec313_cancelMustMakeThePublisherEventuallyDropAllReferencesToTheSubscriber();
        } finally {
            sink = pooled;
        }
    }

    @AfterClass(alwaysRun = true)
    public void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    @Override
    public Publisher<BatchResult<Long>> createPublisher(long elements) {
        return Flux.range(0, (int) Math.min(elements, Integer.MAX_VALUE)).map(i -> (long) i)
                .transform(sink.transformer());
    }

    @Override
    public Publisher<BatchResult<Long>> createFailedPublisher() {
        return Flux.<Long>error(new IllegalStateException("upstream failed")).transform(sink.transformer());
    }

    @Override
    public long maxElementsFromPublisher() {
        // each element is a COPY and a commit, but the source is a lazy range and the rules that ask for many
        // elements (3.17: Integer.MAX_VALUE) cancel after a few, so every rule runs
        return Integer.MAX_VALUE;
    }
}
