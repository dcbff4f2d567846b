package io.fluxgate.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The settings of one instance as a chain: the instance itself, its {@code base-config}, that config's base, ...,
 * {@code configs.default}. A setting is taken from the first link that sets it, and handed to the core builder
 * under the full property name of that link, so a value the builder refuses fails with the name a user can find in
 * {@code application.yml}.
 *
 * @param <S> the settings type of the kind
 */
final class Resolved<S extends InstanceSettings> {

    static final String DEFAULT = "default";

    private record Link<S>(String path, S settings) {
    }

    private final String name;
    private final List<Link<S>> chain;
    private final boolean configOnly;

    private Resolved(String name, List<Link<S>> chain, boolean configOnly) {
        this.name = name;
        this.chain = chain;
        this.configOnly = configOnly;
    }

    /**
     * The chain of instance {@code name} under {@code prefix} (e.g. {@code fluxgate.circuitbreaker}); an instance not
     * configured gets the default chain.
     *
     * @throws IllegalArgumentException if a {@code base-config} names a config that does not exist, or configs
     *     inherit from each other in a cycle
     */
    static <S extends InstanceSettings> Resolved<S> of(String prefix, Map<String, S> configs, Map<String, S> instances,
                                                       String name) {
        List<Link<S>> chain = new ArrayList<>();
        S instance = instances.get(name);
        String next = DEFAULT;
        String from = null;
        if (instance != null) {
            chain.add(new Link<>(prefix + ".instances." + name, instance));
            if (instance.getBaseConfig() != null) {
                next = instance.getBaseConfig();
                from = prefix + ".instances." + name + ".base-config";
            }
        }
        follow(prefix, configs, next, from, chain);
        return new Resolved<>(name, List.copyOf(chain), false);
    }

    /** The chain of config {@code config} on its own, to check it even when no instance uses it. */
    static <S extends InstanceSettings> Resolved<S> ofConfig(String prefix, Map<String, S> configs, String config) {
        List<Link<S>> chain = new ArrayList<>();
        follow(prefix, configs, config, null, chain);
        return new Resolved<>(config, List.copyOf(chain), true);
    }

    private static <S extends InstanceSettings> void follow(String prefix, Map<String, S> configs, @Nullable String next,
                                                            @Nullable String from, List<Link<S>> chain) {
        Set<String> seen = new HashSet<>();
        while (next != null) {
            S config = configs.get(next);
            if (config == null) {
                if (from != null) {
                    throw new IllegalArgumentException(from + ": there is no " + prefix + ".configs." + next
                            + " (configs: " + configs.keySet() + ")");
                }
                return;
            }
            if (!seen.add(next)) {
                throw new IllegalArgumentException(prefix + ".configs." + next
                        + ".base-config: configs inherit from each other in a cycle " + seen);
            }
            chain.add(new Link<>(prefix + ".configs." + next, config));
            if (config.getBaseConfig() != null) {
                from = prefix + ".configs." + next + ".base-config";
                next = config.getBaseConfig();
            } else {
                from = null;
                next = DEFAULT.equals(next) ? null : DEFAULT;
            }
        }
    }

    /** Whether this is a shared config checked on its own: settings an instance must have may still be missing. */
    boolean configOnly() {
        return configOnly;
    }

    /** The instance name. */
    String name() {
        return name;
    }

    /** The first value set along the chain, or null. */
    <T> @Nullable T get(Function<S, @Nullable T> getter) {
        for (Link<S> l : chain) {
            T v = getter.apply(l.settings());
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The first value set along the chain, or {@code fallback}. */
    <T> T get(Function<S, @Nullable T> getter, T fallback) {
        T v = get(getter);
        return v != null ? v : fallback;
    }

    /**
     * Hands the first value set along the chain (if any) to {@code setter}; an {@link IllegalArgumentException} or
     * {@link NullPointerException} it throws comes back as an {@link IllegalArgumentException} naming the property.
     */
    <T> void apply(String property, Function<S, @Nullable T> getter, Consumer<T> setter) {
        for (Link<S> l : chain) {
            T v = getter.apply(l.settings());
            if (v != null) {
                try {
                    setter.accept(v);
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new IllegalArgumentException(l.path() + "." + property + ": " + e.getMessage(), e);
                }
                return;
            }
        }
    }

    /** Where {@code property} of this instance is (or would be) set: the first link setting it, else the instance. */
    String path(String property, Function<S, @Nullable Object> getter) {
        for (Link<S> l : chain) {
            if (getter.apply(l.settings()) != null) {
                return l.path() + "." + property;
            }
        }
        return chain.isEmpty() ? property : chain.get(0).path() + "." + property;
    }

    /**
     * Runs {@code build}; an {@link IllegalArgumentException} it throws that does not name a property yet (a
     * check across settings, in a core {@code build()}) is prefixed with the instance's path.
     */
    <T> T build(String prefix, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.startsWith(prefix + ".")) {
                throw e;
            }
            String where = chain.isEmpty() ? prefix + ".instances." + name : chain.get(0).path();
            throw new IllegalArgumentException(where + ": " + msg, e);
        }
    }
}
