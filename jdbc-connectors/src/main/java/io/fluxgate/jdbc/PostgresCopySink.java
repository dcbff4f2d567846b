package io.fluxgate.jdbc;

import io.fluxgate.internal.Checks;
import io.fluxgate.batch.internal.FluxBatch;
import io.fluxgate.jdbc.internal.BinaryCopyEncoder;
import io.fluxgate.jdbc.internal.ConnectionHandover;
import io.fluxgate.jdbc.internal.CopyColumn;
import io.fluxgate.jdbc.internal.CopyMetrics;
import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Wrapped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Writes a {@code Flux} of Java objects into a PostgreSQL table through {@code COPY ... FROM STDIN (FORMAT
 * binary)} on R2DBC, one COPY and one transaction per batch, several batches at once on pooled connections.
 *
 * <pre>{@code
 * PostgresCopySink<Event> sink = PostgresCopySink.<Event>builder(pool)
 *         .table("events")
 *         .int8Column("ts", Event::ts)                 // a long getter: written without boxing
 *         .column("user_id", PgType.UUID, Event::userId)
 *         .column("payload", PgType.JSONB, Event::json)
 *         .onConflictDoNothing("ts", "user_id")        // optional: idempotent mode
 *         .deadLetters(DeadLetterSink.of(letter -> log.warn("{}", letter.element().reason())))
 *         .build();
 * events.transform(sink.transformer()).subscribe(result -> ack(result.elements()));
 * }</pre>
 *
 * <p><b>Emission.</b> {@link #transformer()} cuts the input into batches ({@link Builder#batchSize(int)} /
 * {@link Builder#maxWait(Duration)}, or any {@link Builder#batching(Function)}), writes up to
 * {@link Builder#maxInFlight(int)} batches at once and emits one {@link BatchResult} per committed batch, in the
 * order the batches were cut. The stream completes after the last batch commits.
 *
 * <p><b>Connections.</b> The sink writes on {@code maxInFlight} lanes, one connection each: batch n goes to lane n mod
 * {@code maxInFlight}. A batch's {@code COMMIT} is sent right behind its COPY's data (in plain mode; in idempotent
 * mode after the merge's answer), and the lane's next batch continues on the same connection, its statements and
 * data queued right behind that COMMIT, so the server goes from one batch to the next without waiting for a round
 * trip of the client's. The server still runs one statement at a time per connection; a connection is returned to
 * the pool when its lane has no batch waiting.
 *
 * <p><b>Backpressure and memory.</b> At most {@code maxInFlight} COPYs run at a time, each lane's next batch waits
 * behind its COPY, and one more batch is requested from the batching operator and encoded ahead, so upstream demand
 * follows the database's pace. A batch is checked and encoded in one pass (into one buffer per COPY data message
 * of about {@link Builder#chunkSize(int)} bytes) before its COPY, so memory is bounded by the elements of
 * {@code 2 * maxInFlight + 1} batches and their bytes (about their size again, at least one message buffer each),
 * plus the batch being assembled; the sink keeps up to 16 MiB of released message buffers for reuse.
 *
 * <p><b>Threads.</b> Demand for the next batch is signalled from the {@link Builder#scheduler(Scheduler)
 * scheduler}, so a synchronous source and the batching produce the next batch there while the event loops write
 * the current ones; a batch is checked and encoded on the thread that emits it (that scheduler for a synchronous
 * source, the source's own thread for an asynchronous one). Results are emitted on the driver's event loops.
 *
 * <p><b>Bad rows.</b> Before a batch's COPY, every getter runs and every value is checked ({@link PgType}); a row
 * whose getter throws or whose value PostgreSQL would refuse is rejected, counted, listed in its
 * {@link BatchResult#rejected()} and stored in the {@link Builder#deadLetters dead-letter sink}; the rest of the
 * batch is written.
 * Getters must be side-effect free: they run once per row, on the thread that encodes the batch.
 *
 * <p><b>Failures.</b> A batch whose transaction fails with a transient error (connection lost, serialization
 * failure, deadlock, admin shutdown: {@link TransientErrors}) is retried with exponential backoff on a fresh
 * connection; the failed connection is closed, never handed back to a pool in an unknown COPY state. When the
 * connection is lost after the COMMIT was sent, the retry first asks the server whether that transaction committed
 * ({@code txid_status}), so a batch is never written twice, in either mode. Any other
 * error, or retries exhausted, fails the stream with a {@link CopyBatchException}. Each batch is one transaction,
 * so a failed attempt leaves nothing behind; in idempotent mode ({@link Builder#onConflictDoNothing(String...)},
 * {@link Builder#onConflictUpdate(String...)}) rows are COPYed into a temporary table and merged with
 * {@code INSERT ... ON CONFLICT}, so even a batch that committed but whose acknowledgement was lost is not
 * duplicated when written again.
 *
 * <p><b>Cancel.</b> Cancelling aborts the COPYs in flight ({@code CopyFail} while their data is being sent, a
 * CancelRequest to the server once it is all sent and the COMMIT queued behind it) and closes their connections,
 * which rolls their transactions back: a batch cancelled before the server has finished its COPY is not written.
 * Batches not yet committed are not emitted (one whose COPY the server finished first may still commit).
 *
 * <p>Thread-safe and reusable: each subscription to the transformer's output is independent.
 *
 * @param <T> the element type
 */
public final class PostgresCopySink<T> {

    /** Default rows per batch: large enough that COPY's per-transaction cost is amortised. */
    public static final int DEFAULT_BATCH_SIZE = 10_000;
    /** Default longest wait of a partial batch, bounding the latency of a slow trickle of rows. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(200);
    /** Default batches written at once, each on its own connection. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 2;
    /** Default bound of a batch's rejected rows handed to the dead-letter sink before the first of them is stored. */
    public static final int DEFAULT_MAX_DEAD_LETTERS_IN_FLIGHT = 256;
    /**
     * Default bytes per COPY data message (1 MiB): the driver writes one message at a time, so with 64 KiB messages
     * the server waited for data between them (one connection: 0.85x psql's rate against 0.94-0.97x with 1 MiB).
     * Each message is one buffer of this size and an eighth more (room for the row that crosses the size), reused
     * across batches, so a small batch holds one such buffer too.
     */
    public static final int DEFAULT_CHUNK_SIZE = 1024 * 1024;
    /** Default retries of a batch after transient errors. */
    public static final int DEFAULT_MAX_RETRIES = 5;
    /** Default first backoff between retries. */
    public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(100);
    /** Default longest backoff between retries. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

    /** The per-transaction staging table of idempotent mode (dropped at commit or rollback). */
    static final String STAGE_TABLE = "fluxgate_copy_stage";
    private static final Duration DISCARD_TIMEOUT = Duration.ofSeconds(10);
    /** Message buffers kept for reuse per sink at most (the arrays of the batches written last). */
    private static final int MAX_SPARE_BUFFER_BYTES = 16 << 20;

    private final ConnectionFactory connectionFactory;
    private final String target;
    private final BinaryCopyEncoder<T> encoder;
    private final String copySql;
    private final String stageSql;
    private final @Nullable String mergeSql;
    private final Function<Flux<T>, Flux<List<T>>> batching;
    private final int maxInFlight;
    private final int maxRetries;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Predicate<Throwable> retryOn;
    private final DeadLetterSink<? super RejectedRow<T>> deadLetters;
    private final int maxDeadLettersInFlight;
    private final CopyMetrics metrics;
    private final LongSupplier nanoClock;
    private final @Nullable Scheduler scheduler;

    private PostgresCopySink(Builder<T> b) {
        this.connectionFactory = b.connectionFactory;
        this.target = PgIdentifier.qualified(b.schema, b.table);
        List<CopyColumn<T>> cols = new ArrayList<>(b.columns);
        this.encoder = new BinaryCopyEncoder<>(cols, b.chunkSize, MAX_SPARE_BUFFER_BYTES);
        String columnList = quotedList(b.columns.stream().map(CopyColumn::name).toList());
        if (b.conflictKeys == null) {
            this.copySql = "COPY " + target + " (" + columnList + ") FROM STDIN (FORMAT binary)";
            this.stageSql = null;
            this.mergeSql = null;
        } else {
            String stage = "pg_temp." + PgIdentifier.quote(STAGE_TABLE);
            this.copySql = "COPY " + stage + " (" + columnList + ") FROM STDIN (FORMAT binary)";
            // LIMIT-free AS SELECT ... WITH NO DATA gives the stage exactly the target columns' types and typmods
            this.stageSql = "CREATE TEMP TABLE " + PgIdentifier.quote(STAGE_TABLE) + " ON COMMIT DROP AS SELECT "
                    + columnList + " FROM " + target + " WITH NO DATA";
            String keys = quotedList(b.conflictKeys);
            List<String> updated = b.columns.stream().map(CopyColumn::name)
                    .filter(c -> !b.conflictKeys.contains(c)).toList();
            if (!b.update || updated.isEmpty()) {
                this.mergeSql = "INSERT INTO " + target + " (" + columnList + ") SELECT " + columnList + " FROM "
                        + stage + " ON CONFLICT (" + keys + ") DO NOTHING";
            } else {
                // one row per key (the batch's last, by its position in the fresh stage heap): a second row for
                // the same key would make ON CONFLICT DO UPDATE fail ("cannot affect row a second time")
                String set = updated.stream().map(c -> PgIdentifier.quote(c) + " = EXCLUDED." + PgIdentifier.quote(c))
                        .collect(Collectors.joining(", "));
                this.mergeSql = "INSERT INTO " + target + " (" + columnList + ") SELECT DISTINCT ON (" + keys + ") "
                        + columnList + " FROM " + stage + " ORDER BY " + keys + ", ctid DESC ON CONFLICT (" + keys
                        + ") DO UPDATE SET " + set;
            }
        }
        int batchSize = b.batchSize;
        Duration maxWait = b.maxWait;
        this.batching = b.batching != null ? b.batching
                // core's batching (the one AdaptiveBatch runs), in lists of the sink's own: BatchResult shows them
                // as they are instead of copying each
                : flux -> new FluxBatch<T>(flux, () -> batchSize, Long.MAX_VALUE, null, maxWait.toNanos(), null,
                        BatchList::new);
        this.maxInFlight = b.maxInFlight;
        this.maxRetries = b.maxRetries;
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.retryOn = b.retryOn;
        this.deadLetters = b.deadLetters;
        this.maxDeadLettersInFlight = b.maxDeadLettersInFlight;
        this.metrics = CopyMetrics.of(b.meterRegistry, b.schema == null ? b.table : b.schema + "." + b.table);
        this.nanoClock = b.nanoClock;
        this.scheduler = b.scheduler;
    }

    /**
     * A builder writing through {@code connectionFactory}; give it an r2dbc-pool {@code ConnectionPool} of at least
     * {@link Builder#maxInFlight(int)} connections (a plain factory opens a connection per batch). The factory must
     * produce r2dbc-postgresql connections (possibly wrapped, as the pool does).
     *
     * @param <T>               the element type
     * @param connectionFactory where connections come from; the sink never closes it
     * @return a new builder with the defaults
     * @throws NullPointerException if {@code connectionFactory} is null
     */
    public static <T> Builder<T> builder(ConnectionFactory connectionFactory) {
        return new Builder<>(connectionFactory);
    }

    /**
     * The operator: batches the input, writes each batch (see the class comment) and emits one {@link BatchResult}
     * per committed batch, in batch order. Errors with a {@link CopyBatchException} when a batch cannot be
     * committed, or with the dead-letter sink's exception. Use with {@code flux.transform(sink.transformer())}.
     *
     * @return a transformer, reusable across subscriptions
     */
    public Function<Flux<T>, Flux<BatchResult<T>>> transformer() {
        return source -> Flux.defer(() -> batchTransformer().apply(batching.apply(source)));
    }

    /**
     * Like {@link #transformer()} for input already cut into batches (e.g. by an adaptive batching operator): each
     * list is one COPY and one transaction; empty lists emit an empty result without touching the database.
     * Up to {@link Builder#maxInFlight(int)} lists are written at once and one more is encoded ahead; results are
     * still emitted in list order.
     *
     * @return a transformer, reusable across subscriptions
     */
    public Function<Flux<List<T>>, Flux<BatchResult<T>>> batchTransformer() {
        return batches -> Flux.defer(() -> {
            Lanes lanes = new Lanes(maxInFlight);
            return batches
                    .map(this::encode)
                    // one encoded batch queued ahead of the writes, and demand for the one after it signalled from
                    // the scheduler's worker, so producing and encoding it overlaps the COPYs on the event loops
                    .publishOn(scheduler != null ? scheduler : Schedulers.parallel(), 1)
                    // per lane one batch committing and the next one copying behind it on the same connection
                    .flatMapSequential(encoded -> write(encoded, lanes.next()), 2 * maxInFlight, 1)
                    .doOnDiscard(BinaryCopyEncoder.Encoded.class, BinaryCopyEncoder.Encoded::release);
        });
    }

    /**
     * Batch n writes on lane n mod maxInFlight and takes over the connection of the lane's previous batch once
     * that batch's COPY is done and its COMMIT sent: at most maxInFlight COPYs at once, each lane one connection.
     */
    private static final class Lanes {
        private final ConnectionHandover<Connection>[] last;
        private int next;

        @SuppressWarnings("unchecked")
        Lanes(int lanes) {
            this.last = new ConnectionHandover[lanes];
        }

        /** Called in batch order (flatMapSequential maps serially). */
        Turn next() {
            int lane = next;
            next = (next + 1) % last.length;
            ConnectionHandover<Connection> to = new ConnectionHandover<>();
            Turn turn = new Turn(last[lane], to);
            last[lane] = to;
            return turn;
        }
    }

    /**
     * A batch's place in its lane: where its first connection may come from (null: the lane's first batch, or a
     * single {@link #writeBatch}) and where it hands its connection on.
     */
    private record Turn(@Nullable ConnectionHandover<Connection> from, ConnectionHandover<Connection> to) {
        static Turn alone() {
            return new Turn(null, new ConnectionHandover<>());
        }
    }

    /**
     * Writes everything from {@code source} and completes with the totals once the last batch has committed.
     * Errors as {@link #transformer()} does; cancelling the returned Mono cancels the writes in flight.
     *
     * @param source the elements to write; subscribed once per subscription of the result
     * @return a cold Mono of the run's totals
     * @throws NullPointerException if {@code source} is null
     */
    public Mono<CopySummary> write(Publisher<? extends T> source) {
        Objects.requireNonNull(source, "source");
        return Mono.defer(() -> {
            long start = nanoClock.getAsLong();
            return Flux.<T>from(source)
                    .transform(transformer())
                    .reduce(new long[6], (acc, r) -> {
                        acc[0]++;
                        acc[1] += r.elements().size();
                        acc[2] += r.rowsCopied();
                        acc[3] += r.rowsWritten();
                        acc[4] += r.rejected().size();
                        acc[5] += r.retries();
                        return acc;
                    })
                    .map(a -> new CopySummary(a[0], a[1], a[2], a[3], a[4], a[5],
                            Duration.ofNanos(nanoClock.getAsLong() - start)));
        });
    }

    /**
     * Writes one batch: checks every row (rejections are stored in the dead-letter sink first), then COPYs the rest
     * in one transaction, retrying transient failures. Lazy: nothing happens until subscription.
     *
     * @param batch the rows of one transaction; empty writes nothing
     * @return a cold Mono of the batch's result, erroring with a {@link CopyBatchException} when it cannot commit
     * @throws NullPointerException if {@code batch} is null
     */
    public Mono<BatchResult<T>> writeBatch(List<T> batch) {
        Objects.requireNonNull(batch, "batch");
        return Mono.defer(() -> write(encode(batch), Turn.alone()));
    }

    private BinaryCopyEncoder.Encoded<T> encode(List<T> batch) {
        return encoder.encode(batch, nanoClock.getAsLong());
    }

    /**
     * Stores the batch's rejections, then COPYs the rest; the encoded bytes are released however it ends, and the
     * lane's next batch stops waiting for this one's connection.
     */
    private Mono<BatchResult<T>> write(BinaryCopyEncoder.Encoded<T> encoded, Turn turn) {
        metrics.rejected(encoded.rejected().size());
        return deadLetter(encoded.rejected())
                .then(Mono.defer(() -> copy(encoded, turn)))
                .doFinally(signal -> {
                    turn.to().done();
                    encoded.release();
                });
    }

    /**
     * Stores the rejections, handed over in batch order up to {@code maxDeadLettersInFlight} at once (an
     * asynchronous sink, a Kafka topic, gets them together rather than one per acknowledgement); completes once all
     * are stored, and a letter that cannot be stored fails the batch.
     */
    private Mono<Void> deadLetter(List<RejectedRow<T>> rejected) {
        if (deadLetters == null || rejected.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(rejected)
                .flatMap(r -> Mono.fromCompletionStage(() -> deadLetters.acceptAsync(
                        new DeadLetter<>(r, r.cause(), Clock.systemUTC().instant(), RejectedRow.SINK_STAGE))),
                        maxDeadLettersInFlight)
                .then();
    }

    private Mono<BatchResult<T>> copy(BinaryCopyEncoder.Encoded<T> encoded, Turn turn) {
        List<T> batch = encoded.batch();
        List<T> rows = encoded.accepted();
        long start = encoded.startNanos();
        if (rows.isEmpty()) {
            return Mono.just(new BatchResult<>(batch, encoded.rejected(), 0, 0,
                    Duration.ofNanos(nanoClock.getAsLong() - start), 0));
        }
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<Unconfirmed> unconfirmed = new AtomicReference<>();
        return Mono.defer(() -> confirmed(unconfirmed).switchIfEmpty(Mono.defer(() -> {
                    // the first attempt may continue on the lane's connection; a retry starts on a fresh one
                    boolean first = attempts.incrementAndGet() == 1;
                    return attempt(encoded, unconfirmed, first ? turn.from() : null, turn.to());
                })))
                .retryWhen(Retry.backoff(maxRetries, minBackoff).maxBackoff(maxBackoff).filter(retryOn)
                        .doBeforeRetry(s -> metrics.retry())
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorMap(e -> {
                    metrics.failed();
                    String why = retryOn.test(e) ? "gave up after " + attempts.get() + " attempts"
                            : "non-transient error, not retried";
                    return new CopyBatchException("COPY of a batch of " + rows.size() + " rows into " + target
                            + " failed (" + why + "): " + e, batch, attempts.get(), e);
                })
                .map(counts -> {
                    long latency = nanoClock.getAsLong() - start;
                    metrics.committed(counts[0], latency);
                    return new BatchResult<>(batch, encoded.rejected(), counts[0], counts[1],
                            Duration.ofNanos(latency), attempts.get());
                });
    }

    /**
     * The COPY statement this sink sends (into the staging table in idempotent mode), for logs and tests.
     *
     * @return the SQL text
     */
    public String copySql() {
        return copySql;
    }

    /**
     * The statement merging the staging table into the target in idempotent mode, for logs and tests.
     *
     * @return the {@code INSERT ... ON CONFLICT} SQL, or null outside idempotent mode
     */
    public @Nullable String mergeSql() {
        return mergeSql;
    }

    /**
     * A transaction whose COMMIT was sent but not acknowledged (the connection was lost on the way): it may have
     * committed. Its id and counts let the next attempt ask the server instead of writing the batch twice.
     */
    private record Unconfirmed(long xid, long[] counts) {
    }

    /** The transaction's fate is not known yet (the server has not noticed the lost connection): ask again. */
    static final class CommitOutcomeUnknownException extends io.r2dbc.spi.R2dbcTransientResourceException {
        private static final long serialVersionUID = 1L;

        CommitOutcomeUnknownException(long xid) {
            super("transaction " + xid + " of a lost connection is still in progress: its outcome is not known yet");
        }
    }

    /**
     * The counts of the previous attempt if its COMMIT, unacknowledged, did commit (then the batch is written and
     * must not be written again); empty when there was no such attempt or it did not commit. Errors (transiently)
     * while the outcome cannot be known yet.
     */
    private Mono<long[]> confirmed(AtomicReference<Unconfirmed> unconfirmed) {
        return Mono.defer(() -> {
            Unconfirmed u = unconfirmed.get();
            if (u == null) {
                return Mono.empty();
            }
            return Mono.usingWhen(connectionFactory.create(),
                            conn -> Flux.from(conn.createStatement("SELECT txid_status($1)::text").bind(0, u.xid())
                                            .execute())
                                    .concatMap(r -> r.map((row, meta) -> Optional.ofNullable(row.get(0, String.class))))
                                    .next(),
                            conn -> Mono.from(conn.close()),
                            (conn, error) -> discard(conn),
                            this::discard)
                    .flatMap(status -> {
                        String s = status.orElse("aborted"); // null: too old to know, long since decided
                        if (s.equals("in progress")) {
                            return Mono.error(new CommitOutcomeUnknownException(u.xid()));
                        }
                        unconfirmed.set(null);
                        return s.equals("committed") ? Mono.just(u.counts()) : Mono.empty();
                    });
        });
    }

    /**
     * One transaction on one connection, {copied, written}: the lane's connection when {@code from} hands one over,
     * else a new one. Once its COMMIT is sent the connection is offered to the lane's next batch; it is closed
     * (or discarded, on error or cancel) by whoever holds it last.
     */
    private Mono<long[]> attempt(BinaryCopyEncoder.Encoded<T> encoded, AtomicReference<Unconfirmed> unconfirmed,
            @Nullable ConnectionHandover<Connection> from, ConnectionHandover<Connection> to) {
        Mono<Connection> fresh = Mono.defer(() -> Mono.from(connectionFactory.create()));
        Mono<Connection> connection = from == null ? fresh
                : from.take().doOnDiscard(Connection.class, c -> discard(c).subscribe()).switchIfEmpty(fresh);
        AtomicBoolean offered = new AtomicBoolean();
        Predicate<Connection> ours = conn -> !offered.get() || to.reclaim(conn);
        return Mono.usingWhen(connection,
                conn -> transaction(conn, encoded, unconfirmed, () -> offered.set(to.offer(conn))),
                conn -> ours.test(conn) ? Mono.from(conn.close()) : Mono.empty(),
                (conn, error) -> ours.test(conn) ? discard(conn) : Mono.empty(),
                conn -> ours.test(conn) ? discard(conn) : Mono.empty());
    }

    private Mono<long[]> transaction(Connection conn, BinaryCopyEncoder.Encoded<T> encoded,
            AtomicReference<Unconfirmed> unconfirmed, Runnable handOver) {
        Mono<long[]> transaction = mergeSql == null
                ? plainTransaction(conn, encoded, unconfirmed, handOver)
                : stagedTransaction(conn, encoded, unconfirmed)
                        .flatMap(counts -> commit(conn, handOver).thenReturn(counts));
        return transaction
                .doOnSuccess(counts -> unconfirmed.set(null))
                .doOnError(e -> {
                    if (!retryOn.test(e)) {
                        unconfirmed.set(null); // not retried: nothing to look up
                    }
                });
    }

    /**
     * The plain mode's transaction, COMMIT included: {@code BEGIN; SELECT txid_current()} and the COPY are sent
     * back to back (the driver queues conversations on a connection and answers them in order), so the data
     * follows the BEGIN without waiting for its answer. The data's end ({@code CopyDone}) waits for the
     * transaction's id, recorded before any COMMIT can be sent, so a COMMIT whose answer is lost can always be
     * looked up. The COMMIT is queued right behind the data's end, not after the COPY's answer, and the connection
     * handed on with it: the server goes from the COPY to the COMMIT and the lane's next batch without waiting for
     * a round trip of the client's (one connection: ~2 ms of idle server per batch, session 10). Should the COPY
     * fail, the server answers that COMMIT with a rollback and the batch fails with the COPY's error. Cancelled
     * while the COPY is unanswered, the sink asks the server to cancel it (a CancelRequest), so a batch still being
     * copied is rolled back rather than committed by the COMMIT already on its way.
     */
    private Mono<long[]> plainTransaction(Connection conn, BinaryCopyEncoder.Encoded<T> encoded,
            AtomicReference<Unconfirmed> unconfirmed, Runnable handOver) {
        long rows = encoded.accepted().size();
        Mono<Long> xid = transactionId(conn, "BEGIN; SELECT txid_current()")
                .doOnNext(id -> unconfirmed.set(new Unconfirmed(id, new long[] {rows, rows})))
                .cache();
        AtomicReference<@Nullable Mono<Long>> commit = new AtomicReference<>();
        AtomicBoolean unanswered = new AtomicBoolean(); // the COMMIT is sent, the COPY not answered yet
        // the driver sends CopyDone when this completes, and the COMMIT queued here goes right after it
        Flux<Publisher<ByteBuf>> data = Flux.concat(encoded.copyData(), xid.then(Mono.<Publisher<ByteBuf>>empty()))
                .doOnComplete(() -> {
                    unanswered.set(true);
                    commit.set(sendCommit(conn, handOver));
                });
        // one COPY data message per inner publisher; zip subscribes in order, so the BEGIN is queued first
        Mono<Long> copy = Mono.defer(() -> postgres(conn).copyIn(copySql).fromMany(data).build())
                .doOnTerminate(() -> unanswered.set(false));
        return Mono.zip(xid, copy, (id, copied) -> copied)
                .flatMap(copied -> {
                    // the COPY's answer comes after its data's end, so the COMMIT is on its way
                    Mono<Long> committed = Objects.requireNonNull(commit.get(), "COMMIT not sent");
                    return committed.thenReturn(new long[] {copied, copied});
                })
                .doOnCancel(() -> {
                    if (unanswered.getAndSet(false)) {
                        cancelCopy(conn);
                    }
                });
    }

    /**
     * Asks the server to cancel what {@code conn}'s backend runs now (out of band, on a connection of its own;
     * fire and forget): the COPY whose COMMIT is already queued behind it, which then rolls back.
     */
    private static void cancelCopy(Connection conn) {
        postgres(conn).cancelRequest().onErrorResume(e -> Mono.empty()).subscribe();
    }

    /** The idempotent mode's transaction up to its COMMIT: the stage is created with the BEGIN, merged after the COPY. */
    private Mono<long[]> stagedTransaction(Connection conn, BinaryCopyEncoder.Encoded<T> encoded,
            AtomicReference<Unconfirmed> unconfirmed) {
        Mono<Long> copy = Mono.defer(() -> postgres(conn).copyIn(copySql).fromMany(encoded.copyData()).build());
        return transactionId(conn, "BEGIN; SELECT txid_current(); " + stageSql)
                .flatMap(id -> copy
                        .flatMap(n -> execute(conn, mergeSql).map(written -> new long[] {n, written}))
                        .doOnNext(counts -> unconfirmed.set(new Unconfirmed(id, counts))));
    }

    /**
     * Sends the COMMIT, then hands the connection on (the next batch's statements queue behind the COMMIT), then
     * waits for the COMMIT's answer. Cancelling the wait does not recall a COMMIT already sent.
     */
    private static Mono<Long> commit(Connection conn, Runnable handOver) {
        return Mono.defer(() -> sendCommit(conn, handOver));
    }

    /** Sends the COMMIT and hands the connection on now; the result replays the COMMIT's answer. */
    private static Mono<Long> sendCommit(Connection conn, Runnable handOver) {
        Mono<Long> commit = execute(conn, "COMMIT").cache();
        commit.subscribe(ignored -> { }, error -> { }); // the answer goes to the subscriber returned
        handOver.run();
        return commit;
    }

    /**
     * Runs {@code sql}, a simple query of several statements whose only row is the transaction's id, and waits for
     * all of it (taking the first row and cancelling would hide an error of a later statement).
     */
    private static Mono<Long> transactionId(Connection conn, String sql) {
        return Flux.from(conn.createStatement(sql).execute())
                .concatMap(r -> r.map((row, meta) -> row.get(0, Long.class)))
                .last();
    }

    private static Mono<Long> execute(Connection conn, String sql) {
        return Flux.from(conn.createStatement(sql).execute()).flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
    }

    /**
     * Closes the physical connection under {@code conn} (a broken or abandoned COPY leaves it in an unknown
     * protocol state), then releases the pool's handle: the pool finds it closed and drops it.
     */
    private Mono<Void> discard(Connection conn) {
        Connection physical = physical(conn);
        Mono<Void> closePhysical = physical == conn ? Mono.empty() : Mono.from(physical.close());
        return closePhysical.onErrorResume(e -> Mono.empty())
                .then(Mono.from(conn.close()))
                .timeout(DISCARD_TIMEOUT)
                .onErrorResume(e -> Mono.empty());
    }

    private static Connection physical(Connection conn) {
        Connection c = conn;
        while (c instanceof Wrapped<?> w && w.unwrap() instanceof Connection inner && inner != c) {
            c = inner;
        }
        return c;
    }

    private static PostgresqlConnection postgres(Connection conn) {
        Connection c = conn;
        while (true) {
            if (c instanceof PostgresqlConnection pg) {
                return pg;
            }
            if (c instanceof Wrapped<?> w && w.unwrap() instanceof Connection inner && inner != c) {
                c = inner;
            } else {
                throw new IllegalStateException("PostgresCopySink needs r2dbc-postgresql connections, got "
                        + conn.getClass().getName());
            }
        }
    }

    private static String quotedList(List<String> names) {
        return names.stream().map(PgIdentifier::quote).collect(Collectors.joining(", "));
    }

    /**
     * Builder; setters validate their arguments and name the bad value. Required: {@link #table(String)} and at
     * least one {@link #column}.
     *
     * @param <T> the element type
     */
    public static final class Builder<T> {
        private final ConnectionFactory connectionFactory;
        private @Nullable String schema;
        private @Nullable String table;
        private final List<CopyColumn<T>> columns = new ArrayList<>();
        private @Nullable List<String> conflictKeys;
        private boolean update;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private @Nullable Function<Flux<T>, Flux<List<T>>> batching;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration minBackoff = DEFAULT_MIN_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Predicate<Throwable> retryOn = TransientErrors::isTransient;
        private @Nullable DeadLetterSink<? super RejectedRow<T>> deadLetters;
        private int maxDeadLettersInFlight = DEFAULT_MAX_DEAD_LETTERS_IN_FLIGHT;
        private @Nullable MeterRegistry meterRegistry;
        private LongSupplier nanoClock = System::nanoTime;
        private @Nullable Scheduler scheduler;

        private Builder(ConnectionFactory connectionFactory) {
            this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
        }

        /**
         * The target table, resolved through the connections' {@code search_path}. The name is taken literally
         * (quoted: case-sensitive); for another schema use {@link #table(String, String)}.
         *
         * @throws IllegalArgumentException if not a valid identifier, or containing '.' (a likely attempt at
         *     {@code schema.table})
         * @param table the table name, taken literally
         * @return this builder
         */
        public Builder<T> table(String table) {
            PgIdentifier.validate(table, "table");
            if (table.contains(".")) {
                throw new IllegalArgumentException("table name '" + table + "' contains '.'; names are taken"
                        + " literally, use table(schema, table) for a schema-qualified table");
            }
            this.schema = null;
            this.table = table;
            return this;
        }

        /**
         * The target table in {@code schema}; both names taken literally.
         *
         * @param schema the schema name
         * @param table  the table name
         * @return this builder
         * @throws IllegalArgumentException if a name is not a valid identifier
         */
        public Builder<T> table(String schema, String table) {
            this.schema = PgIdentifier.validate(schema, "schema");
            this.table = PgIdentifier.validate(table, "table");
            return this;
        }

        /**
         * Adds a column: its name (taken literally), its type and the getter giving its value for an element
         * ({@code null} = SQL NULL). Columns are written in the order added; the table's other columns get their
         * defaults. For a getter returning a {@code long}, {@code int} or {@code double}, {@link #int8Column},
         * {@link #int4Column} and {@link #float8Column} write the value without boxing it.
         *
         * @param <V>    the column's Java value type
         * @param name   the column name, taken literally, unique in this sink
         * @param type   how values are encoded; a value it cannot store rejects the row (see {@link RejectedRow})
         * @param getter the value of the column for an element, null for SQL NULL; an exception it throws rejects
         *               the row rather than failing the stream
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid identifier or already added
         * @throws NullPointerException     if {@code type} or {@code getter} is null
         */
        public <V> Builder<T> column(String name, PgType<V> type, Function<? super T, ? extends @Nullable V> getter) {
            PgIdentifier.validate(name, "column");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(getter, "getter");
            return add(name, new TypedColumn<>(name, type, getter));
        }

        /**
         * Adds an {@code int8} (bigint) column whose getter returns a {@code long}: like
         * {@code column(name, PgType.INT8, getter)} without boxing each value (a {@code Long} per row beyond the
         * small-value cache). Never SQL NULL; a getter that throws rejects the row.
         *
         * @param name   the column name, taken literally, unique in this sink
         * @param getter the column's value for an element
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid identifier or already added
         * @throws NullPointerException     if {@code getter} is null
         */
        public Builder<T> int8Column(String name, ToLongFunction<? super T> getter) {
            PgIdentifier.validate(name, "column");
            Objects.requireNonNull(getter, "getter");
            return add(name, new PrimitiveColumns.Int8<>(name, getter));
        }

        /**
         * Adds an {@code int4} (integer) column whose getter returns an {@code int}: like
         * {@code column(name, PgType.INT4, getter)} without boxing. Never SQL NULL; a getter that throws rejects the
         * row.
         *
         * @param name   the column name, taken literally, unique in this sink
         * @param getter the column's value for an element
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid identifier or already added
         * @throws NullPointerException     if {@code getter} is null
         */
        public Builder<T> int4Column(String name, ToIntFunction<? super T> getter) {
            PgIdentifier.validate(name, "column");
            Objects.requireNonNull(getter, "getter");
            return add(name, new PrimitiveColumns.Int4<>(name, getter));
        }

        /**
         * Adds a {@code float8} (double precision) column whose getter returns a {@code double}: like
         * {@code column(name, PgType.FLOAT8, getter)} without boxing; NaN and infinities are stored as such. Never
         * SQL NULL; a getter that throws rejects the row.
         *
         * @param name   the column name, taken literally, unique in this sink
         * @param getter the column's value for an element
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid identifier or already added
         * @throws NullPointerException     if {@code getter} is null
         */
        public Builder<T> float8Column(String name, ToDoubleFunction<? super T> getter) {
            PgIdentifier.validate(name, "column");
            Objects.requireNonNull(getter, "getter");
            return add(name, new PrimitiveColumns.Float8<>(name, getter));
        }

        private Builder<T> add(String name, CopyColumn<T> column) {
            if (columns.stream().anyMatch(c -> c.name().equals(name))) {
                throw new IllegalArgumentException("column '" + name + "' added twice");
            }
            columns.add(column);
            return this;
        }

        /**
         * Idempotent mode: COPY into a per-transaction temporary table, then {@code INSERT ... ON CONFLICT (keys) DO
         * NOTHING} in the same transaction, so rows whose key exists are skipped and a retried batch never
         * duplicates. The keys must be columns of this sink covered by a unique index or constraint.
         *
         * @param keyColumns the conflict target's columns, at least one, each added with {@link #column} before
         * @return this builder
         * @throws IllegalArgumentException if no keys or a key is not a column added before
         */
        public Builder<T> onConflictDoNothing(String... keyColumns) {
            return conflict(false, keyColumns);
        }

        /**
         * Idempotent upsert: like {@link #onConflictDoNothing(String...)} but {@code DO UPDATE SET} every non-key
         * column to the new row's value; when a batch holds several rows of one key, its last one wins.
         *
         * @param keyColumns the conflict target's columns, at least one, each added with {@link #column} before
         * @return this builder
         * @throws IllegalArgumentException if no keys or a key is not a column added before
         */
        public Builder<T> onConflictUpdate(String... keyColumns) {
            return conflict(true, keyColumns);
        }

        private Builder<T> conflict(boolean update, String... keyColumns) {
            Objects.requireNonNull(keyColumns, "keyColumns");
            if (keyColumns.length == 0) {
                throw new IllegalArgumentException("idempotent mode needs at least one key column");
            }
            Set<String> keys = new LinkedHashSet<>();
            for (String k : keyColumns) {
                if (columns.stream().noneMatch(c -> c.name().equals(k))) {
                    throw new IllegalArgumentException("key column '" + k + "' is not a column of this sink; add"
                            + " it with column(...) first");
                }
                keys.add(k);
            }
            this.conflictKeys = List.copyOf(keys);
            this.update = update;
            return this;
        }

        /**
         * Rows per batch for the default batching (default {@value #DEFAULT_BATCH_SIZE}).
         *
         * @param batchSize rows per batch, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code batchSize < 1}
         */
        public Builder<T> batchSize(int batchSize) {
            this.batchSize = Checks.atLeast("batchSize", batchSize, 1);
            return this;
        }

        /**
         * Longest a partial batch waits for more rows under the default batching (default 200 ms).
         *
         * @param maxWait positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> maxWait(Duration maxWait) {
            this.maxWait = Checks.requirePositive("maxWait", maxWait);
            return this;
        }

        /**
         * Replaces the default size/time batching with any operator cutting the input into lists (e.g. adaptive
         * batching). It must honour downstream demand (one list per request). Overrides batchSize and maxWait.
         *
         * @param batching cuts the input into lists; each list is one transaction
         * @return this builder
         * @throws NullPointerException if {@code batching} is null
         */
        public Builder<T> batching(Function<Flux<T>, Flux<List<T>>> batching) {
            this.batching = Objects.requireNonNull(batching, "batching");
            return this;
        }

        /**
         * Batches written at once, each on its own connection (default {@value #DEFAULT_MAX_IN_FLIGHT}).
         *
         * @param maxInFlight batches in flight at most, at least 1; the pool needs as many connections
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public Builder<T> maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Bytes per COPY data message (default {@link #DEFAULT_CHUNK_SIZE 1 MiB}); a message ends with the first row
         * that ends at or past it, and a batch smaller than this is one message. Each message is one buffer of this
         * size and an eighth more, reused across batches.
         *
         * @param chunkSize bytes, 1 KiB to 16 MiB
         * @return this builder
         * @throws IllegalArgumentException unless in 1024..16777216 (1 KiB..16 MiB)
         */
        public Builder<T> chunkSize(int chunkSize) {
            this.chunkSize = Checks.inRange("chunkSize", chunkSize, 1024, 16 << 20);
            return this;
        }

        /**
         * Retries of a batch after transient errors (default {@value #DEFAULT_MAX_RETRIES}; 0 = none).
         *
         * @param maxRetries at least 0; after that many the stream fails with a {@link CopyBatchException}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRetries < 0}
         */
        public Builder<T> maxRetries(int maxRetries) {
            this.maxRetries = Checks.atLeast("maxRetries", maxRetries, 0);
            return this;
        }

        /**
         * Exponential backoff between retries, jittered (defaults 100 ms .. 5 s).
         *
         * @param min positive; the first retry's backoff
         * @param max at least {@code min}; the cap of the doubling
         * @return this builder
         * @throws IllegalArgumentException if {@code min} is not positive or {@code max < min}
         * @throws NullPointerException     if an argument is null
         */
        public Builder<T> backoff(Duration min, Duration max) {
            Checks.requirePositive("backoff min", min);
            Objects.requireNonNull(max, "backoff max");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("backoff max must be >= min " + min + ", was " + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /**
         * Which errors are retried (default {@link TransientErrors#isTransient(Throwable)}).
         *
         * @param retryOn {@code true} for an error worth retrying the batch for; others fail the stream at once
         * @return this builder
         * @throws NullPointerException if {@code retryOn} is null
         */
        public Builder<T> retryOn(Predicate<Throwable> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        /**
         * Where rejected rows go, as {@link RejectedRow} letters of stage {@link RejectedRow#SINK_STAGE}, stored
         * through {@link DeadLetterSink#acceptAsync} before the batch's good rows are written: handed over in the
         * batch's order, up to {@link #maxDeadLettersInFlight(int)} before the first of them is stored.
         * A letter that cannot be stored fails the stream: a row is never dropped silently. Default: nowhere beyond
         * the results, the summary and the meters. The caller closes the sink.
         *
         * @param sink stores the rejected rows
         * @return this builder
         * @throws NullPointerException if {@code sink} is null
         */
        public Builder<T> deadLetters(DeadLetterSink<? super RejectedRow<T>> sink) {
            this.deadLetters = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * A batch's rejected rows handed to the {@link #deadLetters dead-letter sink} before the first of them is
         * stored (default {@value PostgresCopySink#DEFAULT_MAX_DEAD_LETTERS_IN_FLIGHT}); 1 stores them one after the
         * other. The batch's good rows are written once all are stored.
         *
         * @param maxDeadLettersInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxDeadLettersInFlight < 1}
         */
        public Builder<T> maxDeadLettersInFlight(int maxDeadLettersInFlight) {
            this.maxDeadLettersInFlight = Checks.atLeast("maxDeadLettersInFlight", maxDeadLettersInFlight, 1);
            return this;
        }

        /**
         * Records meters in {@code registry}: counters {@code fluxgate.jdbc.copy.rows} (its rate is rows/s),
         * {@code fluxgate.jdbc.copy.rows.rejected}, {@code fluxgate.jdbc.copy.retries} and
         * {@code fluxgate.jdbc.copy.batches.failed}, a distribution {@code fluxgate.jdbc.copy.batch.size} and a timer
         * {@code fluxgate.jdbc.copy.batch.latency}, tagged {@code table}. Default: no registry, no meters.
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Clock for latencies and elapsed time (default {@link System#nanoTime()}); inject one in tests.
         *
         * @param nanoClock a monotonic nanosecond clock
         * @return this builder
         * @throws NullPointerException if {@code nanoClock} is null
         */
        public Builder<T> nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * The scheduler from which the sink asks for its next batch and starts its writes (default
         * {@code Schedulers.parallel()}, resolved per subscription). A synchronous source (an iterable, a range, a
         * file read in the subscriber's thread) and the batching produce the next batch on it, and the sink checks
         * and encodes it there, while the driver's event loops write the batches in flight. Getters run there too.
         *
         * @param scheduler where batches are requested, and produced and encoded for synchronous sources
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder<T> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the sink.
         *
         * @return a thread-safe, reusable sink
         * @throws IllegalStateException if no table or no column was given
         */
        public PostgresCopySink<T> build() {
            if (table == null) {
                throw new IllegalStateException("table(...) is required");
            }
            if (columns.isEmpty()) {
                throw new IllegalStateException("at least one column(...) is required");
            }
            return new PostgresCopySink<>(this);
        }
    }
}
