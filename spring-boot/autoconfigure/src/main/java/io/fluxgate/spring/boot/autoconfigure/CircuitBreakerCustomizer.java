package io.fluxgate.spring.boot.autoconfigure;

import java.util.Objects;
import java.util.function.Consumer;

import io.fluxgate.breaker.CircuitBreakerConfig;

/**
 * A bean that adjusts the configuration of one breaker after the properties were applied, for what properties cannot
 * say (an exception predicate), as Resilience4j's {@code CircuitBreakerConfigCustomizer}.
 */
public interface CircuitBreakerCustomizer {

    /**
     * The breaker this customizes.
     *
     * @return a breaker name
     */
    String name();

    /**
     * Adjusts the configuration builder.
     *
     * @param builder the builder, with the properties' settings applied
     */
    void customize(CircuitBreakerConfig.Builder builder);

    /**
     * A customizer of breaker {@code name}.
     *
     * @param name the breaker name
     * @param customizer adjusts its configuration builder
     * @return the customizer
     */
    static CircuitBreakerCustomizer of(String name, Consumer<CircuitBreakerConfig.Builder> customizer) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(customizer, "customizer");
        return new CircuitBreakerCustomizer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void customize(CircuitBreakerConfig.Builder builder) {
                customizer.accept(builder);
            }
        };
    }
}
