package io.fluxgate.aggregate.internal;

import java.util.EnumMap;
import java.util.Locale;
import java.util.function.Consumer;

import io.fluxgate.aggregate.AggregateStats.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Micrometer counters of an aggregate operator: {@value #EVENTS} tagged {@code name} and {@code event} (a
 * {@link Counter} in lower case). Only constructed when the user passed a registry. Not API.
 */
public final class AggregateMeters implements Consumer<Counter> {

    public static final String EVENTS = "fluxgate.aggregate.events";

    private final EnumMap<Counter, io.micrometer.core.instrument.Counter> meters = new EnumMap<>(Counter.class);

    public AggregateMeters(MeterRegistry registry, String name) {
        for (Counter c : Counter.values()) {
            meters.put(c, io.micrometer.core.instrument.Counter.builder(EVENTS)
                    .tag("name", name).tag("event", c.name().toLowerCase(Locale.ROOT))
                    .description("parts and groups of an aggregate operator, by what happened to them")
                    .register(registry));
        }
    }

    @Override
    public void accept(Counter c) {
        meters.get(c).increment();
    }
}
