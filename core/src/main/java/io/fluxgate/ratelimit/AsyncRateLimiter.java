package io.fluxgate.ratelimit;

import reactor.core.publisher.Mono;

/**
 * A rate limiter whose state lives outside this JVM (e.g. a Redis server shared by several instances of a service)
 * and is therefore asked asynchronously. {@link RateLimit#shaping(AsyncRateLimiter)},
 * {@link RateLimit#enforcing(AsyncRateLimiter)} and {@link RateLimit#builder(AsyncRateLimiter)} apply it to a
 * stream exactly as they apply a local {@link RateLimiter}.
 *
 * <p>The contract is that of {@link RateLimiter#tryReserveNanos(long)}: a permit is reserved only if it is due within
 * the given wait, and the answer is the wait before using it. An implementation that cannot reach its state either
 * signals an error or, if it is configured to fail open, answers {@code 0} (let the element through).
 */
@FunctionalInterface
public interface AsyncRateLimiter {

    /**
     * Takes one permit if it is due within {@code maxWaitNanos}.
     *
     * @param maxWaitNanos the longest acceptable wait, zero or positive; {@code 0} takes a permit only if it is
     *     available now, {@code Long.MAX_VALUE} always reserves
     * @return a {@code Mono} of the nanoseconds to wait before using the reserved permit ({@code 0..maxWaitNanos}),
     *     or of {@code -1} if none was reserved; an error if the limiter's state could not be reached
     */
    Mono<Long> tryReserveNanos(long maxWaitNanos);
}
