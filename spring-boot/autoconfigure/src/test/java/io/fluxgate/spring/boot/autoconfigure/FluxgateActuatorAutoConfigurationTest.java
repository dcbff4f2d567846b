package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.Map;

import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.heartbeat.StallWatchdog;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Health components and the fluxgate endpoint: conditions, statuses, the write operation. */
class FluxgateActuatorAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FluxgateAutoConfiguration.class,
                    FluxgateHealthAutoConfiguration.class, FluxgateEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=fluxgate");

    @Test
    void healthIndicatorsAndTheEndpointAreThereAndCanBeTurnedOff() {
        runner.run(ctx -> assertThat(ctx).hasBean("circuitBreakersHealthIndicator")
                .hasBean("stallWatchdogHealthIndicator").hasSingleBean(FluxgateEndpoint.class));
        runner.withPropertyValues("management.health.circuitbreakers.enabled=false",
                        "management.health.stallwatchdog.enabled=false",
                        "management.endpoints.web.exposure.include=health")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(HealthIndicator.class)
                        .doesNotHaveBean(FluxgateEndpoint.class).hasSingleBean(FluxgateCircuitBreakers.class));
        // an application without Actuator: the registries alone
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class, Endpoint.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(HealthIndicator.class)
                        .doesNotHaveBean(FluxgateEndpoint.class).hasSingleBean(FluxgateWatchdogs.class));
        // the application's own indicator of that name wins
        runner.withBean("circuitBreakersHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build())
                .run(ctx -> assertThat(ctx.getBean("circuitBreakersHealthIndicator"))
                        .isNotInstanceOf(CircuitBreakersHealthIndicator.class));
    }

    @Test
    void anOpenBreakerIsCircuitOpenOrDownAsConfigured() {
        runner.withPropertyValues("fluxgate.circuitbreaker.instances.payments.wait-duration-in-open-state=1h",
                        "fluxgate.circuitbreaker.instances.search.allow-health-indicator-to-fail=true",
                        "fluxgate.circuitbreaker.instances.export.open-health-status=OUT_OF_SERVICE",
                        "fluxgate.circuitbreaker.instances.hidden.register-health-indicator=false")
                .run(ctx -> {
                    FluxgateCircuitBreakers breakers = ctx.getBean(FluxgateCircuitBreakers.class);
                    HealthIndicator health = ctx.getBean(CircuitBreakersHealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(health.health().getDetails()).containsOnlyKeys("payments", "search", "export");

                    breakers.breaker("payments").circuitBreaker().transitionToOpenState();
                    Health h = health.health();
                    assertThat(detail(h, "payments")).containsEntry("status", "CIRCUIT_OPEN").containsEntry("state", "OPEN");
                    assertThat(h.getStatus().getCode()).isEqualTo("CIRCUIT_OPEN");

                    breakers.breaker("export").circuitBreaker().transitionToForcedOpenState();
                    assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

                    breakers.breaker("search").circuitBreaker().transitionToOpenState();
                    h = health.health();
                    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(detail(h, "search")).containsEntry("status", "DOWN");

                    breakers.breaker("search").circuitBreaker().transitionToHalfOpenState();
                    assertThat(detail(health.health(), "search")).containsEntry("status", "UNKNOWN");
                    breakers.breaker("payments").circuitBreaker().transitionToHalfOpenState();
                    assertThat(detail(health.health(), "payments")).containsEntry("status", "CIRCUIT_HALF_OPEN");
                });
    }

    @Test
    void theWatchdogComponentIsDownWhileAStageIsStalled() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        try {
            runner.withPropertyValues("fluxgate.watchdog.configs.default.stall-after=10s",
                            "fluxgate.watchdog.instances.parse.stall-after=1m",
                            "fluxgate.watchdog.instances.windows.register-health-indicator=true")
                    .withBean("virtualTime", StallWatchdogCustomizer.class,
                            () -> StallWatchdogCustomizer.of("windows", b -> b.scheduler(time)))
                    .run(ctx -> {
                        StallWatchdog windows = ctx.getBean(FluxgateWatchdogs.class).watchdog("windows");
                        HealthIndicator health = ctx.getBean(StallWatchdogHealthIndicator.class);
                        Sinks.Many<Integer> in = Sinks.many().unicast().onBackpressureBuffer();
                        // takes elements and never emits, with demand outstanding: a stall after 10 s
                        Disposable running = in.asFlux().transform(windows.<Integer, Integer>watch(f -> f.filter(x -> false)))
                                .subscribe();
                        try {
                            in.tryEmitNext(1);
                            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                            time.advanceTimeBy(Duration.ofSeconds(12));
                            Health h = health.health();
                            assertThat(h.getStatus()).isEqualTo(Status.DOWN);
                            assertThat(detail(h, "windows")).containsEntry("status", "STALLED")
                                    .containsEntry("inFlight", 1L).containsEntry("stalls", 1L);
                            assertThat(detail(h, "parse")).containsEntry("status", "IDLE");
                        } finally {
                            running.dispose();
                        }
                        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    });
        } finally {
            time.dispose();
        }
    }

    @Test
    void theEndpointListsEveryInstanceAndForcesBreakersAndValves() {
        runner.withPropertyValues("fluxgate.circuitbreaker.instances.payments.sliding-window-size=10",
                        "fluxgate.ratelimiter.instances.partner.permits=50",
                        "fluxgate.ratelimiter.instances.partner.period=1s",
                        "fluxgate.workers.instances.enrich.mode=ADAPTIVE",
                        "fluxgate.workers.instances.enrich.max-limit=64",
                        "fluxgate.retry.instances.fetch.max-attempts=5",
                        "fluxgate.retry.instances.fetch.max-in-flight=4",
                        "fluxgate.watchdog.instances.parse.stall-after=45s",
                        "fluxgate.batch.instances.rows.max-size=500",
                        "fluxgate.valve.instances.ingest.max-in-flight=16")
                .run(ctx -> {
                    FluxgateEndpoint endpoint = ctx.getBean(FluxgateEndpoint.class);
                    Map<String, Map<String, Map<String, Object>>> all = endpoint.instances();
                    assertThat(all).containsOnlyKeys("circuitbreakers", "ratelimiters", "workers", "retries",
                            "watchdogs", "batches", "valves");
                    assertThat(all.get("circuitbreakers").get("payments")).containsEntry("state", "CLOSED");
                    assertThat(settings(all.get("circuitbreakers").get("payments")))
                            .containsEntry("slidingWindowSize", 10);
                    assertThat(settings(all.get("ratelimiters").get("partner"))).containsEntry("permits", 50)
                            .containsEntry("period", "PT1S").containsEntry("maxWait", "unbounded");
                    assertThat(settings(all.get("workers").get("enrich"))).containsEntry("mode", "ADAPTIVE")
                            .containsEntry("maxLimit", 64);
                    assertThat(settings(all.get("retries").get("fetch"))).containsEntry("maxAttempts", 5)
                            .containsEntry("maxInFlight", 4);
                    assertThat(all.get("watchdogs").get("parse")).containsEntry("status", "IDLE");
                    assertThat(settings(all.get("watchdogs").get("parse"))).containsEntry("stallAfter", "PT45S");
                    assertThat(settings(all.get("batches").get("rows"))).containsEntry("maxSize", 500);
                    assertThat(all.get("valves").get("ingest")).containsEntry("state", "OPEN");

                    assertThat(endpoint.update("circuitbreakers", "payments", "forced_open"))
                            .containsEntry("state", "FORCED_OPEN");
                    CircuitBreaker payments = ctx.getBean(FluxgateCircuitBreakers.class).breaker("payments")
                            .circuitBreaker();
                    assertThat(payments.state().name()).isEqualTo("FORCED_OPEN");
                    assertThat(endpoint.update("circuitbreakers", "payments", "CLOSED")).containsEntry("state", "CLOSED");
                    assertThat(endpoint.update("valves", "ingest", "PAUSED")).containsEntry("state", "PAUSED");
                    assertThat(ctx.getBean(FluxgateValves.class).valve("ingest").isPaused()).isTrue();
                    assertThat(endpoint.update("valves", "ingest", "resume")).containsEntry("state", "OPEN");
                    assertThat(endpoint.instance("valves", "ingest")).containsEntry("state", "OPEN");
                    assertThat(endpoint.instance("valves", "nope")).isNull();

                    assertThatThrownBy(() -> endpoint.update("circuitbreakers", "payments", "AJAR"))
                            .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("AJAR");
                    assertThatThrownBy(() -> endpoint.update("circuitbreakers", "nope", "OPEN"))
                            .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("nope");
                    assertThatThrownBy(() -> endpoint.update("retries", "fetch", "OPEN"))
                            .isInstanceOf(InvalidEndpointRequestException.class);
                });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(Health h, String name) {
        return (Map<String, Object>) h.getDetails().get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> settings(Map<String, Object> instance) {
        return (Map<String, Object>) instance.get("settings");
    }
}
