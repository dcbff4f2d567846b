package io.fluxgate.breaker;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EventsAndMetersTest {

    static CircuitBreakerConfig config() {
        return CircuitBreakerConfig.builder().slidingWindowSize(4).minimumNumberOfCalls(4)
                .ignoreExceptions(IllegalArgumentException.class).writableStackTraceEnabled(false).build();
    }

    static void run(CircuitBreaker b, int successes, int failures, int ignored, int extra) {
        Flux.range(0, successes + failures + ignored + extra)
                .transform(b.<Integer, Integer>protect(i -> {
                    if (i < successes) {
                        return Mono.just(i);
                    }
                    if (i < successes + failures) {
                        return Mono.error(new IOException("down"));
                    }
                    if (i < successes + failures + ignored) {
                        return Mono.error(new IllegalArgumentException("ignored"));
                    }
                    return Mono.just(i);
                }, (i, e) -> Mono.empty()))
                .blockLast();
    }

    @Test
    void metersUseResilience4jNamesAndTags() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CircuitBreaker b = CircuitBreaker.builder().name("backend").config(config()).meterRegistry(registry).build();
        run(b, 2, 2, 1, 3); // 2 ok, 2 failed -> OPEN at 50%; 1 refused... then 3 refused

        assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", "backend").tag("state", "open")
                .gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("resilience4j.circuitbreaker.state").tag("state", "closed").gauge().value()).isZero();
        assertThat(registry.get("resilience4j.circuitbreaker.calls").tag("kind", "successful").timer().count()).isEqualTo(2);
        assertThat(registry.get("resilience4j.circuitbreaker.calls").tag("kind", "failed").timer().count()).isEqualTo(2);
        assertThat(registry.get("resilience4j.circuitbreaker.calls").tag("kind", "ignored").timer().count()).isZero();
        assertThat(registry.get("resilience4j.circuitbreaker.not.permitted.calls").tag("kind", "not_permitted")
                .functionCounter().count()).isEqualTo(4);
        assertThat(registry.get("resilience4j.circuitbreaker.failure.rate").gauge().value()).isEqualTo(50.0);
        assertThat(registry.get("resilience4j.circuitbreaker.slow.call.rate").gauge().value()).isZero();
        assertThat(registry.get("resilience4j.circuitbreaker.buffered.calls").tag("kind", "failed").gauge().value()).isEqualTo(2);
        assertThat(registry.get("resilience4j.circuitbreaker.buffered.calls").tag("kind", "successful").gauge().value()).isEqualTo(2);
        assertThat(registry.get("resilience4j.circuitbreaker.slow.calls").tag("kind", "successful").gauge().value()).isZero();
        assertThat(registry.get("resilience4j.circuitbreaker.slow.calls").tag("kind", "failed").gauge().value()).isZero();
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("name")).isEqualTo("backend"));

        b.reset();
        run(b, 0, 0, 3, 0);
        assertThat(registry.get("resilience4j.circuitbreaker.calls").tag("kind", "ignored").timer().count()).isEqualTo(3);
    }

    @Test
    void noRegistryNoMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        run(CircuitBreaker.of("x", config()), 4, 0, 0, 0);
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void typedEventsFluentlyRegistered() {
        CircuitBreaker b = CircuitBreaker.of("x", config());
        List<CircuitBreakerEvent> all = new CopyOnWriteArrayList<>();
        List<CircuitBreakerEvent.StateTransition> transitions = new CopyOnWriteArrayList<>();
        AtomicInteger exceeded = new AtomicInteger();
        b.events().onEvent(all::add).onStateTransition(transitions::add)
                .onFailureRateExceeded(e -> exceeded.incrementAndGet());
        run(b, 2, 2, 1, 1);
        b.reset();
        assertThat(transitions).extracting(CircuitBreakerEvent.StateTransition::to)
                .containsExactly(CircuitBreakerState.OPEN, CircuitBreakerState.CLOSED);
        assertThat(exceeded).hasValue(1);
        assertThat(all).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                "Success", "Success", "Error", "Error", "FailureRateExceeded", "StateTransition",
                "CallNotPermitted", "CallNotPermitted", "StateTransition", "Reset");
        assertThat(all).allSatisfy(e -> assertThat(e.circuitBreakerName()).isEqualTo("x"));
        CircuitBreakerEvent.Error error = (CircuitBreakerEvent.Error) all.get(2);
        assertThat(error.error()).isInstanceOf(IOException.class);
    }

    @Test
    void listenerErrorsAreLoggedNotPropagated() {
        CircuitBreaker b = CircuitBreaker.of("x", config());
        AtomicInteger after = new AtomicInteger();
        b.events().onSuccess(e -> {
            throw new IllegalStateException("listener bug");
        }).onSuccess(e -> after.incrementAndGet());
        StepVerifier.create(Flux.range(1, 3).transform(b.<Integer, Integer>protect(Mono::just)))
                .expectNext(1, 2, 3).verifyComplete();
        assertThat(after).hasValue(3);
    }

    @Test
    void eventsAreOnlyBuiltForListenedTypes() {
        CircuitBreaker b = CircuitBreaker.of("x", config());
        assertThat(b.events().wantsCallEvents()).isFalse();
        assertThat(b.events().wants(CircuitBreakerEvent.StateTransition.class)).isFalse();
        Disposable d = b.events().listen(CircuitBreakerEvent.Success.class, e -> { });
        assertThat(b.events().wantsCallEvents()).isTrue();
        assertThat(b.events().wants(CircuitBreakerEvent.Error.class)).isFalse();
        d.dispose();
        assertThat(b.events().wantsCallEvents()).isFalse();
        b.events().onEvent(e -> { });
        assertThat(b.events().wants(CircuitBreakerEvent.Reset.class)).isTrue();
    }

    @Test
    void meterIdsAreStable() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CircuitBreaker.builder().name("a").meterRegistry(registry).build();
        assertThat(registry.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName).containsOnly(
                "resilience4j.circuitbreaker.state", "resilience4j.circuitbreaker.calls",
                "resilience4j.circuitbreaker.not.permitted.calls",
                "resilience4j.circuitbreaker.buffered.calls", "resilience4j.circuitbreaker.slow.calls",
                "resilience4j.circuitbreaker.failure.rate", "resilience4j.circuitbreaker.slow.call.rate",
                "resilience4j.circuitbreaker.in.flight.calls");
    }
}
