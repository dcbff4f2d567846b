package io.fluxgate.spring.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the properties of every kind ({@code fluxgate.circuitbreaker}, {@code fluxgate.retry}, ...) have: named shared
 * configurations in {@code configs.<name>} ({@code configs.default} for all) and the instances in
 * {@code instances.<name>}, each resolved along its chain of configs and validated at bind time.
 *
 * @param <S> the settings type of the kind
 */
abstract class InstanceProperties<S extends InstanceSettings> extends SelfValidating {

    private final String prefix;
    private final Consumer<Resolved<S>> check;

    /** Named shared configurations; {@code default} applies to every instance. */
    private Map<String, S> configs = new LinkedHashMap<>();

    /** The instances, by name. */
    private Map<String, S> instances = new LinkedHashMap<>();

    /**
     * @param prefix the kind's properties prefix
     * @param check builds the core configuration of a resolved instance or config; throws
     *     {@link IllegalArgumentException} naming the property for a bad value
     */
    InstanceProperties(String prefix, Consumer<Resolved<S>> check) {
        this.prefix = prefix;
        this.check = check;
    }

    /**
     * The named shared configurations.
     *
     * @return a mutable map, by config name
     */
    public Map<String, S> getConfigs() {
        return configs;
    }

    /**
     * Replaces the named shared configurations.
     *
     * @param configs by config name
     */
    public void setConfigs(Map<String, S> configs) {
        this.configs = configs;
    }

    /**
     * The configured instances.
     *
     * @return a mutable map, by instance name
     */
    public Map<String, S> getInstances() {
        return instances;
    }

    /**
     * Replaces the configured instances.
     *
     * @param instances by instance name
     */
    public void setInstances(Map<String, S> instances) {
        this.instances = instances;
    }

    /** The settings of instance {@code name} (configured or not), resolved along its chain of configs. */
    Resolved<S> resolve(String name) {
        return Resolved.of(prefix, configs, instances, name);
    }

    @Override
    List<String> problems() {
        return check(prefix, configs, instances, check);
    }
}
