/**
 * JUnit 5 support for tests against a real PostgreSQL: {@link io.fluxgate.jdbc.testing.PostgresExtension} gives each
 * test class a private schema on the server named by the {@code PG*} variables, dropped with everything in it
 * after the class, and injects a {@link io.fluxgate.jdbc.testing.PostgresTestSchema} with connection factories,
 * pools and blocking helpers for set-up and assertions.
 *
 * <p>Artifact {@code io.fluxgate:fluxgate-jdbc-test}, for test scope; {@code fluxgate-jdbc} carries no test code.
 */
@NullMarked
package io.fluxgate.jdbc.testing;

import org.jspecify.annotations.NullMarked;
