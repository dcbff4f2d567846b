/**
 * Adaptive limits: a number (a batch size, a concurrency) tuned from measured latency samples of the work it
 * governs. {@link io.fluxgate.control.LimitController} is the contract; the built-in laws are
 * {@link io.fluxgate.control.LatencyTargetLimit} (largest batch meeting a latency target, the default of
 * {@code io.fluxgate.batch.AdaptiveBatch.into}), {@link io.fluxgate.control.AimdLimit} (additive increase,
 * multiplicative decrease) and {@link io.fluxgate.control.Gradient2Limit} (no target: reacts to queueing, the
 * default of {@code io.fluxgate.workers.Workers.adaptive}). All are plain single-threaded state machines with an
 * injected clock, bounded by {@link io.fluxgate.control.LimitBounds}, so they are tested without timers;
 * {@code limit()} may be read from any thread.
 */
@NullMarked
package io.fluxgate.control;

import org.jspecify.annotations.NullMarked;
