package io.fluxgate.spring.boot.autoconfigure;


import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Worker pools (bulkheads) under {@code fluxgate.workers}: how many element calls a stream runs at once, fixed or
 * adaptive, as Resilience4j's {@code resilience4j.bulkhead} caps concurrent calls. Settings in
 * {@code configs.<name>} and {@code instances.<name>}.
 */
@ConfigurationProperties(FluxgateWorkersProperties.PREFIX)
public class FluxgateWorkersProperties extends InstanceProperties<FluxgateWorkersProperties.Settings> {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.workers";

    /** Creates empty properties. */
    public FluxgateWorkersProperties() {
        super(PREFIX, FluxgateWorkers::check);
    }

    /** The settings of one worker pool or shared config; every one is optional. */
    public static class Settings extends InstanceSettings {

        /** ORDERED (results in input order), UNORDERED (as they complete) or ADAPTIVE (the limit on calls in flight from observed latency, unordered) (default ORDERED). */
        private FluxgateWorkers.@Nullable Mode mode;

        /** Calls in flight at once per stream in ORDERED and UNORDERED mode, at least 1 (Resilience4j: max-concurrent-calls; default 16). */
        private @Nullable Integer maxInFlight;

        /** Lowest limit on calls in flight ADAPTIVE mode goes down to, at least 1 (default 1). */
        private @Nullable Integer minLimit;

        /** Highest limit on calls in flight ADAPTIVE mode goes up to (default 200). */
        private @Nullable Integer maxLimit;

        /** Limit on calls in flight ADAPTIVE mode starts with (default 20). */
        private @Nullable Integer initialLimit;

        /** Creates settings with nothing set. */
        public Settings() {
        }

        /** @return the mode, or null when unset */
        public FluxgateWorkers.@Nullable Mode getMode() {
            return mode;
        }

        /** @param v the mode */
        public void setMode(FluxgateWorkers.@Nullable Mode v) {
            this.mode = v;
        }

        /** @return the calls in flight at once, or null when unset */
        public @Nullable Integer getMaxInFlight() {
            return maxInFlight;
        }

        /** @param v the calls in flight at once */
        public void setMaxInFlight(@Nullable Integer v) {
            this.maxInFlight = v;
        }

        /** @return the adaptive lower bound, or null when unset */
        public @Nullable Integer getMinLimit() {
            return minLimit;
        }

        /** @param v the adaptive lower bound */
        public void setMinLimit(@Nullable Integer v) {
            this.minLimit = v;
        }

        /** @return the adaptive upper bound, or null when unset */
        public @Nullable Integer getMaxLimit() {
            return maxLimit;
        }

        /** @param v the adaptive upper bound */
        public void setMaxLimit(@Nullable Integer v) {
            this.maxLimit = v;
        }

        /** @return the adaptive start, or null when unset */
        public @Nullable Integer getInitialLimit() {
            return initialLimit;
        }

        /** @param v the adaptive start */
        public void setInitialLimit(@Nullable Integer v) {
            this.initialLimit = v;
        }

    }
}
