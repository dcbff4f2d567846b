package io.fluxgate.spring.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fluxgate.heartbeat.StageHealth;
import io.fluxgate.heartbeat.StallWatchdog;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health component {@code stallWatchdog}: DOWN while a watched stage is stalled or was failed by its watchdog, with
 * each stage's {@link StageHealth} (status, in-flight count, ages, inputs, outputs, stalls) as details. Stages with
 * {@code register-health-indicator: false} are left out.
 */
public class StallWatchdogHealthIndicator implements HealthIndicator {

    private final FluxgateWatchdogs watchdogs;

    /**
     * An indicator over every watchdog of the registry, those created later included.
     *
     * @param watchdogs the registry
     */
    public StallWatchdogHealthIndicator(FluxgateWatchdogs watchdogs) {
        this.watchdogs = watchdogs;
    }

    @Override
    public Health health() {
        boolean healthy = true;
        Map<String, Object> stages = new LinkedHashMap<>();
        for (StallWatchdog w : watchdogs.all().values()) {
            if (!watchdogs.inHealth(w.stage())) {
                continue;
            }
            StageHealth h = w.health();
            healthy &= h.isHealthy();
            stages.put(h.stage(), details(w, h));
        }
        return (healthy ? Health.up() : Health.down()).withDetails(stages).build();
    }

    static Map<String, Object> details(StallWatchdog w, StageHealth h) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("status", h.status().name());
        d.put("inFlight", h.inFlight());
        d.put("oldestInFlightAge", h.oldestInFlightAge().toString());
        d.put("stalledFor", h.stalledFor().toString());
        d.put("inputs", h.inputs());
        d.put("outputs", h.outputs());
        d.put("stalls", w.stalls());
        return d;
    }
}
