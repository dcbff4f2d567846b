/**
 * JUnit 5 support for tests against a real PostgreSQL: {@link io.fluxgate.jdbc.testing.PostgresExtension} gives
 * each test class a fresh schema ({@link io.fluxgate.jdbc.testing.PostgresTestSchema}), dropped afterwards.
 *
 * <p>Artifact {@code io.fluxgate:fluxgate-jdbc-test}, for test scope; {@code fluxgate-jdbc} carries no test code.
 */
package io.fluxgate.jdbc.testing;
