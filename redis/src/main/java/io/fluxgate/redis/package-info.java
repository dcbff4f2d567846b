/**
 * Shared state on Redis, through Lettuce (the client Spring Data Redis uses), so that several instances of a pipeline
 * behave as one: {@link io.fluxgate.redis.RedisIdempotencyStore} is an {@link io.fluxgate.dedupe.IdempotencyStore}
 * for {@link io.fluxgate.dedupe.Dedupe} ({@code SET key token NX PX ttl}, pipelined for a batch), and
 * {@link io.fluxgate.redis.RedisRateLimiter} is an {@link io.fluxgate.ratelimit.AsyncRateLimiter} for
 * {@link io.fluxgate.ratelimit.RateLimit} (the GCRA of {@link io.fluxgate.ratelimit.RateLimiter} as a Lua script on
 * the server's clock). Both take a timeout and either fail the element or let it through (fail open) when Redis is
 * down or slow; an error is never reported as "duplicate". Needs Redis 7.0 or later.
 */
@NullMarked
package io.fluxgate.redis;

import org.jspecify.annotations.NullMarked;
