package io.fluxgate.jdbc.testing;

import org.jspecify.annotations.Nullable;
import io.fluxgate.jdbc.PgIdentifier;
import io.fluxgate.jdbc.PostgresSettings;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One test class's private schema on a real PostgreSQL (see {@link PostgresExtension}): connection factories and
 * pools whose {@code search_path} starts with it, plus small blocking helpers for test set-up and assertions.
 * Pools made here are disposed, and the schema dropped, when the class finishes.
 */
public final class PostgresTestSchema implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PostgresSettings admin;
    private final PostgresSettings settings;
    private final List<ConnectionPool> pools = new CopyOnWriteArrayList<>();

    private PostgresTestSchema(PostgresSettings admin, String name) {
        this.admin = admin;
        // the schema's name as application_name too: a test finds its own backends in pg_stat_activity, not those
        // of other tests or other users of a shared server
        this.settings = admin.toBuilder().schema(name).applicationName(name).build();
    }

    /**
     * Creates schema {@code name} on the server of {@code admin}; {@link #close()} drops it. {@link PostgresExtension}
     * does this per test class; call it directly where JUnit extensions do not run (e.g. TestNG-based TCK tests).
     *
     * @param admin settings of a user allowed to create schemas
     * @param name the schema name, unquoted; must not exist yet
     * @return the schema, open until {@link #close()}
     */
    public static PostgresTestSchema create(PostgresSettings admin, String name) {
        PostgresTestSchema schema = new PostgresTestSchema(admin, name);
        executeWith(admin, "CREATE SCHEMA " + PgIdentifier.quote(name));
        return schema;
    }

    /**
     * The schema's name (unquoted).
     *
     * @return the name
     */
    public String name() {
        return settings.schema();
    }

    /**
     * Settings whose connections have this schema first on the {@code search_path} and report its name as their
     * {@code application_name} (so {@code pg_stat_activity} rows of this schema's connections are
     * {@code WHERE application_name = name()}).
     *
     * @return the settings
     */
    public PostgresSettings settings() {
        return settings;
    }

    /**
     * A new unpooled factory on this schema.
     *
     * @return a new connection factory
     */
    public ConnectionFactory connectionFactory() {
        return settings.connectionFactory();
    }

    /**
     * A new pool on this schema, disposed with the schema.
     *
     * @param maxSize the most connections, at least 1
     * @return a new pool
     */
    public ConnectionPool pool(int maxSize) {
        ConnectionPool pool = settings.pool(maxSize);
        pools.add(pool);
        return pool;
    }

    /**
     * Runs each statement (no parameters) in its own auto-commit round trip, blocking.
     *
     * @param sql the statements, run in order; the first failure throws
     */
    public void execute(String... sql) {
        for (String s : sql) {
            executeWith(settings, s);
        }
    }

    /**
     * The first column of every row of {@code sql}, read as {@code type}, blocking.
     *
     * @param <V> the Java type of the column
     * @param sql the query
     * @param type the class the first column is read as
     * @return the values, in row order
     */
    public <V> List<@Nullable V> queryList(String sql, Class<V> type) {
        return query(sql, row -> row.get(0, type));
    }

    /**
     * The single value of a one-row, one-column query (e.g. {@code SELECT count(*) ...}), blocking.
     *
     * @param sql the query
     * @return the value
     */
    public long queryLong(String sql) {
        List<Long> values = queryList(sql, Long.class);
        if (values.size() != 1) {
            throw new IllegalStateException("expected one row from " + sql + ", got " + values.size());
        }
        return values.get(0);
    }

    /**
     * Every row of {@code sql} mapped by {@code mapper} (which may return null, e.g. for SQL NULL), blocking.
     *
     * @param <V> the mapped type
     * @param sql the query
     * @param mapper maps one row
     * @return the mapped rows, in row order
     */
    public <V extends @Nullable Object> List<V> query(String sql, Function<Row, V> mapper) {
        return Flux.usingWhen(settings.connectionFactory().create(),
                        c -> Flux.from(c.createStatement(sql).execute())
                                .concatMap(r -> r.map((row, meta) -> Optional.ofNullable(mapper.apply(row)))),
                        Connection::close)
                .collect(ArrayList<V>::new, (list, o) -> list.add(o.orElse(null)))
                .map(l -> (List<V>) l)
                .block(TIMEOUT);
    }

    @Override
    public void close() {
        for (ConnectionPool pool : pools) {
            pool.disposeLater().onErrorResume(e -> Mono.empty()).block(TIMEOUT);
        }
        executeWith(admin, "DROP SCHEMA IF EXISTS " + PgIdentifier.quote(name()) + " CASCADE");
    }

    private static void executeWith(PostgresSettings s, String sql) {
        Mono.usingWhen(s.connectionFactory().create(),
                        c -> Flux.from(c.createStatement(sql).execute()).concatMap(r -> r.getRowsUpdated()).then(),
                        Connection::close)
                .block(TIMEOUT);
    }
}
