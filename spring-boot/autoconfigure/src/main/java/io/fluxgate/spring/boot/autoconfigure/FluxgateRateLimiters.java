package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import io.fluxgate.ratelimit.RateLimit;
import io.fluxgate.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The application's rate limiters, configured by {@code fluxgate.ratelimiter.*} ({@link FluxgateRateLimiterProperties}):
 * one shared token bucket per name, so every stream limited by {@code "partner-api"} shares its rate.
 *
 * <pre>{@code
 * requests.transform(rateLimiters.rateLimit("partner-api"))
 * }</pre>
 *
 * <p>Meters: the stage of {@link #rateLimit(String)} is built with the application's {@code MeterRegistry} and
 * named after the limiter, so core records {@code fluxgate.ratelimit.permits} (permits taken),
 * {@code fluxgate.ratelimit.rejected} (elements refused when enforcing) and {@code fluxgate.ratelimit.wait} (the wait
 * for a permit), tagged {@code name}.
 */
public class FluxgateRateLimiters {

    private final FluxgateRateLimiterProperties properties;
    private final @Nullable MeterRegistry meterRegistry;
    private final Registry<RateLimiter> limiters;
    /** One stage per name: its meters are registered once. */
    private final Map<String, Function<Flux<Object>, Flux<Object>>> stages = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Builds every configured limiter.
     *
     * @param properties the bound {@code fluxgate.ratelimiter} properties
     * @param meterRegistry where the stages' meters go; null for none
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateRateLimiters(FluxgateRateLimiterProperties properties, @Nullable MeterRegistry meterRegistry) {
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.limiters = new Registry<>(properties.getInstances().keySet(), n -> limiter(properties.resolve(n)));
    }

    /**
     * The shared limiter called {@code name}; built from {@code configs.default} on first use when not configured.
     *
     * @param name the limiter's name
     * @return the same token bucket for the same name
     * @throws IllegalArgumentException if the name is blank or its settings are invalid or incomplete
     */
    public RateLimiter limiter(String name) {
        return limiters.get(name);
    }

    /**
     * A rate-limit stage over the shared limiter {@code name}: shaping (elements wait for their permit, up to
     * {@code max-wait}) or, with {@code enforcing: true}, failing with {@code RateLimitExceededException}; see
     * {@link RateLimit}. Named {@code name} in its exceptions.
     *
     * @param name the limiter's name
     * @param <T> the element type
     * @return a reusable transformer, the same for the same name; elements unchanged
     * @throws IllegalArgumentException if the name is blank or its settings are invalid or incomplete
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> Function<Flux<T>, Flux<T>> rateLimit(String name) {
        Function stage = stages.computeIfAbsent(name, this::stage);
        return (Function<Flux<T>, Flux<T>>) stage;
    }

    private <T> Function<Flux<T>, Flux<T>> stage(String name) {
        RateLimiter limiter = limiter(name);
        Resolved<FluxgateRateLimiterProperties.Settings> r = properties.resolve(name);
        RateLimit.Builder b = RateLimit.builder(limiter).name(name);
        if (Boolean.TRUE.equals(r.get(s -> s.getEnforcing()))) {
            b.enforcing();
        }
        r.apply("max-wait", s -> s.getMaxWait(), b::maxWait);
        if (meterRegistry != null) {
            b.meterRegistry(meterRegistry);
        }
        return b.build();
    }

    /**
     * Every limiter built so far, configured ones first.
     *
     * @return an unmodifiable snapshot by name
     */
    public Map<String, RateLimiter> all() {
        return limiters.all();
    }

    /** The resolved settings of limiter {@code name}, for the endpoint. */
    Resolved<FluxgateRateLimiterProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    static void check(Resolved<FluxgateRateLimiterProperties.Settings> r) {
        if (!r.configOnly() || (r.get(s -> s.getPermits()) != null && r.get(s -> s.getPeriod()) != null)) {
            limiter(r);
        } else {
            RateLimiter.Builder b = RateLimiter.builder().permits(1).per(Duration.ofSeconds(1));
            r.apply("permits", s -> s.getPermits(), b::permits);
            r.apply("period", s -> s.getPeriod(), b::per);
            r.apply("burst", s -> s.getBurst(), b::burst);
            r.apply("catch-up", s -> s.getCatchUp(), b::catchUp);
        }
        RateLimit.Builder b = RateLimit.builder(RateLimiter.perSecond(1));
        r.apply("max-wait", s -> s.getMaxWait(), b::maxWait);
    }

    private static RateLimiter limiter(Resolved<FluxgateRateLimiterProperties.Settings> r) {
        RateLimiter.Builder b = RateLimiter.builder();
        Integer permits = r.get(s -> s.getPermits());
        Duration period = r.get(s -> s.getPeriod());
        if (permits == null || period == null) {
            String missing = permits == null ? "permits" : "period";
            throw new IllegalArgumentException(r.path(missing, s -> null) + " is required (permits per period)");
        }
        r.apply("permits", s -> s.getPermits(), b::permits);
        r.apply("period", s -> s.getPeriod(), b::per);
        r.apply("burst", s -> s.getBurst(), b::burst);
        r.apply("catch-up", s -> s.getCatchUp(), b::catchUp);
        return r.build(FluxgateRateLimiterProperties.PREFIX, b::build);
    }
}
