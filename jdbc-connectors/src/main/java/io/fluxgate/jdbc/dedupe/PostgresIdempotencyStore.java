package io.fluxgate.jdbc.dedupe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.dedupe.IdempotencyStore;
import io.fluxgate.internal.Checks;
import io.fluxgate.jdbc.PgIdentifier;
import io.fluxgate.jdbc.TransientErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * An {@link IdempotencyStore} in a PostgreSQL table, shared by every instance that uses the same table: a key is new
 * if it has no row, or only an expired one. One statement marks a whole batch of keys:
 *
 * <pre>{@code
 * INSERT INTO <table> AS s (key, expires_at, token)
 *   SELECT k, now() + <ttl>, <token> FROM unnest($1::text[]) AS u(k) ORDER BY k
 * ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, token = EXCLUDED.token
 *   WHERE s.expires_at <= now() OR s.token = EXCLUDED.token
 * RETURNING key
 * }</pre>
 *
 * The keys it returns are the new ones: absent, expired (an expired key counts as new and gets a fresh expiry), or
 * written by this very call before a lost connection made it retry (the token, one per call). Keys are sorted so that
 * concurrent batches lock rows in one order and cannot deadlock. The TTL is anchored at the first sighting (a
 * duplicate does not extend it) and measured on the server's clock, which every instance shares.
 *
 * <pre>{@code
 * ConnectionPool pool = PostgresSettings.fromEnvironment().pool(8);     // the COPY sink's pool
 * PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(pool)
 *         .table("orders_seen").ttl(Duration.ofDays(1)).build();
 * orders.transform(Dedupe.byKey((Order o) -> o.id().toString()).store(store).build())
 * }</pre>
 *
 * <p><b>Table.</b> {@link #ddl(String)} gives the DDL; by default the store runs it ({@code IF NOT EXISTS}) before its
 * first statement, {@link Builder#createTable(boolean) createTable(false)} leaves the schema to the user's
 * migrations. Expired rows are deleted every {@link Builder#purgeInterval(Duration)} (default one minute), at most
 * {@value #PURGE_BATCH} rows per statement, from the first call until {@link #close()}; {@link #purge()} does it on
 * demand.
 *
 * <p><b>Failures.</b> Transient errors ({@link TransientErrors}: a lost connection, a restarting server) are retried
 * with the same token until the {@link Builder#timeout(Duration)} (default {@value #DEFAULT_TIMEOUT_MILLIS} ms) runs
 * out; then the call fails with {@link PostgresStoreException} (default) or, with {@link Builder#failOpen(boolean)
 * failOpen(true)}, answers "new" for every key (the elements go through; duplicates may pass during the outage). An
 * error is never reported as "duplicate". A failed call deletes, in the background, the rows it may have written
 * (those holding its token), so a retry of the element is not taken for a duplicate. Errors and fail-open passes are
 * counted ({@link #errors()}, {@link #failOpenPasses()}, Micrometer with {@link Builder#meterRegistry(MeterRegistry)}).
 *
 * <p>Answers are delivered on {@code Schedulers.parallel()}, not on the driver's I/O threads. Thread-safe.
 */
public final class PostgresIdempotencyStore implements IdempotencyStore<String>, AutoCloseable {

    /** Default table name. */
    public static final String DEFAULT_TABLE = "fluxgate_idempotency";
    /** Default {@link Builder#timeout(Duration)} in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 5000;
    /** Default {@link Builder#timeout(Duration)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS);
    /** Default {@link Builder#purgeInterval(Duration)}. */
    public static final Duration DEFAULT_PURGE_INTERVAL = Duration.ofMinutes(1);
    /** Most expired rows one purge statement deletes (a purge repeats it until fewer are left). */
    public static final int PURGE_BATCH = 10_000;
    /** Counter of failed or timed-out calls, tagged {@code store} (the table) and {@code kind=idempotency}. */
    public static final String ERRORS_METER = "fluxgate.store.errors";
    /** Counter of keys answered "new" without an answer (fail open), tagged as {@link #ERRORS_METER}. */
    public static final String FAIL_OPEN_METER = "fluxgate.store.fail.open";

    private final ConnectionFactory pool;
    private final String table;
    private final String tableName;
    private final Duration ttl;
    private final Duration timeout;
    private final boolean failOpen;
    private final boolean createTable;
    private final Duration purgeInterval;
    private final String markSql;
    private final String releaseSql;
    private final String purgeSql;
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong failOpenPasses = new AtomicLong();
    private final @Nullable Counter errorsMeter;
    private final @Nullable Counter failOpenMeter;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean tableReady;
    private volatile @Nullable Disposable purging;
    private volatile boolean closed;

    private PostgresIdempotencyStore(Builder b) {
        this.pool = b.pool;
        this.table = b.table;
        this.tableName = b.tableName;
        this.ttl = Objects.requireNonNull(b.ttl);
        this.timeout = b.timeout;
        this.failOpen = b.failOpen;
        this.createTable = b.createTable;
        this.tableReady = !b.createTable;
        this.purgeInterval = b.purgeInterval;
        String t = b.table;
        long ttlMicros = ttl.getSeconds() * 1_000_000 + ttl.getNano() / 1000;
        this.markSql = "INSERT INTO " + t + " AS s (key, expires_at, token)"
                + " SELECT k, now() + " + ttlMicros + " * interval '1 microsecond', $2"
                + " FROM unnest($1::text[]) AS u(k) ORDER BY k"
                + " ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, token = EXCLUDED.token"
                + " WHERE s.expires_at <= now() OR s.token = EXCLUDED.token"
                + " RETURNING key";
        this.releaseSql = "DELETE FROM " + t + " WHERE key = ANY($1::text[]) AND token = $2";
        this.purgeSql = "DELETE FROM " + t + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + t
                + " WHERE expires_at <= now() LIMIT " + PURGE_BATCH + " FOR UPDATE SKIP LOCKED))";
        if (b.registry != null) {
            errorsMeter = Counter.builder(ERRORS_METER).description("store calls that failed or timed out")
                    .tag("store", b.tableName).tag("kind", "idempotency").register(b.registry);
            failOpenMeter = Counter.builder(FAIL_OPEN_METER)
                    .description("keys answered new without an answer (fail open)")
                    .tag("store", b.tableName).tag("kind", "idempotency").register(b.registry);
        } else {
            errorsMeter = null;
            failOpenMeter = null;
        }
    }

    /**
     * A builder over a connection factory, ideally the application's pool (e.g. the one a
     * {@link io.fluxgate.jdbc.PostgresCopySink} writes through); {@link Builder#ttl(Duration)} is required.
     *
     * @param pool where connections come from; not closed by the store
     * @return a new builder
     * @throws NullPointerException if {@code pool} is null
     */
    public static Builder builder(ConnectionFactory pool) {
        return new Builder(Objects.requireNonNull(pool, "pool"));
    }

    /**
     * The DDL of the store's table and its expiry index, for migrations (with {@code IF NOT EXISTS}, safe to run
     * again).
     *
     * @param table the table name, optionally schema-qualified, as given to {@link Builder#table(String)}
     * @return two statements separated by {@code ;}
     */
    public static String ddl(String table) {
        String t = qualify(table);
        String index = PgIdentifier.quote(unqualified(table) + "_expires_at");
        return "CREATE TABLE IF NOT EXISTS " + t + " (key text PRIMARY KEY, expires_at timestamptz NOT NULL,"
                + " token text NOT NULL);\nCREATE INDEX IF NOT EXISTS " + index + " ON " + t + " (expires_at)";
    }

    @Override
    public Mono<Boolean> markIfAbsent(String key) {
        return markAllIfAbsent(List.of(key)).map(answers -> answers.get(0));
    }

    /**
     * Marks a batch of keys in one statement (one round trip); a key repeated in the batch is new at most at its
     * first occurrence.
     *
     * @param keys the keys, in element order
     * @return the answers, in the same order; {@link PostgresStoreException} after the timeout unless failing open
     */
    @Override
    public Mono<List<Boolean>> markAllIfAbsent(List<? extends String> keys) {
        if (keys.isEmpty()) {
            return Mono.just(List.of());
        }
        for (String k : keys) {
            Objects.requireNonNull(k, "key");
        }
        startPurging();
        Set<String> distinctSet = new HashSet<>();
        List<String> distinct = new ArrayList<>(keys.size());
        for (String k : keys) {
            if (distinctSet.add(k)) {
                distinct.add(k);
            }
        }
        String[] array = distinct.toArray(String[]::new);
        String token = UUID.randomUUID().toString();
        Mono<Set<String>> attempt = ready().then(Mono.usingWhen(Mono.from(pool.create()),
                c -> Flux.from(c.createStatement(markSql).bind("$1", array).bind("$2", token).execute())
                        .flatMap(r -> r.map((row, meta) -> Objects.requireNonNull(row.get(0, String.class))))
                        .collect(HashSet<String>::new, Set::add),
                Connection::close));
        return attempt
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(500))
                        .filter(TransientErrors::isTransient))
                .timeout(timeout)
                .map(fresh -> {
                    Map<String, Boolean> pending = new HashMap<>();
                    List<Boolean> out = new ArrayList<>(keys.size());
                    for (String k : keys) {
                        // the first occurrence takes the answer; a repeat inside the batch is a duplicate of it
                        Boolean first = pending.putIfAbsent(k, Boolean.FALSE);
                        out.add(first == null && fresh.contains(k));
                    }
                    return out;
                })
                .onErrorResume(e -> failed(e, keys.size(), array, token))
                .publishOn(Schedulers.parallel());
    }

    private Mono<List<Boolean>> failed(Throwable error, int size, String[] keys, String token) {
        errors.incrementAndGet();
        if (errorsMeter != null) {
            errorsMeter.increment();
        }
        if (failOpen) {
            failOpenPasses.addAndGet(size);
            if (failOpenMeter != null) {
                failOpenMeter.increment(size);
            }
            return Mono.just(Collections.nCopies(size, Boolean.TRUE));
        }
        // the statement may have committed before the connection was lost: undo this call's rows in the background
        execute(releaseSql, keys, token)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1))
                        .filter(TransientErrors::isTransient))
                .timeout(timeout.multipliedBy(10))
                .onErrorResume(e -> Mono.empty())
                .subscribe();
        String why = error instanceof java.util.concurrent.TimeoutException ? "no answer within " + timeout
                : "failed (timeout " + timeout + "): " + error;
        return Mono.error(new PostgresStoreException("PostgreSQL idempotency store " + tableName + " could not mark "
                + keys.length + " key(s): " + why, error));
    }

    private Mono<Long> execute(String sql, Object... params) {
        return Mono.usingWhen(Mono.from(pool.create()), c -> {
            var statement = c.createStatement(sql);
            for (int i = 0; i < params.length; i++) {
                statement.bind("$" + (i + 1), params[i]);
            }
            return Flux.from(statement.execute()).flatMap(r -> r.getRowsUpdated()).reduce(0L, Long::sum);
        }, Connection::close);
    }

    private Mono<Void> ready() {
        if (tableReady) {
            return Mono.empty();
        }
        return createTable();
    }

    /**
     * Runs {@link #ddl(String)} for the store's table ({@code IF NOT EXISTS}; a concurrent creation by another
     * instance is not an error).
     *
     * @return completes when the table exists
     */
    public Mono<Void> createTable() {
        return Flux.fromArray(ddl(tableName).split(";\n"))
                .concatMap(sql -> execute(sql).onErrorResume(e -> e instanceof R2dbcException r
                        && ("23505".equals(r.getSqlState()) || "42P07".equals(r.getSqlState())), e -> Mono.empty()))
                .then()
                .doOnSuccess(x -> tableReady = true);
    }

    /**
     * Deletes the expired rows now, {@value #PURGE_BATCH} per statement until none is left.
     *
     * @return the number of rows deleted
     */
    public Mono<Long> purge() {
        return ready().then(execute(purgeSql)
                .expand(n -> n >= PURGE_BATCH ? execute(purgeSql) : Mono.empty())
                .reduce(0L, Long::sum));
    }

    private void startPurging() {
        if (!closed && !purgeInterval.isZero() && started.compareAndSet(false, true)) {
            purging = Flux.interval(purgeInterval, purgeInterval)
                    .onBackpressureDrop()
                    .concatMap(x -> purge().onErrorResume(e -> Mono.just(0L)), 1)
                    .subscribe();
            if (closed) {
                close();
            }
        }
    }

    /** Stops the periodic purge. The pool is the caller's and stays open. */
    @Override
    public void close() {
        closed = true;
        Disposable d = purging;
        if (d != null) {
            d.dispose();
        }
    }

    /**
     * Calls that failed or timed out so far (each counted once, whatever its batch size).
     *
     * @return the error count
     */
    public long errors() {
        return errors.get();
    }

    /**
     * Keys answered "new" without an answer from PostgreSQL, because the store fails open.
     *
     * @return the fail-open count
     */
    public long failOpenPasses() {
        return failOpenPasses.get();
    }

    @Override
    public String toString() {
        return "PostgresIdempotencyStore[" + tableName + ", ttl " + ttl + "]";
    }

    private static String qualify(String table) {
        int dot = table.indexOf('.');
        return dot < 0 ? PgIdentifier.quote(table)
                : PgIdentifier.qualified(table.substring(0, dot), table.substring(dot + 1));
    }

    private static String unqualified(String table) {
        int dot = table.indexOf('.');
        return dot < 0 ? table : table.substring(dot + 1);
    }

    /** Configuration; each setter validates its argument and names the bad value. Not thread-safe. */
    public static final class Builder {
        private final ConnectionFactory pool;
        private String table = PgIdentifier.quote(DEFAULT_TABLE);
        private String tableName = DEFAULT_TABLE;
        private @Nullable Duration ttl;
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean failOpen;
        private boolean createTable = true;
        private Duration purgeInterval = DEFAULT_PURGE_INTERVAL;
        private @Nullable MeterRegistry registry;

        private Builder(ConnectionFactory pool) {
            this.pool = pool;
        }

        /**
         * The table, on the connections' {@code search_path} or as {@code schema.table}; one table may serve many
         * pipelines only if their keys cannot collide.
         *
         * @param table a valid identifier (quoted in SQL, so any case and character but a control character),
         *     optionally schema-qualified at its first dot; default {@value PostgresIdempotencyStore#DEFAULT_TABLE}
         * @return this builder
         * @throws IllegalArgumentException if a part is not a valid identifier
         */
        public Builder table(String table) {
            int dot = Checks.notBlank("table", table).indexOf('.');
            if (dot < 0) {
                PgIdentifier.validate(table, "table");
            } else {
                PgIdentifier.validate(table.substring(0, dot), "schema");
                PgIdentifier.validate(table.substring(dot + 1), "table");
            }
            this.table = qualify(table);
            this.tableName = table;
            return this;
        }

        /**
         * How long a key is remembered after its first sighting. Required.
         *
         * @param ttl at least one microsecond
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is shorter than 1 us
         */
        public Builder ttl(Duration ttl) {
            if (Checks.requirePositive("ttl", ttl).compareTo(Duration.ofNanos(1000)) < 0) {
                throw new IllegalArgumentException("ttl must be at least 1 us, was " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * Longest a call may take, retries after transient errors included; then it fails, or passes when
         * {@link #failOpen(boolean) failing open}.
         *
         * @param timeout positive; default {@value PostgresIdempotencyStore#DEFAULT_TIMEOUT_MILLIS} ms
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.requirePositive("timeout", timeout);
            return this;
        }

        /**
         * When PostgreSQL is down or slow: {@code false} (default) fails the call with
         * {@link PostgresStoreException}, {@code true} answers "new" for every key so the elements go through
         * (counted as fail-open passes).
         *
         * @param failOpen whether to let elements through when PostgreSQL does not answer
         * @return this builder
         */
        public Builder failOpen(boolean failOpen) {
            this.failOpen = failOpen;
            return this;
        }

        /**
         * Whether the store creates its table ({@link #ddl(String)}, {@code IF NOT EXISTS}) before its first
         * statement (default {@code true}); {@code false} when migrations own the schema.
         *
         * @param createTable whether to create the table on demand
         * @return this builder
         */
        public Builder createTable(boolean createTable) {
            this.createTable = createTable;
            return this;
        }

        /**
         * How often expired rows are deleted, from the first call until {@link #close()}.
         *
         * @param purgeInterval positive, or {@link Duration#ZERO} for no periodic purge (call {@link #purge()});
         *     default one minute
         * @return this builder
         * @throws IllegalArgumentException if {@code purgeInterval} is negative
         */
        public Builder purgeInterval(Duration purgeInterval) {
            this.purgeInterval = Checks.requireNonNegative("purgeInterval", purgeInterval);
            return this;
        }

        /**
         * Records counters {@value PostgresIdempotencyStore#ERRORS_METER} and
         * {@value PostgresIdempotencyStore#FAIL_OPEN_METER} in {@code registry}, tagged
         * {@code store} (the table) and {@code kind=idempotency}. Default: no registry, no meters.
         *
         * @param registry where the counters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the store; nothing is sent to PostgreSQL until the first call.
         *
         * @return a thread-safe store; {@link #close()} stops its purge
         * @throws IllegalStateException if no TTL was set
         */
        public PostgresIdempotencyStore build() {
            if (ttl == null) {
                throw new IllegalStateException("ttl(Duration) is required");
            }
            return new PostgresIdempotencyStore(this);
        }
    }
}
