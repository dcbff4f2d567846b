package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.InMemoryDeadLetterSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import io.r2dbc.spi.Wrapped;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@ExtendWith(PostgresExtension.class)
class PostgresCopySinkTest {

    record Ev(long id, String name) {
    }

    private static ConnectionPool pool;

    @BeforeAll
    static void pool(PostgresTestSchema db) {
        pool = db.pool(4);
    }

    private static Flux<Ev> events(int from, int to) {
        return Flux.range(from, to - from).map(i -> new Ev(i, "name-" + i));
    }

    private static PostgresCopySink.Builder<Ev> sink(String table) {
        return PostgresCopySink.<Ev>builder(pool)
                .table(table)
                .column("id", PgType.INT8, Ev::id)
                .column("name", PgType.TEXT, Ev::name)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50));
    }

    @Test
    void writesEveryRowAndEmitsOneResultPerBatchInOrder(PostgresTestSchema db) {
        db.execute("CREATE TABLE basic (id int8 PRIMARY KEY, name text NOT NULL)");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PostgresCopySink<Ev> sink = sink("basic").batchSize(10_000).maxInFlight(3).meterRegistry(meters).build();

        List<BatchResult<Ev>> results = events(0, 25_000).transform(sink.transformer()).collectList()
                .block(Duration.ofSeconds(30));

        assertThat(results).extracting(r -> r.elements().size()).containsExactly(10_000, 10_000, 5_000);
        assertThat(results).extracting(BatchResult::rowsCopied).containsExactly(10_000L, 10_000L, 5_000L);
        assertThat(results).extracting(BatchResult::attempts).containsOnly(1);
        assertThat(results.get(1).elements().get(0).id()).isEqualTo(10_000); // batch order = input order
        assertThat(db.queryLong("SELECT count(*) FROM basic")).isEqualTo(25_000);
        assertThat(db.queryLong("SELECT sum(id) FROM basic")).isEqualTo(25_000L * 24_999 / 2);
        assertThat(db.queryList("SELECT name FROM basic WHERE id = 24999", String.class)).containsExactly("name-24999");
        assertThat(meters.get("fluxgate.jdbc.copy.rows").tag("table", "basic").counter().count()).isEqualTo(25_000);
        assertThat(meters.get("fluxgate.jdbc.copy.batch.size").summary().count()).isEqualTo(3);
        assertThat(meters.get("fluxgate.jdbc.copy.batch.latency").timer().count()).isEqualTo(3);
        assertThat(meters.get("fluxgate.jdbc.copy.retries").counter().count()).isZero();

        CopySummary summary = sink.write(events(25_000, 26_000)).block(Duration.ofSeconds(30));
        assertThat(summary.batches()).isEqualTo(1);
        assertThat(summary.elements()).isEqualTo(1_000);
        assertThat(summary.rowsCopied()).isEqualTo(1_000);
        assertThat(summary.rowsWritten()).isEqualTo(1_000);
        assertThat(summary.rowsPerSecond()).isPositive();
        assertThat(pool.getMetrics().orElseThrow().acquiredSize()).isZero();
    }

    @Test
    void pluggableBatchingDecidesTheCopies(PostgresTestSchema db) {
        db.execute("CREATE TABLE plug (id int8, name text)");
        PostgresCopySink<Ev> sink = sink("plug").batching(f -> f.buffer(7)).build();
        StepVerifier.create(events(0, 50).transform(sink.transformer()).map(r -> r.rowsCopied()))
                .expectNext(7L, 7L, 7L, 7L, 7L, 7L, 7L, 1L)
                .verifyComplete();
        // pre-batched input, an empty batch included
        StepVerifier.create(Flux.just(List.of(new Ev(100, "x")), List.<Ev>of()).transform(sink.batchTransformer())
                        .map(BatchResult::rowsCopied))
                .expectNext(1L, 0L)
                .verifyComplete();
        assertThat(db.queryLong("SELECT count(*) FROM plug")).isEqualTo(51);
    }

    @Test
    void theNextBatchIsEncodedOnTheSchedulerWhileACopyRunsAndEachGetterRunsOncePerRow(PostgresTestSchema db)
            throws Exception {
        db.execute("CREATE TABLE ahead (id int8, name text)");
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<String> encodedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        reactor.core.scheduler.Scheduler encoder = reactor.core.scheduler.Schedulers.newSingle("fg-encode");
        try {
            PostgresCopySink<Ev> sink = PostgresCopySink.<Ev>builder(pool)
                    .table("ahead")
                    .column("id", PgType.INT8, e -> {
                        calls.incrementAndGet();
                        // batches 1 to 3 may be produced and encoded by the subscribing thread: the scheduler's
                        // requests can arrive while that thread is still emitting batch 1, and Reactor's sources
                        // serve them there; batch 4 is asked for only after batch 1 commits
                        if (e.id() >= 300) {
                            encodedOn.add(Thread.currentThread().getName());
                        }
                        return e.id();
                    })
                    .column("name", PgType.TEXT, Ev::name)
                    .batching(f -> f.buffer(100))
                    .maxInFlight(1)
                    .scheduler(encoder)
                    .build();
            CompletableFuture<CopySummary> done;
            try (AdvisoryGate gate = new AdvisoryGate(db, "ahead", "id", 50)) {
                done = sink.write(events(0, 400)).toFuture();
                gate.awaitBlocked();
                // batch 1 is stuck mid-COPY; batch 2 (waiting behind it on the one lane) and batch 3 (queued) get
                // encoded meanwhile, and nothing after them
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (calls.get() < 300 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(calls.get()).isEqualTo(300);
                assertThat(db.queryLong("SELECT count(*) FROM ahead")).isZero();
            }
            assertThat(done.get(30, TimeUnit.SECONDS).rowsCopied()).isEqualTo(400);
            assertThat(calls.get()).isEqualTo(400); // once per row: checked and encoded in one pass
            assertThat(encodedOn).isNotEmpty().allMatch(name -> name.startsWith("fg-encode"));
            assertThat(db.queryLong("SELECT count(*) FROM ahead")).isEqualTo(400);
        } finally {
            encoder.dispose();
        }
    }

    @Test
    void demandFromDownstreamBoundsTheBatchesWritten(PostgresTestSchema db) {
        db.execute("CREATE TABLE demand (id int8, name text)");
        PostgresCopySink<Ev> sink = sink("demand").batching(f -> f.buffer(10)).maxInFlight(1).build();
        StepVerifier.create(events(0, 100).transform(sink.transformer()), 0)
                .thenRequest(1)
                .expectNextMatches(r -> r.rowsCopied() == 10)
                .thenRequest(1)
                .expectNextMatches(r -> r.rowsCopied() == 10)
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        // with nothing requested after two results, at most the prefetched batches can have been written
        assertThat(db.queryLong("SELECT count(*) FROM demand")).isBetween(20L, 40L);
    }

    @Test
    void identifiersAreQuotedSoNamesCannotInjectSql(PostgresTestSchema db) {
        String table = "Weird \"Table\"; DROP TABLE victim; --";
        db.execute("CREATE TABLE victim (x int)",
                "CREATE TABLE " + PgIdentifier.quote(table) + " (\"Mixed Case\" int8, \"sel\"\"ect\" text)");
        PostgresCopySink<Ev> sink = PostgresCopySink.<Ev>builder(pool)
                .table(db.name(), table)
                .column("Mixed Case", PgType.INT8, Ev::id)
                .column("sel\"ect", PgType.TEXT, Ev::name)
                .build();
        assertThat(sink.copySql()).startsWith("COPY \"" + db.name() + "\".\"Weird \"\"Table\"\"; DROP TABLE victim; --\"");
        sink.write(events(0, 10)).block(Duration.ofSeconds(10));
        assertThat(db.queryLong("SELECT count(*) FROM " + PgIdentifier.quote(table))).isEqualTo(10);
        assertThat(db.queryLong("SELECT count(*) FROM victim")).isZero(); // still there

        assertThatIllegalArgumentException().isThrownBy(() -> sink("").build()).withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("a\0b")).withMessageContaining("control character");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("x".repeat(64))).withMessageContaining("63 bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("public.events"))
                .withMessageContaining("table(schema, table)");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").column("id", PgType.INT8, Ev::id))
                .withMessageContaining("'id' added twice");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").onConflictDoNothing("nope"))
                .withMessageContaining("'nope'");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").batchSize(0))
                .withMessage("batchSize must be >= 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").maxWait(Duration.ZERO))
                .withMessage("maxWait must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").maxInFlight(0))
                .withMessage("maxInFlight must be >= 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").chunkSize(1023))
                .withMessage("chunkSize must be in 1024..16777216, was 1023");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").maxRetries(-1))
                .withMessage("maxRetries must be >= 0, was -1");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("t").backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .withMessage("backoff min must be positive, was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> sink("t").backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .withMessage("backoff max must be >= min PT2S, was PT1S");
        assertThatThrownBy(() -> PostgresCopySink.<Ev>builder(pool).table("t").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("column");
    }

    record Order(int id, String name, BigDecimal amount, LocalDate day, String doc, String code) {
        static Order good(int id) {
            return new Order(id, "n" + id, new BigDecimal("123.45"), LocalDate.of(2026, 1, 1), "{\"id\": " + id + "}",
                    "abc");
        }
    }

    @Test
    void badRowsAreDeadLetteredWithTheirCauseAndTheRestGoesIn(PostgresTestSchema db) {
        db.execute("CREATE TABLE orders (id int4 PRIMARY KEY, name text, amount numeric(5,2), day date, doc jsonb,"
                + " code varchar(3))");
        List<Order> rows = new ArrayList<>();
        IntStream.range(0, 100).mapToObj(Order::good).forEach(rows::add);
        Order g = Order.good(0);
        List<Order> bad = List.of(
                new Order(1000, "nul\0byte", g.amount(), g.day(), g.doc(), g.code()),
                new Order(1001, "broken \uD800 surrogate", g.amount(), g.day(), g.doc(), g.code()),
                new Order(1002, "big", new BigDecimal("1000.00"), g.day(), g.doc(), g.code()),
                new Order(1003, "far", g.amount(), LocalDate.of(6_000_000, 1, 1), g.doc(), g.code()),
                new Order(1004, "json", g.amount(), g.day(), "{\"unterminated\": ", g.code()),
                new Order(1005, "long", g.amount(), g.day(), g.doc(), "abcd"),
                new Order(1006, "mapper throws", g.amount(), g.day(), g.doc(), g.code()),
                new Order(1007, "json nul", g.amount(), g.day(), "\"\\u0000\"", g.code()));
        for (int i = 0; i < bad.size(); i++) {
            rows.add(10 * i + 5, bad.get(i)); // spread over the batches
        }
        InMemoryDeadLetterSink<RejectedRow<Order>> letters = new InMemoryDeadLetterSink<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PostgresCopySink<Order> sink = PostgresCopySink.<Order>builder(pool)
                .table("orders")
                .column("id", PgType.INT4, Order::id)
                .column("name", PgType.TEXT, o -> {
                    if (o.id() == 1006) {
                        throw new IllegalStateException("mapper failed for " + o.id());
                    }
                    return o.name();
                })
                .column("amount", PgType.numeric(5, 2), Order::amount)
                .column("day", PgType.DATE, Order::day)
                .column("doc", PgType.JSONB, Order::doc)
                .column("code", PgType.varchar(3), Order::code)
                .batchSize(30)
                .deadLetters(letters)
                .meterRegistry(meters)
                .build();

        CopySummary summary = sink.write(Flux.fromIterable(rows)).block(Duration.ofSeconds(30));

        assertThat(summary.elements()).isEqualTo(108);
        assertThat(summary.rowsCopied()).isEqualTo(100);
        assertThat(summary.rowsRejected()).isEqualTo(8);
        assertThat(db.queryLong("SELECT count(*) FROM orders")).isEqualTo(100);
        assertThat(db.queryLong("SELECT count(*) FROM orders WHERE id >= 1000")).isZero();
        assertThat(letters.letters()).allSatisfy(letter -> {
            assertThat(letter.stage()).isEqualTo(RejectedRow.SINK_STAGE);
            assertThat(letter.cause()).isSameAs(letter.element().cause());
        });
        List<RejectedRow<Order>> dead = letters.letters().stream().map(DeadLetter::element).toList();
        assertThat(dead).extracting(r -> r.element().id()).containsExactlyInAnyOrder(1000, 1001, 1002, 1003, 1004,
                1005, 1006, 1007);
        assertThat(dead).extracting(r -> r.element().id() + " " + r.column()).containsExactlyInAnyOrder("1000 name",
                "1001 name", "1002 amount", "1003 day", "1004 doc", "1005 code", "1006 name", "1007 doc");
        RejectedRow<Order> mapperFailure = dead.stream().filter(r -> r.element().id() == 1006).findFirst().orElseThrow();
        assertThat(mapperFailure.cause()).isInstanceOf(IllegalStateException.class).hasMessage("mapper failed for 1006");
        assertThat(dead.stream().filter(r -> r.element().id() == 1000).findFirst().orElseThrow().reason())
                .contains("NUL");
        assertThat(meters.get("fluxgate.jdbc.copy.rows.rejected").counter().count()).isEqualTo(8);

        // a batch of nothing but bad rows commits nothing and says so
        BatchResult<Order> allBad = sink.writeBatch(bad.subList(0, 2)).block(Duration.ofSeconds(10));
        assertThat(allBad.rowsCopied()).isZero();
        assertThat(allBad.rejected()).hasSize(2);
        assertThat(allBad.attempts()).isZero();
    }

    @Test
    void aBatchsRejectedRowsAreHandedToTheDeadLetterSinkTogetherAndTheBatchWaitsForAllOfThem(PostgresTestSchema db) {
        db.execute("CREATE TABLE dlq_together (id int8, name text)");
        List<java.util.concurrent.CompletableFuture<Void>> stores = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> handed = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Void> threeHanded = new java.util.concurrent.CompletableFuture<>();
        DeadLetterSink<RejectedRow<Ev>> later = DeadLetterSink.ofAsync(letter -> {
            handed.add(letter.element().element().id());
            if (handed.size() == 3) {
                threeHanded.complete(null);
            }
            java.util.concurrent.CompletableFuture<Void> store = new java.util.concurrent.CompletableFuture<>();
            stores.add(store);
            return store;
        });
        PostgresCopySink<Ev> sink = sink("dlq_together").batchSize(100).maxInFlight(1).deadLetters(later)
                .maxDeadLettersInFlight(3).build();
        Flux<Ev> rows = Flux.range(0, 10).map(i -> new Ev(i, i % 2 == 0 ? "bad\0" : "ok"));
        StepVerifier.create(sink.write(rows))
                // three of the five letters at once, in order, none stored yet; nothing written meanwhile
                .then(() -> threeHanded.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join())
                .then(() -> assertThat(handed).containsExactly(0L, 2L, 4L))
                .then(() -> assertThat(db.queryLong("SELECT count(*) FROM dlq_together")).isZero())
                .then(() -> stores.get(1).complete(null))
                .then(() -> assertThat(handed).containsExactly(0L, 2L, 4L, 6L))
                // completing stores hands the last letter over on this thread: complete that one too
                .then(() -> stores.forEach(s -> s.complete(null)))
                .then(() -> stores.forEach(s -> s.complete(null)))
                .assertNext(summary -> assertThat(summary.rowsRejected()).isEqualTo(5))
                .verifyComplete();
        assertThat(handed).containsExactly(0L, 2L, 4L, 6L, 8L);
        assertThat(db.queryLong("SELECT count(*) FROM dlq_together")).isEqualTo(5);
        assertThatThrownBy(() -> sink("x").maxDeadLettersInFlight(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDeadLettersInFlight");
    }

    @Test
    void aFailingDeadLetterHandlerFailsTheStreamInsteadOfDroppingTheRow(PostgresTestSchema db) {
        db.execute("CREATE TABLE dlq_fails (id int8, name text)");
        PostgresCopySink<Ev> sink = sink("dlq_fails").deadLetters(DeadLetterSink.of(letter -> {
            throw new IllegalStateException("dead-letter topic down");
        })).build();
        StepVerifier.create(sink.write(Flux.just(new Ev(1, "ok"), new Ev(2, "bad\0"))))
                .expectErrorMessage("dead-letter topic down")
                .verify(Duration.ofSeconds(10));
        assertThat(db.queryLong("SELECT count(*) FROM dlq_fails")).isZero();
    }

    @Test
    void aNonTransientErrorFailsTheStreamWithoutRetryAndRollsTheBatchBack(PostgresTestSchema db) {
        db.execute("CREATE TABLE unique_ids (id int8 PRIMARY KEY, name text)");
        PostgresCopySink<Ev> sink = sink("unique_ids").batchSize(100).maxInFlight(1).build();
        // the second batch repeats id 50 from the first
        Flux<Ev> input = events(0, 100).concatWith(events(100, 150)).concatWith(Flux.just(new Ev(50, "dup")))
                .concatWith(events(150, 199));
        StepVerifier.create(input.transform(sink.transformer()))
                .expectNextMatches(r -> r.rowsCopied() == 100)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(CopyBatchException.class).hasMessageContaining("not retried");
                    CopyBatchException c = (CopyBatchException) e;
                    assertThat(c.attempts()).isEqualTo(1);
                    assertThat(c.elements()).hasSize(100);
                    assertThat(c.getCause()).isInstanceOf(R2dbcDataIntegrityViolationException.class);
                })
                .verify(Duration.ofSeconds(10));
        assertThat(db.queryLong("SELECT count(*) FROM unique_ids")).isEqualTo(100); // nothing of batch 2
        assertThat(pool.getMetrics().orElseThrow().acquiredSize()).isZero();
    }

    @Test
    void retriesAreBoundedAndTheLastErrorIsReported() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // a missing table is not transient; a retryOn that says it is shows the bound on attempts
        PostgresCopySink<Ev> sink = sink("no_such_table").retryOn(e -> true).maxRetries(2).meterRegistry(meters)
                .build();
        StepVerifier.create(sink.write(events(0, 10)))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(CopyBatchException.class).hasMessageContaining("gave up after 3 attempts");
                    assertThat(((CopyBatchException) e).attempts()).isEqualTo(3);
                    assertThat(e.getCause()).hasMessageContaining("no_such_table");
                })
                .verify(Duration.ofSeconds(20));
        assertThat(meters.get("fluxgate.jdbc.copy.retries").counter().count()).isEqualTo(2);
        assertThat(meters.get("fluxgate.jdbc.copy.batches.failed").counter().count()).isEqualTo(1);
        assertThat(pool.getMetrics().orElseThrow().acquiredSize()).isZero();
    }

    @Test
    void idempotentModeSkipsExistingKeysAndUpsertKeepsTheLastRowOfAKey(PostgresTestSchema db) {
        db.execute("CREATE TABLE idem (id int8 PRIMARY KEY, name text, extra text DEFAULT 'd')");
        PostgresCopySink<Ev> nothing = sink("idem").onConflictDoNothing("id").batchSize(400).build();
        assertThat(nothing.write(events(0, 1_000)).block(Duration.ofSeconds(20)).rowsWritten()).isEqualTo(1_000);
        CopySummary again = nothing.write(events(500, 1_500)).block(Duration.ofSeconds(20));
        assertThat(again.rowsCopied()).isEqualTo(1_000);
        assertThat(again.rowsWritten()).isEqualTo(500);
        assertThat(db.queryLong("SELECT count(*) FROM idem")).isEqualTo(1_500);
        assertThat(db.queryLong("SELECT count(*) FROM idem WHERE extra = 'd'")).isEqualTo(1_500);

        PostgresCopySink<Ev> upsert = sink("idem").onConflictUpdate("id").batchSize(100).build();
        assertThat(upsert.mergeSql()).contains("DO UPDATE SET \"name\" = EXCLUDED.\"name\"");
        CopySummary up = upsert.write(Flux.just(new Ev(1, "one"), new Ev(2_000, "first"), new Ev(2_000, "second"),
                new Ev(2, "two"), new Ev(2_000, "last"))).block(Duration.ofSeconds(10));
        assertThat(up.rowsCopied()).isEqualTo(5);
        assertThat(up.rowsWritten()).isEqualTo(3);
        assertThat(db.query("SELECT id, name FROM idem WHERE id IN (1, 2, 2000) ORDER BY id",
                r -> r.get(0, Long.class) + "=" + r.get(1, String.class))).containsExactly("1=one", "2=two", "2000=last");
    }

    @Test
    void aBackendKilledMidCopyIsRetriedWithoutLossOrDuplicatesAndThePoolRecovers(PostgresTestSchema db)
            throws Exception {
        db.execute("CREATE TABLE killed (id int8 PRIMARY KEY, name text)");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PostgresCopySink<Ev> sink = sink("killed").batchSize(10_000).maxInFlight(2).meterRegistry(meters).build();
        // batch 2 is stopped mid-COPY, rows 10000..14999 already in its open transaction
        CopySummary summary = killAtGate(db, sink, "killed", 15_000, 30_000, "COPY");
        assertThat(summary.rowsCopied()).isEqualTo(30_000);
        assertThat(meters.get("fluxgate.jdbc.copy.retries").counter().count()).isEqualTo(1);
    }

    @Test
    void idempotentModeSurvivesAKillAndARewriteOfCommittedRows(PostgresTestSchema db) throws Exception {
        db.execute("CREATE TABLE killed_idem (id int8 PRIMARY KEY, name text)");
        PostgresCopySink<Ev> sink = sink("killed_idem").onConflictDoNothing("id").batchSize(10_000).build();
        // an earlier run committed the first 2000 rows but never saw the acknowledgement
        sink.write(events(0, 2_000)).block(Duration.ofSeconds(10));
        // batch 2 is stopped half way through its merge into the target
        CopySummary summary = killAtGate(db, sink, "killed_idem", 12_000, 20_000, "INSERT");
        assertThat(summary.rowsWritten()).isEqualTo(18_000);
    }

    /**
     * Writes ids 0..rows-1, terminates the backend when it reaches {@code atId}, and checks the batch was retried
     * once with every row written exactly once and the pool healthy afterwards.
     */
    private static CopySummary killAtGate(PostgresTestSchema db, PostgresCopySink<Ev> sink, String table, int atId,
            int rows, String statement) throws Exception {
        CopySummary summary;
        try (AdvisoryGate gate = new AdvisoryGate(db, table, "id", atId)) {
            CompletableFuture<CopySummary> done = sink.write(events(0, rows)).toFuture();
            int pid = gate.awaitBlocked();
            assertThat(db.queryList("SELECT query FROM pg_stat_activity WHERE pid = " + pid, String.class).get(0))
                    .startsWith(statement);
            assertThat(db.queryList("SELECT pg_terminate_backend(" + pid + ")", Boolean.class)).containsExactly(true);
            gate.open();
            summary = done.get(30, TimeUnit.SECONDS);
        }
        assertThat(summary.retries()).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM " + table)).isEqualTo(rows);
        assertThat(db.queryLong("SELECT count(DISTINCT id) FROM " + table)).isEqualTo(rows);
        assertPoolHealthy(sink);
        return summary;
    }

    @Test
    void cancellingMidCopyLeavesNoOpenTransactionOrBrokenConnection(PostgresTestSchema db) throws Exception {
        db.execute("CREATE TABLE cancelled (id int8 PRIMARY KEY, name text)");
        PostgresCopySink<Ev> sink = sink("cancelled").batchSize(10_000).maxInFlight(1).build();
        int pid;
        try (AdvisoryGate gate = new AdvisoryGate(db, "cancelled", "id", 5_000)) {
            Disposable subscription = events(0, 20_000).transform(sink.transformer()).subscribe();
            pid = gate.awaitBlocked();
            subscription.dispose();
            // all of the batch's data and its COMMIT are on the wire already: the cancel reaches the COPY out of
            // band (a CancelRequest), so the backend leaves the gate without the gate opening
            assertThat(gate.awaitLeft(pid, Duration.ofSeconds(10))).isTrue();
            gate.open();
        }
        // the backend rolls back and goes away; nothing is left idle in a transaction
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)).isZero();
        // this class's connections only (their application_name is the schema's name): the server is shared
        assertThat(db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND application_name = '" + db.name() + "' AND state LIKE 'idle in transaction%'")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM cancelled")).isZero();
        assertPoolHealthy(sink);
    }

    @Test
    void aLanesNextBatchIsQueuedBehindTheCommitOnTheSameConnection(PostgresTestSchema db) throws Exception {
        db.execute("CREATE TABLE lane (id int8, name text, pid int4 DEFAULT pg_backend_pid())");
        // every statement the sink creates, with the connection it was created on
        List<Map.Entry<Connection, String>> statements = new CopyOnWriteArrayList<>();
        ConnectionFactory recording = recordingStatements(pool, statements);
        PostgresCopySink<Ev> sink = PostgresCopySink.<Ev>builder(recording).table("lane")
                .int8Column("id", Ev::id).column("name", PgType.TEXT, Ev::name)
                .batching(f -> f.buffer(100)).maxInFlight(1).build();
        CompletableFuture<CopySummary> done;
        try (AdvisoryGate gate = AdvisoryGate.atCommit(db, "lane", "id", 50)) {
            done = sink.write(events(0, 300)).toFuture();
            int pid = gate.awaitBlocked();
            assertThat(db.queryList("SELECT query FROM pg_stat_activity WHERE pid = " + pid, String.class).get(0))
                    .isEqualTo("COMMIT");
            // batch 1's COMMIT has no answer yet, and batch 2 is already queued behind it on its connection
            awaitBegins(statements, 2);
            assertThat(begins(statements)).isEqualTo(2);
            assertThat(statements.stream().map(Map.Entry::getKey).distinct()).hasSize(1);
            assertThat(db.queryLong("SELECT count(*) FROM lane")).isZero();
        }
        CopySummary summary = done.get(30, TimeUnit.SECONDS);
        assertThat(summary.batches()).isEqualTo(3);
        assertThat(summary.rowsWritten()).isEqualTo(300);
        // one lane, one backend for all three batches
        assertThat(db.queryLong("SELECT count(DISTINCT pid) FROM lane")).isEqualTo(1);
        assertThat(statements).extracting(Map.Entry::getValue).containsExactly(
                "BEGIN; SELECT txid_current()", "COMMIT", "BEGIN; SELECT txid_current()", "COMMIT",
                "BEGIN; SELECT txid_current()", "COMMIT");
        assertPoolHealthy(sink);
    }

    @Test
    void theCommitIsQueuedRightBehindTheCopysDataAndAFailedCopyRollsItsBatchBack(PostgresTestSchema db)
            throws Exception {
        db.execute("CREATE TABLE piped (id int8, name text)");
        List<Map.Entry<Connection, String>> statements = new CopyOnWriteArrayList<>();
        PostgresCopySink<Ev> sink = PostgresCopySink.<Ev>builder(recordingStatements(pool, statements))
                .table("piped").int8Column("id", Ev::id).column("name", PgType.TEXT, Ev::name)
                .batching(f -> f.buffer(100)).maxInFlight(1).build();
        CompletableFuture<CopySummary> done;
        try (AdvisoryGate gate = new AdvisoryGate(db, "piped", "id", 150)) {
            done = sink.write(events(0, 300)).toFuture();
            int pid = gate.awaitBlocked();
            assertThat(db.queryList("SELECT query FROM pg_stat_activity WHERE pid = " + pid, String.class).get(0))
                    .startsWith("COPY");
            // batch 2's COPY is stuck in the server, and its COMMIT and batch 3's statements are queued behind it
            awaitBegins(statements, 3);
            assertThat(statements).extracting(Map.Entry::getValue).containsExactly(
                    "BEGIN; SELECT txid_current()", "COMMIT", "BEGIN; SELECT txid_current()", "COMMIT",
                    "BEGIN; SELECT txid_current()");
            assertThat(db.queryLong("SELECT count(*) FROM piped")).isEqualTo(100);
        }
        CopySummary summary = done.get(30, TimeUnit.SECONDS);
        assertThat(summary.batches()).isEqualTo(3);
        assertThat(summary.rowsWritten()).isEqualTo(300);
        assertThat(db.queryLong("SELECT count(DISTINCT id) FROM piped")).isEqualTo(300);

        // a COPY that fails in the server: the COMMIT already behind it rolls back, and the batch fails
        db.execute("CREATE UNIQUE INDEX piped_id ON piped (id)");
        statements.clear();
        StepVerifier.create(events(1_000, 1_100).concatWith(events(1_100, 1_150)).concatWith(Flux.just(new Ev(0,
                        "dup"))).concatWith(events(1_150, 1_199)).concatWith(events(2_000, 2_100))
                        .transform(sink.transformer()))
                .expectNextMatches(r -> r.rowsWritten() == 100)
                .expectError(CopyBatchException.class)
                .verify(Duration.ofSeconds(10));
        // batch 1 only (batch 3, cancelled with the stream, may or may not have committed)
        assertThat(db.queryLong("SELECT count(*) FROM piped WHERE id BETWEEN 1000 AND 1999")).isEqualTo(100);
        assertThat(statements).extracting(Map.Entry::getValue).startsWith(
                "BEGIN; SELECT txid_current()", "COMMIT", "BEGIN; SELECT txid_current()");
        assertPoolHealthy(sink);
    }

    /** Waits up to 10 s for the sink to have created {@code n} BEGINs (they go out without waiting for answers). */
    private static void awaitBegins(List<Map.Entry<Connection, String>> statements, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (begins(statements) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static long begins(List<Map.Entry<Connection, String>> statements) {
        return statements.stream().filter(e -> e.getValue().startsWith("BEGIN")).count();
    }

    /** The pool's connections, recording each statement created on them (the driver is still reached by unwrap). */
    private static ConnectionFactory recordingStatements(ConnectionFactory factory,
            List<Map.Entry<Connection, String>> statements) {
        return new ConnectionFactory() {
            @Override
            public Publisher<? extends Connection> create() {
                return Mono.from(factory.create()).map(c -> (Connection) Proxy.newProxyInstance(
                        Connection.class.getClassLoader(), new Class<?>[] {Connection.class, Wrapped.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("unwrap")) {
                                return c;
                            }
                            if (method.getName().equals("createStatement")) {
                                statements.add(Map.entry(c, (String) args[0]));
                            }
                            try {
                                return method.invoke(c, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }));
            }

            @Override
            public ConnectionFactoryMetadata getMetadata() {
                return factory.getMetadata();
            }
        };
    }

    record Prim(long big, int small, double real, String name) {
    }

    @Test
    void primitiveColumnsWriteEveryValueUnboxedAndAGetterThatThrowsRejectsItsRow(PostgresTestSchema db) {
        db.execute("CREATE TABLE prim (big int8, small int4, real float8, name text)");
        List<Prim> rows = List.of(new Prim(Long.MIN_VALUE, Integer.MIN_VALUE, Double.NEGATIVE_INFINITY, "min"),
                new Prim(Long.MAX_VALUE, Integer.MAX_VALUE, Double.POSITIVE_INFINITY, "max"),
                new Prim(0, 0, -0.0, "zero"),
                new Prim(-1, 7, Double.NaN, "nan"),
                new Prim(1_700_000_000_123L, -42, 0.1, "throws"),
                new Prim(127, 128, Double.MIN_VALUE, "cache edge"));
        PostgresCopySink<Prim> sink = PostgresCopySink.<Prim>builder(pool)
                .table("prim")
                .int8Column("big", Prim::big)
                .int4Column("small", Prim::small)
                .float8Column("real", p -> {
                    if (p.name().equals("throws")) {
                        throw new IllegalStateException("getter failed");
                    }
                    return p.real();
                })
                .column("name", PgType.TEXT, Prim::name)
                .batchSize(4)
                .build();

        CopySummary summary = sink.write(Flux.fromIterable(rows)).block(Duration.ofSeconds(30));

        assertThat(summary.rowsCopied()).isEqualTo(5);
        assertThat(summary.rowsRejected()).isEqualTo(1);
        assertThat(db.query("SELECT big, small, real::text, name FROM prim ORDER BY name",
                r -> r.get(0, Long.class) + " " + r.get(1, Integer.class) + " " + r.get(2, String.class) + " "
                        + r.get(3, String.class)))
                .containsExactly("127 128 5e-324 cache edge", Long.MAX_VALUE + " " + Integer.MAX_VALUE
                        + " Infinity max", Long.MIN_VALUE + " " + Integer.MIN_VALUE + " -Infinity min",
                        "-1 7 NaN nan", "0 0 -0 zero");
    }

    @Test
    void primitiveColumnsShareTheColumnNamesRules() {
        assertThatIllegalArgumentException().isThrownBy(() -> sink("x").int8Column("id", Ev::id))
                .withMessageContaining("'id' added twice");
        assertThatIllegalArgumentException().isThrownBy(() -> sink("x").int4Column("", e -> 1));
        assertThatThrownBy(() -> sink("x").float8Column("f", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("getter");
        PostgresCopySink<Ev> sink = PostgresCopySink.<Ev>builder(pool).table("x").int8Column("id", Ev::id)
                .int4Column("n", e -> 1).float8Column("f", e -> 0.5).column("name", PgType.TEXT, Ev::name).build();
        assertThat(sink.copySql())
                .isEqualTo("COPY \"x\" (\"id\", \"n\", \"f\", \"name\") FROM STDIN (FORMAT binary)");
    }

    /** All connections back in the pool, and the pool still writes. */
    private static void assertPoolHealthy(PostgresCopySink<Ev> sink) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.getMetrics().orElseThrow().acquiredSize() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pool.getMetrics().orElseThrow().acquiredSize()).isZero();
        CopySummary more = sink.write(events(1_000_000, 1_000_100)).block(Duration.ofSeconds(10));
        assertThat(more.rowsCopied()).isEqualTo(100);
        assertThat(more.retries()).isZero();
    }

    @Test
    void transientErrorsAreConnectionLossSerializationDeadlockAndShutdown() {
        assertThat(TransientErrors.isTransient(new R2dbcTransientResourceException("pool exhausted"))).isTrue();
        assertThat(TransientErrors.isTransient(new R2dbcNonTransientResourceException("terminating", "57P01")))
                .isTrue();
        assertThat(TransientErrors.isTransient(new R2dbcNonTransientResourceException("serialization", "40001")))
                .isTrue();
        assertThat(TransientErrors.isTransient(new R2dbcNonTransientResourceException("deadlock", "40P01"))).isTrue();
        assertThat(TransientErrors.isTransient(new R2dbcNonTransientResourceException("refused", "08006"))).isTrue();
        assertThat(TransientErrors.isTransient(new RuntimeException(new IOException("reset by peer")))).isTrue();
        assertThat(TransientErrors.isTransient(new R2dbcDataIntegrityViolationException("dup", "23505"))).isFalse();
        assertThat(TransientErrors.isTransient(new IllegalStateException("bug"))).isFalse();
    }
}
