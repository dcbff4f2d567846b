package io.fluxgate.jdbc.testing;

import io.fluxgate.jdbc.PostgresSettings;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import reactor.core.publisher.Mono;

/**
 * JUnit 5 extension that puts a real PostgreSQL under a test class: the server from {@link
 * PostgresSettings#fromEnvironment()} ({@code PG*} variables, default {@code 127.0.0.1:5432}), a fresh schema of
 * a random name per test class (first on the {@code search_path} of every connection it hands out) that is dropped
 * with everything in it after the class. Test methods and constructors get a {@link PostgresTestSchema} parameter.
 *
 * <p>If no server answers, every test class using it fails with one message saying how to start one. The probe
 * runs once per test run; later classes fail fast with the same message.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyTest {
 *     @Test void writes(PostgresTestSchema db) { db.execute("CREATE TABLE t (id int8)"); ... }
 * }
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /** The hint printed when no server answers. */
    public static final String START_HINT = "Start the local server with `pg_ctlcluster --skip-systemctl-redirect"
            + " $(ls /etc/postgresql) main start`, or point the tests at another server with PGHOST, PGPORT,"
            + " PGUSER, PGPASSWORD and PGDATABASE.";

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresSettings settings = PostgresSettings.fromEnvironment();
        String unavailable = context.getRoot().getStore(NS)
                .getOrComputeIfAbsent("probe:" + settings, k -> probe(settings), String.class);
        if (!unavailable.isEmpty()) {
            throw new ExtensionConfigurationException(unavailable);
        }
        String name = schemaName(context.getRequiredTestClass().getSimpleName());
        PostgresTestSchema schema = PostgresTestSchema.create(settings, name);
        context.getStore(NS).put(PostgresTestSchema.class, schema);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        PostgresTestSchema schema = context.getStore(NS).remove(PostgresTestSchema.class, PostgresTestSchema.class);
        if (schema != null) {
            schema.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == PostgresTestSchema.class || type == PostgresSettings.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        PostgresTestSchema schema = extensionContext.getStore(NS).get(PostgresTestSchema.class,
                PostgresTestSchema.class);
        if (schema == null) {
            throw new ParameterResolutionException("PostgresExtension has no schema for this context;"
                    + " register it on the test class with @ExtendWith(PostgresExtension.class)");
        }
        return parameterContext.getParameter().getType() == PostgresSettings.class ? schema.settings() : schema;
    }

    /** Empty when the server answers, else the one message every test class fails with. */
    private static String probe(PostgresSettings settings) {
        try {
            Mono.usingWhen(settings.connectionFactory().create(),
                            c -> Mono.from(c.createStatement("SELECT 1").execute())
                                    .flatMap(r -> Mono.from(r.getRowsUpdated()).then()),
                            Connection::close)
                    .block(PROBE_TIMEOUT);
            return "";
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "PostgreSQL is not answering at " + settings + " (" + root.getClass().getSimpleName() + ": "
                    + root.getMessage() + "). The jdbc-connectors tests need a real server. " + START_HINT;
        }
    }

    private static String schemaName(String testClass) {
        String base = testClass.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (base.length() > 40) {
            base = base.substring(0, 40);
        }
        return "fg_" + base + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }
}
