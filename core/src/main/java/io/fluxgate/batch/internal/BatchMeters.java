package io.fluxgate.batch.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.control.LimitController;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import reactor.util.annotation.Nullable;

/**
 * Micrometer meters of one adaptive-batch subscription. Gauges read the live controller and in-flight counter and
 * are removed when the subscription ends, so a finished pipeline does not pin its state in the registry.
 */
public final class BatchMeters {

    public static final String TARGET_SIZE = "fluxgate.batch.target.size";
    public static final String BATCH_SIZE = "fluxgate.batch.size";
    public static final String BATCH_LATENCY = "fluxgate.batch.latency";
    public static final String IN_FLIGHT = "fluxgate.batch.inflight";

    @Nullable
    private final MeterRegistry registry;
    @Nullable
    private final Gauge target;
    @Nullable
    private final Gauge inFlightGauge;
    @Nullable
    private final DistributionSummary sizes;
    @Nullable
    private final Timer latency;

    public BatchMeters(@Nullable MeterRegistry registry, String name, LimitController controller, AtomicInteger inFlight) {
        this.registry = registry;
        if (registry == null) {
            target = null;
            inFlightGauge = null;
            sizes = null;
            latency = null;
            return;
        }
        Tags tags = Tags.of("name", name);
        target = Gauge.builder(TARGET_SIZE, controller, LimitController::limit).tags(tags)
                .description("batch size the controller currently aims for").strongReference(true).register(registry);
        inFlightGauge = Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get).tags(tags)
                .description("batches handed to the sink and not yet finished").strongReference(true).register(registry);
        sizes = DistributionSummary.builder(BATCH_SIZE).tags(tags).baseUnit("items")
                .description("items per batch handed to the sink").register(registry);
        latency = Timer.builder(BATCH_LATENCY).tags(tags)
                .description("time from subscribing to the sink's publisher for a batch to its termination").register(registry);
    }

    public void record(int size, long latencyNanos) {
        if (registry != null) {
            sizes.record(size);
            latency.record(latencyNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void close() {
        if (registry != null) {
            registry.remove(target);
            registry.remove(inFlightGauge);
        }
    }
}
