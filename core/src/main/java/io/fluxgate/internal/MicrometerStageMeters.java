package io.fluxgate.internal;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@link StageMeters} over a Micrometer registry: {@code fluxgate.<operator>.<measure>} tagged
 * {@code name=<stage>}. Loaded only when a user passes a registry. Internal: not part of the API.
 */
public final class MicrometerStageMeters implements StageMeters {

    /** Prefix of every meter of every operator (except the circuit breaker, which keeps Resilience4j's names). */
    public static final String PREFIX = "fluxgate.";

    private final MeterRegistry registry;
    private final String operator;
    private final String name;

    private MicrometerStageMeters(MeterRegistry registry, String operator, String name) {
        this.registry = registry;
        this.operator = operator;
        this.name = name;
    }

    /**
     * @param registry where the meters go; null for none
     * @param operator the operator's part of the meter names, e.g. {@code retry}
     * @param name     the stage name, the {@code name} tag
     * @return meters for the stage, or {@link StageMeters#NONE} without a registry
     */
    public static StageMeters of(MeterRegistry registry, String operator, String name) {
        return new MicrometerStageMeters(Objects.requireNonNull(registry, "registry"), operator, name);
    }

    private String meter(String measure) {
        return PREFIX + operator + "." + measure;
    }

    @Override
    public Runnable counter(String measure, String description) {
        Counter c = Counter.builder(meter(measure)).description(description).tag("name", name).register(registry);
        return c::increment;
    }

    @Override
    public LongConsumer amount(String measure, String description) {
        Counter c = Counter.builder(meter(measure)).description(description).tag("name", name).register(registry);
        return c::increment;
    }

    @Override
    public LongConsumer timer(String measure, String description) {
        Timer t = Timer.builder(meter(measure)).description(description).tag("name", name).register(registry);
        return nanos -> t.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void gauge(String measure, String description, Supplier<? extends Number> value) {
        Gauge.builder(meter(measure), value, v -> v.get().doubleValue()).description(description).tag("name", name)
                .strongReference(true).register(registry);
    }
}
