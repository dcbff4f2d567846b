/**
 * Retries per element: {@link io.fluxgate.retry.ElementRetry} retries each element's asynchronous call on its own,
 * with exponential backoff and jitter (Reactor's {@code retryWhen} on a whole {@code Flux} would re-subscribe the
 * source). By default calls run one at a time in input order and, while an element waits for its next attempt,
 * nothing more is requested from upstream, so a source that generates on demand pauses too; with a concurrency
 * above 1 results are emitted as they complete. When an element's attempts run out the stream fails with a
 * {@link io.fluxgate.retry.RetriesExhaustedException} naming the stage, the element and the number of attempts (the
 * last failure as its cause), or, with {@code buildOutcomes()}, the element becomes an
 * {@code io.fluxgate.outcome.Outcome.Failure} and the stream goes on. Cancel cancels the call or the pending
 * backoff.
 */
@NullMarked
package io.fluxgate.retry;

import org.jspecify.annotations.NullMarked;
