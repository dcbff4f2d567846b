package io.fluxgate.spring.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.breaker.CircuitBreakerMetrics;
import io.fluxgate.breaker.CircuitBreakerState;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health component {@code circuitBreakers}: one entry per breaker (unless {@code register-health-indicator: false})
 * with its status, state and window, as Resilience4j's indicator of that name. CLOSED, DISABLED and METRICS_ONLY are
 * UP; OPEN and FORCED_OPEN are {@value #CIRCUIT_OPEN} and HALF_OPEN {@value #CIRCUIT_HALF_OPEN} (statuses the
 * application's aggregate ignores), or DOWN and UNKNOWN with {@code allow-health-indicator-to-fail: true}, or the
 * breaker's {@code open-health-status}. The component's own status is the worst of its breakers': DOWN, then
 * OUT_OF_SERVICE, then any other non-UP status, then UP.
 */
public class CircuitBreakersHealthIndicator implements HealthIndicator {

    /** Status of an open breaker that may not fail the application's health. */
    public static final String CIRCUIT_OPEN = "CIRCUIT_OPEN";
    /** Status of a half-open breaker that may not fail the application's health. */
    public static final String CIRCUIT_HALF_OPEN = "CIRCUIT_HALF_OPEN";

    private final FluxgateCircuitBreakers breakers;

    /**
     * An indicator over every breaker of the registry, those created later included.
     *
     * @param breakers the registry
     */
    public CircuitBreakersHealthIndicator(FluxgateCircuitBreakers breakers) {
        this.breakers = breakers;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        List<Status> statuses = new java.util.ArrayList<>();
        breakers.all().forEach((name, b) -> {
            Resolved<FluxgateCircuitBreakerProperties.Settings> r = breakers.resolved(name);
            if (!r.get(s -> s.getRegisterHealthIndicator(), Boolean.TRUE)) {
                return;
            }
            CircuitBreaker cb = b.circuitBreaker();
            Status status = status(cb.state(), r.get(s -> s.getAllowHealthIndicatorToFail(), Boolean.FALSE),
                    r.get(s -> s.getOpenHealthStatus()));
            statuses.add(status);
            CircuitBreakerMetrics m = cb.metrics();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("status", status.getCode());
            d.put("state", cb.state().name());
            d.put("failureRate", m.failureRate() + "%");
            d.put("failureRateThreshold", cb.config().failureRateThreshold() + "%");
            d.put("slowCallRate", m.slowCallRate() + "%");
            d.put("slowCallRateThreshold", cb.config().slowCallRateThreshold() + "%");
            d.put("bufferedCalls", m.bufferedCalls());
            d.put("failedCalls", m.failedCalls());
            d.put("slowCalls", m.slowCalls());
            d.put("notPermittedCalls", m.notPermittedCalls());
            details.put(name, d);
        });
        return Health.status(worst(statuses)).withDetails(details).build();
    }

    static Status status(CircuitBreakerState state, boolean allowToFail, @Nullable String openStatus) {
        return switch (state) {
            case OPEN, FORCED_OPEN -> openStatus != null ? new Status(openStatus)
                    : allowToFail ? Status.DOWN : new Status(CIRCUIT_OPEN);
            case HALF_OPEN -> allowToFail ? Status.UNKNOWN : new Status(CIRCUIT_HALF_OPEN);
            case CLOSED, DISABLED, METRICS_ONLY -> Status.UP;
        };
    }

    static Status worst(List<Status> statuses) {
        Status worst = Status.UP;
        int rank = 0;
        for (Status s : statuses) {
            int r = s.equals(Status.DOWN) ? 4 : s.equals(Status.OUT_OF_SERVICE) ? 3
                    : s.equals(Status.UP) ? 0 : s.equals(Status.UNKNOWN) ? 1 : 2;
            if (r > rank) {
                rank = r;
                worst = s;
            }
        }
        return worst;
    }
}
