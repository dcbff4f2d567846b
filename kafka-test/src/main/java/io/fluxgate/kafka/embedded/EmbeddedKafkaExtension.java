package io.fluxgate.kafka.embedded;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests one shared {@link EmbeddedKafka} broker per test JVM: started on first use, kept
 * in the root {@link ExtensionContext.Store} and closed (directory deleted) when the root context closes, i.e.
 * after the last test of the run. Test methods, constructors and lifecycle methods get it injected as an
 * {@code EmbeddedKafka} parameter.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedKafkaExtension.class)
 * class MyTest {
 *     @Test void roundTrip(EmbeddedKafka kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 *
 * <p>Tests share the broker: each should use its own topic names and group ids.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return parameterContext.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return broker(extensionContext);
    }

    /**
     * The shared broker of this test run, started if needed; for extensions and lifecycle code that have an
     * {@link ExtensionContext} but no parameter to inject into.
     *
     * @param context any context of the run; the broker lives in its root store
     * @return the running broker, the same instance for the whole run
     * @throws EmbeddedKafkaStartException if the broker has to be started and fails to
     */
    public static EmbeddedKafka broker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Resource.class, k -> new Resource(), Resource.class).kafka;
    }

    // Closed by JUnit when the root context closes.
    private static final class Resource implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final EmbeddedKafka kafka = new EmbeddedKafka().start();

        @Override
        public void close() {
            kafka.close();
        }
    }
}
