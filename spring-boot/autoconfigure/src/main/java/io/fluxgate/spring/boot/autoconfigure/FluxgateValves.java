package io.fluxgate.spring.boot.autoconfigure;

import java.util.Map;

import io.fluxgate.valve.Valve;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The application's valves, configured by {@code fluxgate.valve.*} ({@link FluxgateValveProperties}): named on/off
 * switches, paused and resumed by the application or through {@code POST /actuator/fluxgate/valves/<name>}.
 *
 * <pre>{@code
 * rows.transform(valves.valve("ingest").gate())
 * }</pre>
 *
 * <p>Meters: each valve is built with the application's {@code MeterRegistry} and named after its instance, so
 * core records its gauges {@value #PAUSED} (1 while paused) and {@value #SUBSCRIPTIONS} (streams gated), tagged
 * {@code name}.
 */
public class FluxgateValves {

    /** Core's gauge that is 1 while the valve is paused. */
    public static final String PAUSED = "fluxgate.valve.paused";
    /** Core's gauge of the streams the valve gates. */
    public static final String SUBSCRIPTIONS = "fluxgate.valve.subscriptions";

    private final FluxgateValveProperties properties;
    private final @Nullable MeterRegistry meterRegistry;
    private final Registry<Valve> valves;

    /**
     * Builds every configured valve.
     *
     * @param properties the bound {@code fluxgate.valve} properties
     * @param meterRegistry where the gauges go; null for none
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateValves(FluxgateValveProperties properties, @Nullable MeterRegistry meterRegistry) {
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.valves = new Registry<>(properties.getInstances().keySet(), this::create);
    }

    /**
     * The valve called {@code name}; from {@code configs.default} on first use when not configured.
     *
     * @param name the valve's name
     * @return the same valve for the same name
     * @throws IllegalArgumentException if the name is blank or the settings are invalid
     */
    public Valve valve(String name) {
        return valves.get(name);
    }

    /**
     * Every valve built so far, configured ones first.
     *
     * @return an unmodifiable snapshot by name
     */
    public Map<String, Valve> all() {
        return valves.all();
    }

    private Valve create(String name) {
        return build(properties.resolve(name), meterRegistry);
    }

    /** The resolved settings of instance {@code name}, for the endpoint. */
    Resolved<FluxgateValveProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    static void check(Resolved<FluxgateValveProperties.Settings> r) {
        build(r, null);
    }

    private static Valve build(Resolved<FluxgateValveProperties.Settings> r, @Nullable MeterRegistry meterRegistry) {
        Valve.Builder b = Valve.builder().name(r.name());
        if (meterRegistry != null) {
            b.meterRegistry(meterRegistry);
        }
        r.apply("max-in-flight", s -> s.getMaxInFlight(), b::maxInFlight);
        if (Boolean.TRUE.equals(r.get(s -> s.getStartPaused()))) {
            b.startPaused();
        }
        return b.build();
    }
}
