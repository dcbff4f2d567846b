/**
 * A PostgreSQL {@link io.fluxgate.dedupe.IdempotencyStore} for {@link io.fluxgate.dedupe.Dedupe}, on an R2DBC pool
 * (the same pool as a {@link io.fluxgate.jdbc.PostgresCopySink}): {@link io.fluxgate.jdbc.dedupe.PostgresIdempotencyStore}
 * keeps each key with an expiry time in a table, marks a batch of keys in one {@code INSERT ... ON CONFLICT} round
 * trip and purges expired rows periodically, so several instances of a pipeline share one memory of processed keys.
 */
@NullMarked
package io.fluxgate.jdbc.dedupe;

import org.jspecify.annotations.NullMarked;
