package io.fluxgate.spring.boot.autoconfigure;


import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Valves under {@code fluxgate.valve}: named on/off switches for streams, paused and resumed by the application or
 * through {@code POST /actuator/fluxgate/valves/<name>}. Settings in {@code configs.<name>} and
 * {@code instances.<name>}.
 */
@ConfigurationProperties(FluxgateValveProperties.PREFIX)
public class FluxgateValveProperties extends InstanceProperties<FluxgateValveProperties.Settings> {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.valve";

    /** Creates empty properties. */
    public FluxgateValveProperties() {
        super(PREFIX, FluxgateValves::check);
    }

    /** The settings of one valve or shared config; every one is optional. */
    public static class Settings extends InstanceSettings {

        /** Most elements requested upstream and not yet received per stream: how far a paused stream overruns (default 32). */
        private @Nullable Integer maxInFlight;

        /** Whether the valve starts paused (default false). */
        private @Nullable Boolean startPaused;

        /** Creates settings with nothing set. */
        public Settings() {
        }

        /** @return the in-flight bound, or null when unset */
        public @Nullable Integer getMaxInFlight() {
            return maxInFlight;
        }

        /** @param v the in-flight bound */
        public void setMaxInFlight(@Nullable Integer v) {
            this.maxInFlight = v;
        }

        /** @return whether the valve starts paused, or null when unset */
        public @Nullable Boolean getStartPaused() {
            return startPaused;
        }

        /** @param v whether the valve starts paused */
        public void setStartPaused(@Nullable Boolean v) {
            this.startPaused = v;
        }

    }
}
