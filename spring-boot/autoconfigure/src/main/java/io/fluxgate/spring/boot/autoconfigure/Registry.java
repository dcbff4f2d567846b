package io.fluxgate.spring.boot.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One instance per name: the configured ones built at start-up, others on first use from {@code configs.default}.
 *
 * @param <I> the instance type
 */
final class Registry<I> {

    private final Iterable<String> configured;
    private final Function<String, I> create;
    private final Map<String, I> instances = new ConcurrentHashMap<>();

    Registry(Iterable<String> configured, Function<String, I> create) {
        this.configured = configured;
        this.create = create;
        configured.forEach(this::get);
    }

    I get(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        I existing = instances.get(name);
        return existing != null ? existing : instances.computeIfAbsent(name, create);
    }

    /** The configured instances first, in configuration order, then the others. */
    Map<String, I> all() {
        Map<String, I> out = new LinkedHashMap<>();
        configured.forEach(n -> out.put(n, instances.get(n)));
        instances.forEach(out::putIfAbsent);
        return Collections.unmodifiableMap(out);
    }
}
