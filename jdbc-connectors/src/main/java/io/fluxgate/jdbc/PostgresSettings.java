package io.fluxgate.jdbc;

import org.jspecify.annotations.Nullable;
import io.fluxgate.internal.Checks;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a PostgreSQL server is and how to log in, read the way libpq (and so {@code psql}) reads it: from
 * {@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD} and {@code PGDATABASE}, defaulting to
 * {@code 127.0.0.1:5432}, user {@code postgres}, no password, database {@code postgres}. One object builds the
 * R2DBC {@link ConnectionFactory} (plain or pooled) for the connectors, the examples and the tests, so a pipeline
 * and the {@code psql} next to it always talk to the same server.
 *
 * <p>Immutable; {@link #toBuilder()} derives variants (e.g. a test schema on the {@code search_path}).
 */
public final class PostgresSettings {

    /** Host when {@code PGHOST} is unset. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Port when {@code PGPORT} is unset. */
    public static final int DEFAULT_PORT = 5432;
    /** User when {@code PGUSER} is unset. */
    public static final String DEFAULT_USER = "postgres";
    /** Database when {@code PGDATABASE} is unset. */
    public static final String DEFAULT_DATABASE = "postgres";
    /** How long to wait for a connection to open. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** The {@code application_name} the connections report in {@code pg_stat_activity}. */
    public static final String DEFAULT_APPLICATION_NAME = "fluxgate";

    private final String host;
    private final int port;
    private final String user;
    private final @Nullable String password;
    private final String database;
    private final @Nullable String schema;
    private final Duration connectTimeout;
    private final String applicationName;

    private PostgresSettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.password = b.password;
        this.database = b.database;
        this.schema = b.schema;
        this.connectTimeout = b.connectTimeout;
        this.applicationName = b.applicationName;
    }

    /**
     * Settings from this process's environment ({@code PG*} variables), defaults where unset.
     *
     * @return the settings
     */
    public static PostgresSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Settings from the given environment map ({@code PG*} keys), defaults where a key is unset or blank.
     *
     * @param env the environment, e.g. {@link System#getenv()}
     * @return the settings
     * @throws IllegalArgumentException if {@code PGPORT} is not a port number, or {@code PGHOST} is a Unix
     *     socket directory (the R2DBC driver here speaks TCP only)
     */
    public static PostgresSettings fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        Builder b = builder();
        String host = blankToNull(env.get("PGHOST"));
        if (host != null) {
            b.host(host);
        }
        String port = blankToNull(env.get("PGPORT"));
        if (port != null) {
            try {
                b.port(Integer.parseInt(port.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("PGPORT must be a port number, was '" + port + "'", e);
            }
        }
        String user = blankToNull(env.get("PGUSER"));
        if (user != null) {
            b.user(user);
        }
        b.password(blankToNull(env.get("PGPASSWORD")));
        String db = blankToNull(env.get("PGDATABASE"));
        if (db != null) {
            b.database(db);
        }
        String app = blankToNull(env.get("PGAPPNAME"));
        if (app != null) {
            b.applicationName(app);
        }
        return b.build();
    }

    /**
     * A builder preset to the defaults (not to the environment).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset to these settings.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.user = user;
        b.password = password;
        b.database = database;
        b.schema = schema;
        b.connectTimeout = connectTimeout;
        b.applicationName = applicationName;
        return b;
    }

    /** {@return the host name or address} */
    public String host() {
        return host;
    }

    /** {@return the TCP port} */
    public int port() {
        return port;
    }

    /** {@return the user name} */
    public String user() {
        return user;
    }

    /**
     * The password, or {@code null} for none (trust or peer authentication).
     *
     * @return the password, or {@code null}
     */
    public @Nullable String password() {
        return password;
    }

    /** {@return the database name} */
    public String database() {
        return database;
    }

    /**
     * The schema put first on the connections' {@code search_path}, or {@code null} for the server default.
     *
     * @return the schema, or {@code null}
     */
    public @Nullable String schema() {
        return schema;
    }

    /** {@return how long to wait for a connection to open} */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * The {@code application_name} of the connections ({@code PGAPPNAME}; default {@value #DEFAULT_APPLICATION_NAME}).
     *
     * @return the application name
     */
    public String applicationName() {
        return applicationName;
    }

    /**
     * The driver configuration these settings describe.
     *
     * @return a new driver configuration
     */
    public PostgresqlConnectionConfiguration configuration() {
        PostgresqlConnectionConfiguration.Builder b = PostgresqlConnectionConfiguration.builder()
                .host(host)
                .port(port)
                .username(user)
                .database(database)
                .connectTimeout(connectTimeout)
                .applicationName(applicationName);
        if (password != null) {
            b.password(password);
        }
        if (schema != null) {
            // quoted: search_path is parsed as a list of identifiers, so a mixed-case name must keep its case
            b.options(Map.of("search_path", PgIdentifier.quote(schema)));
        }
        return b.build();
    }

    /**
     * A new, unpooled connection factory: each {@code create()} opens a physical connection.
     *
     * @return a new connection factory
     */
    public ConnectionFactory connectionFactory() {
        return new PostgresqlConnectionFactory(configuration());
    }

    /**
     * A new connection pool of at most {@code maxSize} connections over {@link #connectionFactory()}. Dispose it
     * when done ({@link ConnectionPool#dispose()}); connections are validated on acquire, so one closed under the
     * pool (e.g. after a failed COPY) is replaced rather than handed out.
     *
     * @param maxSize the most connections, at least 1
     * @return a new pool; the caller disposes it
     * @throws IllegalArgumentException if {@code maxSize < 1}
     */
    public ConnectionPool pool(int maxSize) {
        Checks.atLeast("maxSize", maxSize, 1);
        return new ConnectionPool(ConnectionPoolConfiguration.builder(connectionFactory())
                .initialSize(0)
                .maxSize(maxSize)
                .maxIdleTime(Duration.ofMinutes(5))
                .maxAcquireTime(connectTimeout.multipliedBy(2))
                .name("fluxgate-" + database)
                .build());
    }

    /**
     * These settings as libpq environment variables, for launching {@code psql} or {@code pg_dump} against the same
     * server ({@code PGPASSWORD} only when a password is set).
     *
     * @return a new, modifiable map of {@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGDATABASE} and,
     *     when set, {@code PGPASSWORD}
     */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", user);
        env.put("PGDATABASE", database);
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        env.put("PGAPPNAME", applicationName);
        if (schema != null) {
            env.put("PGOPTIONS", "-c search_path=" + PgIdentifier.quote(schema));
        }
        return env;
    }

    /** {@code user@host:port/database}, never the password. */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database + (schema == null ? "" : " (schema " + schema + ")");
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Builder; every setter validates its argument and names the bad value. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String user = DEFAULT_USER;
        private @Nullable String password;
        private String database = DEFAULT_DATABASE;
        private @Nullable String schema;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private String applicationName = DEFAULT_APPLICATION_NAME;

        private Builder() {
        }

        /**
         * @param host host name or address
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank or a Unix socket directory (starts with '/')
         */
        public Builder host(String host) {
            Checks.notBlank("host", host);
            if (host.startsWith("/")) {
                throw new IllegalArgumentException("host '" + host + "' is a Unix socket directory; the R2DBC driver"
                        + " connects over TCP: set PGHOST=127.0.0.1 (or the server's address)");
            }
            this.host = host;
            return this;
        }

        /**
         * @param port 1 to 65535
         * @return this builder
         * @throws IllegalArgumentException unless 1..65535
         */
        public Builder port(int port) {
            this.port = Checks.inRange("port", port, 1, 65535);
            return this;
        }

        /**
         * @param user the user name
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank
         */
        public Builder user(String user) {
            this.user = Checks.notBlank("user", user);
            return this;
        }

        /**
         * {@code null} for none.
         *
         * @param password the password, or {@code null}
         * @return this builder
         */
        public Builder password(@Nullable String password) {
            this.password = password;
            return this;
        }

        /**
         * @param database the database name
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank
         */
        public Builder database(String database) {
            this.database = Checks.notBlank("database", database);
            return this;
        }

        /**
         * Schema for the {@code search_path}; {@code null} for the server default.
         *
         * @param schema the schema name, or {@code null}
         * @return this builder
         */
        public Builder schema(@Nullable String schema) {
            this.schema = schema == null ? null : PgIdentifier.validate(schema, "schema");
            return this;
        }

        /**
         * @param connectTimeout positive
         * @return this builder
         * @throws IllegalArgumentException unless positive
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Checks.requirePositive("connectTimeout", connectTimeout);
            return this;
        }

        /**
         * The {@code application_name} reported in {@code pg_stat_activity} (e.g. to tell one job's sessions from
         * another's).
         *
         * @param applicationName non-blank, at most 63 bytes in UTF-8
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank or longer than 63 bytes (PostgreSQL would truncate it)
         */
        public Builder applicationName(String applicationName) {
            Checks.notBlank("applicationName", applicationName);
            if (applicationName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
                throw new IllegalArgumentException("applicationName must be at most 63 bytes, was '"
                        + applicationName + "'");
            }
            this.applicationName = applicationName;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @return the immutable settings
         */
        public PostgresSettings build() {
            return new PostgresSettings(this);
        }
    }
}
