package io.fluxgate.spring.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Valves under {@code fluxgate.valve}: named on/off switches for streams, paused and resumed by the application or
 * through {@code POST /actuator/fluxgate/valves/<name>}. Settings in {@code configs.<name>} and
 * {@code instances.<name>}.
 */
@ConfigurationProperties(FluxgateValveProperties.PREFIX)
public class FluxgateValveProperties extends SelfValidating {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.valve";

    /** Named shared configurations; {@code default} applies to every instance. */
    private Map<String, Settings> configs = new LinkedHashMap<>();

    /** The valves, by name; each is built at start-up. */
    private Map<String, Settings> instances = new LinkedHashMap<>();

    /** Creates empty properties. */
    public FluxgateValveProperties() {
    }

    /**
     * The named shared configurations.
     *
     * @return a mutable map, by config name
     */
    public Map<String, Settings> getConfigs() {
        return configs;
    }

    /**
     * Replaces the named shared configurations.
     *
     * @param configs by config name
     */
    public void setConfigs(Map<String, Settings> configs) {
        this.configs = configs;
    }

    /**
     * The configured instances.
     *
     * @return a mutable map, by instance name
     */
    public Map<String, Settings> getInstances() {
        return instances;
    }

    /**
     * Replaces the configured instances.
     *
     * @param instances by instance name
     */
    public void setInstances(Map<String, Settings> instances) {
        this.instances = instances;
    }

    /** The settings of instance {@code name}, resolved along its chain of configs. */
    Resolved<Settings> resolve(String name) {
        return Resolved.of(PREFIX, configs, instances, name);
    }

    @Override
    List<String> problems() {
        return check(PREFIX, configs, instances, FluxgateValves::check);
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
