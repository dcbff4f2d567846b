package io.fluxgate.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Our breaker's meters against Resilience4j's own {@code TaggedCircuitBreakerMetrics}, each in its registry, driven
 * through the same calls: every meter Resilience4j publishes exists in ours with the same name, tags and type and,
 * after the same calls, the same value. So a dashboard or alert written for Resilience4j (for example on
 * {@code resilience4j_circuitbreaker_not_permitted_calls_total}) reads ours unchanged. Ours adds only the in-flight
 * gauges, under the same prefix.
 */
class Resilience4jMetersParityTest {

    private static final String IN_FLIGHT = "resilience4j.circuitbreaker.in.flight.calls";

    @Test
    void sameMeterIdsAsResilience4j() {
        SimpleMeterRegistry theirs = new SimpleMeterRegistry();
        CircuitBreakerRegistry r4j = CircuitBreakerRegistry.of(r4jConfig());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(r4j).bindTo(theirs);
        r4j.circuitBreaker("backend");

        SimpleMeterRegistry ours = new SimpleMeterRegistry();
        CircuitBreaker.builder().name("backend").config(EventsAndMetersTest.config()).meterRegistry(ours).build();

        Map<String, String> theirIds = ids(theirs);
        Map<String, String> ourIds = ids(ours);
        assertThat(ourIds).containsAllEntriesOf(theirIds);
        Set<String> extra = ourIds.keySet().stream().filter(id -> !theirIds.containsKey(id)).collect(Collectors.toSet());
        assertThat(extra).allSatisfy(id -> assertThat(id).startsWith(IN_FLIGHT));
    }

    @Test
    void sameValuesAfterTheSameCalls() {
        SimpleMeterRegistry theirs = new SimpleMeterRegistry();
        CircuitBreakerRegistry r4j = CircuitBreakerRegistry.of(r4jConfig());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(r4j).bindTo(theirs);
        io.github.resilience4j.circuitbreaker.CircuitBreaker cb = r4j.circuitBreaker("backend");
        // 2 successes, 2 failures: OPEN at 50 %; then 3 calls refused
        for (int i = 0; i < 2; i++) {
            assertThat(cb.tryAcquirePermission()).isTrue();
            cb.onSuccess(1, TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(cb.tryAcquirePermission()).isTrue();
            cb.onError(1, TimeUnit.MILLISECONDS, new IOException("down"));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(cb.tryAcquirePermission()).isFalse();
        }

        SimpleMeterRegistry ours = new SimpleMeterRegistry();
        CircuitBreaker b = CircuitBreaker.builder().name("backend").config(EventsAndMetersTest.config()).meterRegistry(ours)
                .build();
        EventsAndMetersTest.run(b, 2, 2, 0, 3);

        Map<String, Double> theirValues = values(theirs);
        Map<String, Double> ourValues = values(ours);
        assertThat(theirValues).isNotEmpty();
        theirValues.forEach((id, value) -> assertThat(ourValues.get(id)).as(id).isEqualTo(value));
    }

    private static io.github.resilience4j.circuitbreaker.CircuitBreakerConfig r4jConfig() {
        return io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                .slidingWindowSize(4).minimumNumberOfCalls(4)
                .ignoreExceptions(IllegalArgumentException.class).build();
    }

    /** Meter id (name and sorted tags) to its type. */
    private static Map<String, String> ids(SimpleMeterRegistry registry) {
        Map<String, String> out = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            out.put(key(m), m.getId().getType().name());
        }
        return out;
    }

    /** Meter id to its value: a gauge's value, a counter's count, a timer's count. */
    private static Map<String, Double> values(SimpleMeterRegistry registry) {
        Map<String, Double> out = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            double v;
            if (m instanceof Gauge g) {
                v = g.value();
            } else if (m instanceof FunctionCounter c) {
                v = c.count();
            } else if (m instanceof io.micrometer.core.instrument.Counter c) {
                v = c.count();
            } else if (m instanceof Timer t) {
                v = t.count();
            } else {
                continue;
            }
            out.put(key(m), v);
        }
        return out;
    }

    private static String key(Meter m) {
        return m.getId().getName() + m.getId().getTags().stream()
                .map(t -> t.getKey() + "=" + t.getValue()).sorted().collect(Collectors.joining(",", "{", "}"));
    }
}
