package io.fluxgate.spring.boot.autoconfigure;

import java.util.Objects;
import java.util.function.Consumer;

import io.fluxgate.heartbeat.StallWatchdog;

/**
 * A bean that adjusts the builder of one watchdog after the properties were applied, for what properties cannot
 * say (a listener, a scheduler, a threshold computed from other settings), as Resilience4j's config customizers.
 */
public interface StallWatchdogCustomizer {

    /**
     * The watchdog this customizes.
     *
     * @return a stage name
     */
    String name();

    /**
     * Adjusts the builder.
     *
     * @param builder the builder, with the properties' settings and the meter registry applied
     */
    void customize(StallWatchdog.Builder builder);

    /**
     * A customizer of watchdog {@code name}.
     *
     * @param name the stage name
     * @param customizer adjusts its builder
     * @return the customizer
     */
    static StallWatchdogCustomizer of(String name, Consumer<StallWatchdog.Builder> customizer) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(customizer, "customizer");
        return new StallWatchdogCustomizer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void customize(StallWatchdog.Builder builder) {
                customizer.accept(builder);
            }
        };
    }
}
