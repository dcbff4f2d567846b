/**
 * Batching by count, weight and age, whichever comes first, with the backpressure contract Reactor's
 * {@code bufferTimeout} lacks (see {@link io.fluxgate.batch.AdaptiveBatch} for emission, demand and discard), and
 * an adaptive form ({@code AdaptiveBatch.into(sink)}) whose batch size follows a
 * {@link io.fluxgate.control.LimitController} fed the latency of the sink it feeds. Entry point: {@link io.fluxgate.batch.AdaptiveBatch}; the subscriber lives in
 * {@code io.fluxgate.batch.internal}, which is not API.
 */
@NullMarked
package io.fluxgate.batch;

import org.jspecify.annotations.NullMarked;
