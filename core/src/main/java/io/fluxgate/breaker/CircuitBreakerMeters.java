package io.fluxgate.breaker;

import io.fluxgate.breaker.internal.StateMachine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters with Resilience4j's names, tags and types ({@code TaggedCircuitBreakerMetrics} of 2.3), so
 * dashboards built for Resilience4j work unchanged; plus our in-flight gauges under the same prefix.
 * {@code Resilience4jMetersParityTest} checks ids and values against Resilience4j's own registry output.
 */
final class CircuitBreakerMeters {
    static final String PREFIX = "resilience4j.circuitbreaker";
    static final String STATE = PREFIX + ".state";
    static final String CALLS = PREFIX + ".calls";
    static final String NOT_PERMITTED_CALLS = PREFIX + ".not.permitted.calls";
    static final String BUFFERED_CALLS = PREFIX + ".buffered.calls";
    static final String SLOW_CALLS = PREFIX + ".slow.calls";
    static final String FAILURE_RATE = PREFIX + ".failure.rate";
    static final String SLOW_CALL_RATE = PREFIX + ".slow.call.rate";
    static final String IN_FLIGHT_CALLS = PREFIX + ".in.flight.calls";

    private final Timer successful;
    private final Timer failed;
    private final Timer ignored;

    CircuitBreakerMeters(MeterRegistry registry, String name, StateMachine sm) {
        Tags tags = Tags.of("name", name);
        for (CircuitBreakerState s : CircuitBreakerState.values()) {
            Gauge.builder(STATE, sm, m -> m.state() == s ? 1 : 0)
                    .description("The states of the circuit breaker")
                    .tags(tags).tag("state", s.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        gauge(registry, BUFFERED_CALLS, "The number of buffered failed calls stored in the ring buffer",
                tags.and("kind", "failed"), sm, m -> m.metrics().failedCalls());
        gauge(registry, BUFFERED_CALLS, "The number of buffered successful calls stored in the ring buffer",
                tags.and("kind", "successful"), sm, m -> m.metrics().successfulCalls());
        gauge(registry, SLOW_CALLS, "The number of slow successful which were slower than a certain threshold",
                tags.and("kind", "successful"), sm, m -> m.metrics().slowSuccessfulCalls());
        gauge(registry, SLOW_CALLS, "The number of slow failed calls which were slower than a certain threshold",
                tags.and("kind", "failed"), sm, m -> m.metrics().slowFailedCalls());
        gauge(registry, FAILURE_RATE, "The failure rate of the circuit breaker", tags, sm,
                m -> m.metrics().failureRate());
        gauge(registry, SLOW_CALL_RATE, "The slow call of the circuit breaker", tags, sm,
                m -> m.metrics().slowCallRate());
        gauge(registry, IN_FLIGHT_CALLS, "Calls in flight", tags.and("kind", "all"), sm,
                m -> m.inFlightCalls());
        gauge(registry, IN_FLIGHT_CALLS, "Calls in flight already slower than the slow-call threshold",
                tags.and("kind", "slow"), sm, m -> m.metrics().slowInFlightCalls());
        FunctionCounter.builder(NOT_PERMITTED_CALLS, sm, StateMachine::notPermittedCalls)
                .description("Total number of not permitted calls")
                .tags(tags).tag("kind", "not_permitted")
                .register(registry);
        successful = timer(registry, tags, "successful", "Total number of successful calls");
        failed = timer(registry, tags, "failed", "Total number of failed calls");
        ignored = timer(registry, tags, "ignored", "Total number of calls which failed but the exception was ignored");
    }

    private static void gauge(MeterRegistry registry, String name, String description, Tags tags, StateMachine sm,
                              ToDoubleFunction<StateMachine> f) {
        Gauge.builder(name, sm, f).description(description).tags(tags).register(registry);
    }

    private static Timer timer(MeterRegistry registry, Tags tags, String kind, String description) {
        return Timer.builder(CALLS).description(description).tags(tags).tag("kind", kind).register(registry);
    }

    void onCall(int kind, long elapsedNanos) {
        switch (kind) {
            case StateMachine.SUCCESS -> successful.record(elapsedNanos, TimeUnit.NANOSECONDS);
            case StateMachine.ERROR -> failed.record(elapsedNanos, TimeUnit.NANOSECONDS);
            case StateMachine.IGNORED -> ignored.record(elapsedNanos, TimeUnit.NANOSECONDS);
            default -> {
            }
        }
    }
}
