package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Rate limiters under {@code fluxgate.ratelimiter}: one shared token bucket per name (every stream limited by the
 * same name shares its rate), settings in {@code configs.<name>} and {@code instances.<name>} as Resilience4j's
 * {@code resilience4j.ratelimiter}. {@code permits} and {@code period} must be set (on the instance or a config).
 */
@ConfigurationProperties(FluxgateRateLimiterProperties.PREFIX)
public class FluxgateRateLimiterProperties extends InstanceProperties<FluxgateRateLimiterProperties.Settings> {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.ratelimiter";

    /** Creates empty properties. */
    public FluxgateRateLimiterProperties() {
        super(PREFIX, FluxgateRateLimiters::check);
    }

    /** The settings of one rate limiter or shared config; every one is optional. */
    public static class Settings extends InstanceSettings {

        /** Permits per period, at least 1 (Resilience4j: limit-for-period). Required. */
        private @Nullable Integer permits;

        /** The period the permits are counted over, positive (Resilience4j: limit-refresh-period). Required. */
        private @Nullable Duration period;

        /** Unused permits the bucket holds, at least 1; 1 spaces permits evenly (default 1). */
        private @Nullable Integer burst;

        /** How late a throttled caller may wake up and still get the permits it missed (default 100ms). */
        private @Nullable Duration catchUp;

        /** Longest an element waits for its permit before the stream fails with RateLimitExceededException (Resilience4j: timeout-duration). Default: unbounded when shaping, 0 when enforcing. */
        private @Nullable Duration maxWait;

        /** Whether an element finding no permit fails the stream at once instead of waiting (default false: shaping). */
        private @Nullable Boolean enforcing;

        /** Creates settings with nothing set. */
        public Settings() {
        }

        /** @return the permits per period, or null when unset */
        public @Nullable Integer getPermits() {
            return permits;
        }

        /** @param v the permits per period */
        public void setPermits(@Nullable Integer v) {
            this.permits = v;
        }

        /** @return the period, or null when unset */
        public @Nullable Duration getPeriod() {
            return period;
        }

        /** @param v the period */
        public void setPeriod(@Nullable Duration v) {
            this.period = v;
        }

        /** @return the burst, or null when unset */
        public @Nullable Integer getBurst() {
            return burst;
        }

        /** @param v the burst */
        public void setBurst(@Nullable Integer v) {
            this.burst = v;
        }

        /** @return the catch-up window, or null when unset */
        public @Nullable Duration getCatchUp() {
            return catchUp;
        }

        /** @param v the catch-up window */
        public void setCatchUp(@Nullable Duration v) {
            this.catchUp = v;
        }

        /** @return the longest wait for a permit, or null when unset */
        public @Nullable Duration getMaxWait() {
            return maxWait;
        }

        /** @param v the longest wait for a permit */
        public void setMaxWait(@Nullable Duration v) {
            this.maxWait = v;
        }

        /** @return whether the stage enforces instead of shaping, or null when unset */
        public @Nullable Boolean getEnforcing() {
            return enforcing;
        }

        /** @param v whether the stage enforces instead of shaping */
        public void setEnforcing(@Nullable Boolean v) {
            this.enforcing = v;
        }

    }
}
