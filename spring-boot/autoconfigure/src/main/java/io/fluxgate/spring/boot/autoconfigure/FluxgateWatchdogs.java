package io.fluxgate.spring.boot.autoconfigure;

import java.util.List;
import java.util.Map;

import io.fluxgate.heartbeat.StallWatchdog;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The application's stall watchdogs, configured by {@code fluxgate.watchdog.*} ({@link FluxgateWatchdogProperties}),
 * each with the application's {@code MeterRegistry} ({@code fluxgate.watchdog.inflight}, {@code .stalled},
 * {@code .stalls}, ..., tagged {@code name}) and in the {@code stallWatchdog} health component.
 *
 * <pre>{@code
 * rows.transform(watchdogs.watchdog("enrich").watch(f -> f.flatMap(this::enrich, 8)))
 * }</pre>
 */
public class FluxgateWatchdogs {

    private final FluxgateWatchdogProperties properties;
    private final @Nullable MeterRegistry meterRegistry;
    private final List<StallWatchdogCustomizer> customizers;
    private final Registry<StallWatchdog> watchdogs;

    /**
     * Builds every configured watchdog.
     *
     * @param properties the bound {@code fluxgate.watchdog} properties
     * @param meterRegistry where the meters go; null for none
     * @param customizers applied to the builder of the watchdog they name, after the properties
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateWatchdogs(FluxgateWatchdogProperties properties, @Nullable MeterRegistry meterRegistry,
                             List<StallWatchdogCustomizer> customizers) {
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.customizers = List.copyOf(customizers);
        this.watchdogs = new Registry<>(properties.getInstances().keySet(), this::create);
    }

    /**
     * The watchdog of stage {@code name}; from {@code configs.default} on first use when not configured.
     *
     * @param name the stage's name, reported in health, meters and {@code StageStalledException}
     * @return the same watchdog for the same name
     * @throws IllegalArgumentException if the name is blank or the settings are invalid
     */
    public StallWatchdog watchdog(String name) {
        return watchdogs.get(name);
    }

    /**
     * Every watchdog built so far, configured ones first.
     *
     * @return an unmodifiable snapshot by name
     */
    public Map<String, StallWatchdog> all() {
        return watchdogs.all();
    }

    /**
     * Whether stage {@code name} is part of the health component.
     *
     * @param name a stage name
     * @return the resolved {@code register-health-indicator}, true by default
     */
    public boolean inHealth(String name) {
        return properties.resolve(name).get(s -> s.getRegisterHealthIndicator(), Boolean.TRUE);
    }

    private StallWatchdog create(String name) {
        Resolved<FluxgateWatchdogProperties.Settings> r = properties.resolve(name);
        StallWatchdog.Builder b = builder(r);
        if (meterRegistry != null) {
            b.meterRegistry(meterRegistry);
        }
        for (StallWatchdogCustomizer c : customizers) {
            if (c.name().equals(name)) {
                c.customize(b);
            }
        }
        return r.build(FluxgateWatchdogProperties.PREFIX, b::build);
    }

    /** The resolved settings of instance {@code name}, for the endpoint. */
    Resolved<FluxgateWatchdogProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    static void check(Resolved<FluxgateWatchdogProperties.Settings> r) {
        StallWatchdog.Builder b = builder(r);
        r.build(FluxgateWatchdogProperties.PREFIX, b::build);
    }

    private static StallWatchdog.Builder builder(Resolved<FluxgateWatchdogProperties.Settings> r) {
        StallWatchdog.Builder b = StallWatchdog.builder().name(r.name());
        r.apply("stall-after", s -> s.getStallAfter(), b::stallAfter);
        r.apply("fail-after", s -> s.getFailAfter(), b::failAfter);
        r.apply("check-every", s -> s.getCheckEvery(), b::checkEvery);
        return b;
    }
}
