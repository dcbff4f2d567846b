/**
 * Concurrent asynchronous calls per element: {@link io.fluxgate.workers.Workers} runs up to {@code n} calls at once,
 * in input order or in completion order, with a fixed {@code n} or one tuned while it runs by a
 * {@link io.fluxgate.control.LimitController} fed each call's latency. Upstream is requested only a bounded number of
 * elements ahead ({@code n} for the fixed forms, the controller's maximum limit for the adaptive one), so a slow
 * dependency slows the source through backpressure; cancel cancels the calls in flight.
 */
@NullMarked
package io.fluxgate.workers;

import org.jspecify.annotations.NullMarked;
