/**
 * PostgreSQL sinks on R2DBC.
 *
 * <p>{@link io.fluxgate.jdbc.PostgresCopySink} writes a {@code Flux} of Java objects into a table with binary
 * {@code COPY ... FROM STDIN}, one COPY and one transaction per batch, several batches at once on pooled
 * connections; columns are declared with a name, a {@link io.fluxgate.jdbc.PgType} and a getter. Guarantees:
 * <ul>
 *   <li>A value PostgreSQL would refuse is caught before it is sent ({@link io.fluxgate.jdbc.PgType#check}):
 *       that one row is rejected as a {@link io.fluxgate.jdbc.RejectedRow} and stored in the dead-letter sink,
 *       and the rest of its batch is written.</li>
 *   <li>A {@link io.fluxgate.jdbc.BatchResult} is emitted, in upstream batch order, only after its transaction
 *       committed, so upstream may then acknowledge every element of it (e.g. commit Kafka offsets).</li>
 *   <li>Transient errors ({@link io.fluxgate.jdbc.TransientErrors}) retry the whole batch; any other error fails
 *       the stream with a {@link io.fluxgate.jdbc.CopyBatchException} whose batch was rolled back.</li>
 * </ul>
 *
 * <p>{@link io.fluxgate.jdbc.PostgresSettings} reads the server and login as libpq does ({@code PG*} variables)
 * and builds the R2DBC connection factories; {@link io.fluxgate.jdbc.PgIdentifier} validates and quotes table and
 * column names. The COPY encoder lives in {@code io.fluxgate.jdbc.internal}, which is not API.
 */
@NullMarked
package io.fluxgate.jdbc;

import org.jspecify.annotations.NullMarked;
