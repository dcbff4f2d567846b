package io.fluxgate.examples.dashboard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fluxgate.heartbeat.StageHealth;
import io.fluxgate.heartbeat.StallWatchdog;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code /actuator/health} component {@code stallWatchdog}: DOWN while a watched stage of the windows pipeline is
 * stalled or was failed by its watchdog, with each stage's {@link StageHealth} as details.
 */
final class StallWatchdogHealthIndicator implements HealthIndicator {

    private final List<StallWatchdog> watchdogs;

    StallWatchdogHealthIndicator(List<StallWatchdog> watchdogs) {
        this.watchdogs = List.copyOf(watchdogs);
    }

    @Override
    public Health health() {
        boolean healthy = true;
        Map<String, Object> stages = new LinkedHashMap<>();
        for (StallWatchdog w : watchdogs) {
            StageHealth h = w.health();
            healthy &= h.isHealthy();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("status", h.status().name());
            d.put("inFlight", h.inFlight());
            d.put("oldestInFlightAge", h.oldestInFlightAge().toString());
            d.put("stalledFor", h.stalledFor().toString());
            d.put("inputs", h.inputs());
            d.put("outputs", h.outputs());
            d.put("stalls", w.stalls());
            stages.put(h.stage(), d);
        }
        return (healthy ? Health.up() : Health.down()).withDetails(stages).build();
    }
}
