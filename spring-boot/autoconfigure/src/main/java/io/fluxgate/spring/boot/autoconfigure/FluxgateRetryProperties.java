package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Per-element retries under {@code fluxgate.retry}: each element's call retried on its own with exponential backoff
 * and jitter, settings in {@code configs.<name>} and {@code instances.<name>}, as Resilience4j's
 * {@code resilience4j.retry}.
 */
@ConfigurationProperties(FluxgateRetryProperties.PREFIX)
public class FluxgateRetryProperties extends InstanceProperties<FluxgateRetryProperties.Settings> {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.retry";

    /** Creates empty properties. */
    public FluxgateRetryProperties() {
        super(PREFIX, FluxgateRetries::check);
    }

    /** The settings of one retry or shared config; every one is optional. */
    public static class Settings extends InstanceSettings {

        /** Attempts per element, the first included, at least 1 (default 3). */
        private @Nullable Integer maxAttempts;

        /** The first backoff; it doubles per attempt (Resilience4j: wait-duration; default 100ms). */
        private @Nullable Duration backoff;

        /** Cap on a single backoff (default 10s). */
        private @Nullable Duration maxBackoff;

        /** Jitter factor in [0, 1] (Resilience4j: randomized-wait-factor; default 0.5). */
        private @Nullable Double jitter;

        /** Elements retried at once, at least 1; output stays in input order, 1 pauses upstream while one waits (default 1). */
        private @Nullable Integer maxInFlight;

        /** Exceptions (and subclasses) retried; empty: every error not ignored. */
        private @Nullable List<Class<? extends Throwable>> retryExceptions;

        /** Exceptions (and subclasses) never retried; wins over retry-exceptions. */
        private @Nullable List<Class<? extends Throwable>> ignoreExceptions;

        /** Creates settings with nothing set. */
        public Settings() {
        }

        /** @return the attempts per element, or null when unset */
        public @Nullable Integer getMaxAttempts() {
            return maxAttempts;
        }

        /** @param v the attempts per element */
        public void setMaxAttempts(@Nullable Integer v) {
            this.maxAttempts = v;
        }

        /** @return the first backoff, or null when unset */
        public @Nullable Duration getBackoff() {
            return backoff;
        }

        /** @param v the first backoff */
        public void setBackoff(@Nullable Duration v) {
            this.backoff = v;
        }

        /** @return the cap on a backoff, or null when unset */
        public @Nullable Duration getMaxBackoff() {
            return maxBackoff;
        }

        /** @param v the cap on a backoff */
        public void setMaxBackoff(@Nullable Duration v) {
            this.maxBackoff = v;
        }

        /** @return the jitter factor, or null when unset */
        public @Nullable Double getJitter() {
            return jitter;
        }

        /** @param v the jitter factor */
        public void setJitter(@Nullable Double v) {
            this.jitter = v;
        }

        /** @return the elements retried at once, or null when unset */
        public @Nullable Integer getMaxInFlight() {
            return maxInFlight;
        }

        /** @param v the elements retried at once */
        public void setMaxInFlight(@Nullable Integer v) {
            this.maxInFlight = v;
        }

        /** @return the retried exceptions, or null when unset */
        public @Nullable List<Class<? extends Throwable>> getRetryExceptions() {
            return retryExceptions;
        }

        /** @param v the retried exceptions */
        public void setRetryExceptions(@Nullable List<Class<? extends Throwable>> v) {
            this.retryExceptions = v;
        }

        /** @return the exceptions never retried, or null when unset */
        public @Nullable List<Class<? extends Throwable>> getIgnoreExceptions() {
            return ignoreExceptions;
        }

        /** @param v the exceptions never retried */
        public void setIgnoreExceptions(@Nullable List<Class<? extends Throwable>> v) {
            this.ignoreExceptions = v;
        }

    }
}
