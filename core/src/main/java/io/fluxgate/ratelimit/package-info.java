/**
 * Rate limits. {@link io.fluxgate.ratelimit.RateLimiter} is a thread-safe token bucket ({@code permits} per
 * {@code period}, at most {@code burst} saved up), shareable between streams to cap their combined rate;
 * {@link io.fluxgate.ratelimit.RateLimit} applies it to a stream, either <em>shaping</em> (each element waits for its
 * permit, one element held at a time, the slowdown reaching upstream as backpressure; nothing dropped) or
 * <em>enforcing</em> (an element without a permit fails the stream with a
 * {@link io.fluxgate.ratelimit.RateLimitExceededException} naming the stage). A limiter whose state lives elsewhere
 * (shared by several instances, e.g. through Redis) implements {@link io.fluxgate.ratelimit.AsyncRateLimiter} and
 * is applied by the same stages.
 */
@NullMarked
package io.fluxgate.ratelimit;

import org.jspecify.annotations.NullMarked;
