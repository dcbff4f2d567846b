/**
 * The DataLoader pattern for Reactor: {@link io.fluxgate.loader.BatchLoader} coalesces single-key lookups made
 * within a short window (or until a batch is full), removes duplicate keys, fetches them with one call to a batch
 * function, and completes each caller's {@code Mono} with its own value, optionally caching results.
 */
@NullMarked
package io.fluxgate.loader;

import org.jspecify.annotations.NullMarked;
