/**
 * Duplicate suppression with bounded memory: {@link io.fluxgate.dedupe.Dedupe} drops elements whose key was already
 * seen within a TTL, among the last N keys, or as an {@link io.fluxgate.dedupe.IdempotencyStore} decides (shared
 * between streams, or remote). Order is kept; dropped duplicates go to Reactor's discard hook and their demand is
 * replenished from upstream. {@link io.fluxgate.dedupe.InMemoryIdempotencyStore} is the bounded in-memory store;
 * synchronous stores implement {@link io.fluxgate.dedupe.LocalIdempotencyStore}.
 */
@NullMarked
package io.fluxgate.dedupe;

import org.jspecify.annotations.NullMarked;
