package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Stall watchdogs under {@code fluxgate.watchdog}: a stage that holds elements with demand outstanding and emits
 * nothing for {@code stall-after} is stalled (health DOWN, meters, events). Settings in {@code configs.<name>} and
 * {@code instances.<name>}.
 */
@ConfigurationProperties(FluxgateWatchdogProperties.PREFIX)
public class FluxgateWatchdogProperties extends InstanceProperties<FluxgateWatchdogProperties.Settings> {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.watchdog";

    /** Creates empty properties. */
    public FluxgateWatchdogProperties() {
        super(PREFIX, FluxgateWatchdogs::check);
    }

    /**
     * The stall threshold of watchdog {@code name} as configured: from the instance, its base config,
     * {@code configs.default}, or {@link io.fluxgate.heartbeat.StallWatchdog#DEFAULT_STALL_AFTER}; for a
     * {@link StallWatchdogCustomizer} that derives another threshold from it.
     *
     * @param name a stage name, configured or not
     * @return the resolved {@code stall-after}
     */
    public Duration stallAfter(String name) {
        return resolve(name).get(s -> s.getStallAfter(), io.fluxgate.heartbeat.StallWatchdog.DEFAULT_STALL_AFTER);
    }

    /** The settings of one watchdog or shared config; every one is optional. */
    public static class Settings extends InstanceSettings {

        /** How long a stage may hold elements with demand outstanding and emit nothing before it is stalled (default 30s). */
        private @Nullable Duration stallAfter;

        /** Stalled this long, the stage is cancelled and its stream fails with StageStalledException; unset: only observe. */
        private @Nullable Duration failAfter;

        /** Period of the stall check (default min(stall-after / 4, 1s)). */
        private @Nullable Duration checkEvery;

        /** Whether the stage is part of the stallWatchdog health component (default true). */
        private @Nullable Boolean registerHealthIndicator;

        /** Creates settings with nothing set. */
        public Settings() {
        }

        /** @return the stall threshold, or null when unset */
        public @Nullable Duration getStallAfter() {
            return stallAfter;
        }

        /** @param v the stall threshold */
        public void setStallAfter(@Nullable Duration v) {
            this.stallAfter = v;
        }

        /** @return the failure threshold, or null when unset */
        public @Nullable Duration getFailAfter() {
            return failAfter;
        }

        /** @param v the failure threshold */
        public void setFailAfter(@Nullable Duration v) {
            this.failAfter = v;
        }

        /** @return the check period, or null when unset */
        public @Nullable Duration getCheckEvery() {
            return checkEvery;
        }

        /** @param v the check period */
        public void setCheckEvery(@Nullable Duration v) {
            this.checkEvery = v;
        }

        /** @return whether the stage is in the health component, or null when unset */
        public @Nullable Boolean getRegisterHealthIndicator() {
            return registerHealthIndicator;
        }

        /** @param v whether the stage is in the health component */
        public void setRegisterHealthIndicator(@Nullable Boolean v) {
            this.registerHealthIndicator = v;
        }

    }
}
