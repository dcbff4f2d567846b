/**
 * Micrometer instrumentation for any stage. {@link io.fluxgate.metrics.StageMetrics} wraps a
 * {@code Function<Flux<T>, Flux<R>>} and records, tagged {@code stage}, elements in and out, errors, per-element
 * latency, outstanding demand and live subscriptions; signals, demand and cancellation pass through unchanged.
 * Micrometer is optional for the rest of core: operators record meters only when given a registry.
 */
@NullMarked
package io.fluxgate.metrics;

import org.jspecify.annotations.NullMarked;
