package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fluxgate.breaker.CircuitBreakerConfig;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Circuit breakers under {@code fluxgate.circuitbreaker}: shared settings in {@code configs.<name>}
 * ({@code configs.default} for all), breakers in {@code instances.<name>}, as Resilience4j's
 * {@code resilience4j.circuitbreaker}. Unset values come from the base config, then {@code configs.default}, then
 * {@link CircuitBreakerConfig}'s defaults.
 */
@ConfigurationProperties(FluxgateCircuitBreakerProperties.PREFIX)
public class FluxgateCircuitBreakerProperties extends InstanceProperties<FluxgateCircuitBreakerProperties.Settings> {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.circuitbreaker";

    /** Creates empty properties. */
    public FluxgateCircuitBreakerProperties() {
        super(PREFIX, FluxgateCircuitBreakers::config);
    }

    /** The settings of one breaker or shared config; every one is optional. */
    public static class Settings extends InstanceSettings {

        /** Failure rate in percent, in (0, 100], at or above which the breaker opens (default 50). */
        private @Nullable Float failureRateThreshold;

        /** Slow-call rate in percent, in (0, 100], at or above which the breaker opens (default 100). */
        private @Nullable Float slowCallRateThreshold;

        /** A call taking longer than this is slow (default 60s). */
        private @Nullable Duration slowCallDurationThreshold;

        /** Probe calls let through in HALF_OPEN (default 10). */
        private @Nullable Integer permittedNumberOfCallsInHalfOpenState;

        /** Longest time in HALF_OPEN before the breaker opens again; 0 waits for all probes (default 0). */
        private @Nullable Duration maxWaitDurationInHalfOpenState;

        /** COUNT_BASED (the last N calls) or TIME_BASED (the calls of the last N seconds) (default COUNT_BASED). */
        private CircuitBreakerConfig.@Nullable SlidingWindowType slidingWindowType;

        /** Calls (count-based) or seconds (time-based) in the sliding window (default 100). */
        private @Nullable Integer slidingWindowSize;

        /** Calls recorded before a rate counts (default 100). */
        private @Nullable Integer minimumNumberOfCalls;

        /** How long an OPEN breaker refuses calls before letting probes through (default 60s). */
        private @Nullable Duration waitDurationInOpenState;

        /**
         * Multiplier of the wait in OPEN for each consecutive opening (Resilience4j's exponential backoff); needs
         * {@code exponential-max-wait-duration-in-open-state}. Default 1: no growth.
         */
        private @Nullable Double exponentialBackoffMultiplier;

        /** Cap on one wait in OPEN when it grows with {@code exponential-backoff-multiplier}. */
        private @Nullable Duration exponentialMaxWaitDurationInOpenState;

        /** Whether refusals (CallNotPermittedException) carry a stack trace (default true). */
        private @Nullable Boolean writableStackTraceEnabled;

        /** Exceptions (and subclasses) that count as failures; empty: every error does. */
        private @Nullable List<Class<? extends Throwable>> recordExceptions;

        /** Exceptions (and subclasses) that count neither as failure nor as success; wins over record-exceptions. */
        private @Nullable List<Class<? extends Throwable>> ignoreExceptions;

        /** Whether the breaker is part of the circuitBreakers health component (default true). */
        private @Nullable Boolean registerHealthIndicator;

        /**
         * Whether an OPEN breaker makes its health DOWN (HALF_OPEN: UNKNOWN), failing the application's health, as
         * Resilience4j's option of that name. Default false: OPEN reports CIRCUIT_OPEN, HALF_OPEN CIRCUIT_HALF_OPEN,
         * statuses that do not change the application's aggregate.
         */
        private @Nullable Boolean allowHealthIndicatorToFail;

        /** Health status of an OPEN or FORCED_OPEN breaker; overrides allow-health-indicator-to-fail (e.g. OUT_OF_SERVICE). */
        private @Nullable String openHealthStatus;

        /** Creates settings with nothing set. */
        public Settings() {
        }

        /** @return the failure rate threshold in percent, or null when unset */
        public @Nullable Float getFailureRateThreshold() {
            return failureRateThreshold;
        }

        /** @param v the failure rate threshold in percent */
        public void setFailureRateThreshold(@Nullable Float v) {
            this.failureRateThreshold = v;
        }

        /** @return the slow-call rate threshold in percent, or null when unset */
        public @Nullable Float getSlowCallRateThreshold() {
            return slowCallRateThreshold;
        }

        /** @param v the slow-call rate threshold in percent */
        public void setSlowCallRateThreshold(@Nullable Float v) {
            this.slowCallRateThreshold = v;
        }

        /** @return the slow-call duration, or null when unset */
        public @Nullable Duration getSlowCallDurationThreshold() {
            return slowCallDurationThreshold;
        }

        /** @param v the slow-call duration */
        public void setSlowCallDurationThreshold(@Nullable Duration v) {
            this.slowCallDurationThreshold = v;
        }

        /** @return the probes in HALF_OPEN, or null when unset */
        public @Nullable Integer getPermittedNumberOfCallsInHalfOpenState() {
            return permittedNumberOfCallsInHalfOpenState;
        }

        /** @param v the probes in HALF_OPEN */
        public void setPermittedNumberOfCallsInHalfOpenState(@Nullable Integer v) {
            this.permittedNumberOfCallsInHalfOpenState = v;
        }

        /** @return the longest stay in HALF_OPEN, or null when unset */
        public @Nullable Duration getMaxWaitDurationInHalfOpenState() {
            return maxWaitDurationInHalfOpenState;
        }

        /** @param v the longest stay in HALF_OPEN */
        public void setMaxWaitDurationInHalfOpenState(@Nullable Duration v) {
            this.maxWaitDurationInHalfOpenState = v;
        }

        /** @return the window type, or null when unset */
        public CircuitBreakerConfig.@Nullable SlidingWindowType getSlidingWindowType() {
            return slidingWindowType;
        }

        /** @param v the window type */
        public void setSlidingWindowType(CircuitBreakerConfig.@Nullable SlidingWindowType v) {
            this.slidingWindowType = v;
        }

        /** @return the window size, or null when unset */
        public @Nullable Integer getSlidingWindowSize() {
            return slidingWindowSize;
        }

        /** @param v the window size */
        public void setSlidingWindowSize(@Nullable Integer v) {
            this.slidingWindowSize = v;
        }

        /** @return the calls before a rate counts, or null when unset */
        public @Nullable Integer getMinimumNumberOfCalls() {
            return minimumNumberOfCalls;
        }

        /** @param v the calls before a rate counts */
        public void setMinimumNumberOfCalls(@Nullable Integer v) {
            this.minimumNumberOfCalls = v;
        }

        /** @return the wait in OPEN, or null when unset */
        public @Nullable Duration getWaitDurationInOpenState() {
            return waitDurationInOpenState;
        }

        /** @param v the wait in OPEN */
        public void setWaitDurationInOpenState(@Nullable Duration v) {
            this.waitDurationInOpenState = v;
        }

        /** @return the backoff multiplier of the wait in OPEN, or null when unset */
        public @Nullable Double getExponentialBackoffMultiplier() {
            return exponentialBackoffMultiplier;
        }

        /** @param v the backoff multiplier of the wait in OPEN */
        public void setExponentialBackoffMultiplier(@Nullable Double v) {
            this.exponentialBackoffMultiplier = v;
        }

        /** @return the cap on the wait in OPEN, or null when unset */
        public @Nullable Duration getExponentialMaxWaitDurationInOpenState() {
            return exponentialMaxWaitDurationInOpenState;
        }

        /** @param v the cap on the wait in OPEN */
        public void setExponentialMaxWaitDurationInOpenState(@Nullable Duration v) {
            this.exponentialMaxWaitDurationInOpenState = v;
        }

        /** @return whether refusals carry a stack trace, or null when unset */
        public @Nullable Boolean getWritableStackTraceEnabled() {
            return writableStackTraceEnabled;
        }

        /** @param v whether refusals carry a stack trace */
        public void setWritableStackTraceEnabled(@Nullable Boolean v) {
            this.writableStackTraceEnabled = v;
        }

        /** @return the exceptions recorded as failures, or null when unset */
        public @Nullable List<Class<? extends Throwable>> getRecordExceptions() {
            return recordExceptions;
        }

        /** @param v the exceptions recorded as failures */
        public void setRecordExceptions(@Nullable List<Class<? extends Throwable>> v) {
            this.recordExceptions = v == null ? null : new ArrayList<>(v);
        }

        /** @return the exceptions ignored, or null when unset */
        public @Nullable List<Class<? extends Throwable>> getIgnoreExceptions() {
            return ignoreExceptions;
        }

        /** @param v the exceptions ignored */
        public void setIgnoreExceptions(@Nullable List<Class<? extends Throwable>> v) {
            this.ignoreExceptions = v == null ? null : new ArrayList<>(v);
        }

        /** @return whether the breaker is in the health component, or null when unset */
        public @Nullable Boolean getRegisterHealthIndicator() {
            return registerHealthIndicator;
        }

        /** @param v whether the breaker is in the health component */
        public void setRegisterHealthIndicator(@Nullable Boolean v) {
            this.registerHealthIndicator = v;
        }

        /** @return whether OPEN is DOWN, or null when unset */
        public @Nullable Boolean getAllowHealthIndicatorToFail() {
            return allowHealthIndicatorToFail;
        }

        /** @param v whether OPEN is DOWN */
        public void setAllowHealthIndicatorToFail(@Nullable Boolean v) {
            this.allowHealthIndicatorToFail = v;
        }

        /** @return the health status of an open breaker, or null when unset */
        public @Nullable String getOpenHealthStatus() {
            return openHealthStatus;
        }

        /** @param v the health status of an open breaker */
        public void setOpenHealthStatus(@Nullable String v) {
            this.openHealthStatus = v;
        }
    }
}
