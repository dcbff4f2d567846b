package io.fluxgate.spring.boot.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.breaker.CallNotPermittedException;
import io.fluxgate.breaker.CircuitBreakerConfig;
import io.fluxgate.breaker.CircuitBreakerState;
import io.fluxgate.heartbeat.StallWatchdog;
import io.fluxgate.ratelimit.RateLimitExceededException;
import io.fluxgate.ratelimit.RateLimiter;
import io.fluxgate.retry.RetriesExhaustedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** The registries from properties: binding, inheritance, bad values named, meters, observations, backing off. */
class FluxgateAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FluxgateAutoConfiguration.class));

    @Test
    void everyRegistryIsThereWithNoPropertiesAndUnconfiguredNamesGetTheCoreDefaults() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed()
                    .hasSingleBean(FluxgateCircuitBreakers.class).hasSingleBean(FluxgateRateLimiters.class)
                    .hasSingleBean(FluxgateWorkers.class).hasSingleBean(FluxgateRetries.class)
                    .hasSingleBean(FluxgateWatchdogs.class).hasSingleBean(FluxgateBatches.class)
                    .hasSingleBean(FluxgateValves.class);
            CircuitBreakerConfig c = ctx.getBean(FluxgateCircuitBreakers.class).breaker("any").circuitBreaker().config();
            assertThat(c.failureRateThreshold()).isEqualTo(CircuitBreakerConfig.DEFAULT_FAILURE_RATE_THRESHOLD);
            assertThat(c.slidingWindowSize()).isEqualTo(CircuitBreakerConfig.DEFAULT_SLIDING_WINDOW_SIZE);
            assertThat(ctx.getBean(FluxgateWorkers.class).workers("w").maxInFlight())
                    .isEqualTo(FluxgateWorkers.DEFAULT_MAX_IN_FLIGHT);
        });
    }

    @Test
    void instancesInheritFromTheirBaseConfigThenDefaultAndOverrideField() {
        runner.withPropertyValues(
                        "fluxgate.circuitbreaker.configs.default.sliding-window-size=20",
                        "fluxgate.circuitbreaker.configs.default.wait-duration-in-open-state=10s",
                        "fluxgate.circuitbreaker.configs.slow.slow-call-duration-threshold=1500ms",
                        "fluxgate.circuitbreaker.configs.slow.failure-rate-threshold=25",
                        "fluxgate.circuitbreaker.instances.payments.base-config=slow",
                        "fluxgate.circuitbreaker.instances.payments.failure-rate-threshold=40.5",
                        "fluxgate.circuitbreaker.instances.payments.sliding-window-type=TIME_BASED",
                        "fluxgate.circuitbreaker.instances.payments.ignore-exceptions=java.lang.IllegalArgumentException",
                        "fluxgate.circuitbreaker.instances.search.minimum-number-of-calls=5")
                .run(ctx -> {
                    FluxgateCircuitBreakers breakers = ctx.getBean(FluxgateCircuitBreakers.class);
                    assertThat(breakers.all()).containsOnlyKeys("payments", "search");
                    CircuitBreakerConfig p = breakers.breaker("payments").circuitBreaker().config();
                    assertThat(p.failureRateThreshold()).isEqualTo(40.5f);                   // the instance
                    assertThat(p.slowCallDurationThreshold()).isEqualTo(Duration.ofMillis(1500)); // its base config
                    assertThat(p.slidingWindowSize()).isEqualTo(20);                          // configs.default
                    assertThat(p.waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(p.slidingWindowType()).isEqualTo(CircuitBreakerConfig.SlidingWindowType.TIME_BASED);
                    assertThat(p.isIgnored(new IllegalArgumentException())).isTrue();
                    CircuitBreakerConfig s = breakers.breaker("search").circuitBreaker().config();
                    assertThat(s.failureRateThreshold()).isEqualTo(CircuitBreakerConfig.DEFAULT_FAILURE_RATE_THRESHOLD);
                    assertThat(s.minimumNumberOfCalls()).isEqualTo(5);
                    assertThat(s.slidingWindowSize()).isEqualTo(20);
                    assertThat(breakers.breaker("payments")).isSameAs(breakers.breaker("payments"));
                });
    }

    @Test
    void aBadValueStopsTheStartNamingTheProperty() {
        assertStartFails("fluxgate.circuitbreaker.instances.payments.failure-rate-threshold",
                "fluxgate.circuitbreaker.instances.payments.failure-rate-threshold=150");
        // inherited: the config that sets it is named
        assertStartFails("fluxgate.circuitbreaker.configs.default.sliding-window-size",
                "fluxgate.circuitbreaker.configs.default.sliding-window-size=0",
                "fluxgate.circuitbreaker.instances.payments.minimum-number-of-calls=1");
        assertStartFails("fluxgate.circuitbreaker.instances.payments.base-config",
                "fluxgate.circuitbreaker.instances.payments.base-config=nope");
        assertStartFails("fluxgate.circuitbreaker.instances.payments.exponential-max-wait-duration-in-open-state",
                "fluxgate.circuitbreaker.instances.payments.exponential-backoff-multiplier=2");
        assertStartFails("fluxgate.ratelimiter.instances.partner.permits",
                "fluxgate.ratelimiter.instances.partner.period=1s");
        assertStartFails("fluxgate.ratelimiter.instances.partner.burst",
                "fluxgate.ratelimiter.instances.partner.permits=10", "fluxgate.ratelimiter.instances.partner.period=1s",
                "fluxgate.ratelimiter.instances.partner.burst=0");
        assertStartFails("fluxgate.retry.instances.fetch.max-attempts", "fluxgate.retry.instances.fetch.max-attempts=0");
        assertStartFails("fluxgate.retry.instances.fetch",
                "fluxgate.retry.instances.fetch.backoff=5s", "fluxgate.retry.instances.fetch.max-backoff=1s");
        assertStartFails("fluxgate.watchdog.instances.enrich.stall-after",
                "fluxgate.watchdog.instances.enrich.stall-after=-1s");
        assertStartFails("fluxgate.workers.instances.enrich.max-in-flight", "fluxgate.workers.instances.enrich.max-in-flight=0");
        assertStartFails("fluxgate.batch.instances.rows.max-wait", "fluxgate.batch.instances.rows.max-wait=0s");
        assertStartFails("fluxgate.valve.configs.default.max-in-flight", "fluxgate.valve.configs.default.max-in-flight=0");
        // checked when the properties are bound, not only when a registry builds the instance: here no registry does
        runner.withBean(FluxgateCircuitBreakers.class, () -> new FluxgateCircuitBreakers(
                        new FluxgateCircuitBreakerProperties(), null, ObservationRegistry.NOOP))
                .withPropertyValues("fluxgate.circuitbreaker.configs.strict.sliding-window-size=-1")
                .run(ctx -> assertThat(messages(ctx.getStartupFailure()))
                        .contains("fluxgate.circuitbreaker.configs.strict.sliding-window-size")
                        .contains("Binding validation errors on fluxgate.circuitbreaker"));
        // Boot's own conversion errors name the property too
        assertStartFails("fluxgate.watchdog.instances.enrich.stall-after",
                "fluxgate.watchdog.instances.enrich.stall-after=soon");
    }

    private void assertStartFails(String property, String... values) {
        runner.withPropertyValues(values).run(ctx -> assertThat(messages(ctx.getStartupFailure())).contains(property));
    }

    /** The messages of a failure and its causes: Boot names the property at the top, core says why at the root. */
    static String messages(Throwable failure) {
        assertThat(failure).as("start-up failure").isNotNull();
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Test
    void everyOperatorGetsTheApplicationsMeterRegistry() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("fluxgate.circuitbreaker.instances.payments.minimum-number-of-calls=1",
                        "fluxgate.watchdog.instances.enrich.stall-after=10s",
                        "fluxgate.valve.instances.ingest.start-paused=true",
                        "fluxgate.ratelimiter.instances.partner.permits=100",
                        "fluxgate.ratelimiter.instances.partner.period=1s",
                        "fluxgate.workers.instances.enrich.max-in-flight=2",
                        "fluxgate.retry.instances.fetch.max-attempts=2",
                        "fluxgate.retry.instances.fetch.backoff=1ms",
                        "fluxgate.batch.instances.rows.max-size=2")
                .run(ctx -> {
                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    assertThat(meters.get("resilience4j.circuitbreaker.state").tag("name", "payments")
                            .tag("state", "closed").gauge().value()).isEqualTo(1.0);
                    assertThat(meters.get(StallWatchdog.STALLED).tag("name", "enrich").gauge().value()).isZero();
                    assertThat(meters.get(FluxgateValves.PAUSED).tag("name", "ingest").gauge().value()).isEqualTo(1.0);

                    StepVerifier.create(Flux.range(1, 3).transform(ctx.getBean(FluxgateRateLimiters.class)
                            .rateLimit("partner"))).expectNextCount(3).verifyComplete();
                    assertThat(meters.get("fluxgate.ratelimit.permits").tag("name", "partner").counter().count())
                            .isEqualTo(3);
                    assertThat(meters.get("fluxgate.ratelimit.wait").tag("name", "partner").timer().count())
                            .isEqualTo(3);

                    // two streams with different calls run through the pool's one core stage: one set of meters
                    FluxgateWorkers.Pool pool = ctx.getBean(FluxgateWorkers.class).workers("enrich");
                    Sinks.One<Integer> slow = Sinks.one();
                    StepVerifier.create(Flux.range(1, 4).transform(pool.call(i -> Mono.just(i * 10))))
                            .expectNext(10, 20, 30, 40).verifyComplete();
                    StepVerifier.create(Flux.just(5).transform(pool.<Integer, Integer>call(i -> slow.asMono())))
                            .then(() -> {
                                assertThat(meters.get("fluxgate.workers.inflight").tag("name", "enrich").gauge()
                                        .value()).isEqualTo(1.0);
                                assertThat(pool.inFlight()).isEqualTo(1);
                                slow.tryEmitValue(50);
                            })
                            .expectNext(50).verifyComplete();
                    assertThat(meters.get("fluxgate.workers.inflight").tag("name", "enrich").gauge().value()).isZero();
                    assertThat(meters.get("fluxgate.workers.calls").tag("name", "enrich").timer().count()).isEqualTo(5);

                    AtomicInteger calls = new AtomicInteger();
                    StepVerifier.create(Flux.just(1).transform(ctx.getBean(FluxgateRetries.class).retry("fetch")
                                    .call(i -> calls.incrementAndGet() == 1 ? Mono.error(new IOException("once"))
                                            : Mono.just(i))))
                            .expectNext(1).verifyComplete();
                    assertThat(meters.get("fluxgate.retry.retries").tag("name", "fetch").counter().count()).isEqualTo(1);
                    assertThat(meters.get("fluxgate.retry.exhausted").tag("name", "fetch").counter().count()).isZero();

                    StepVerifier.create(Flux.range(1, 4).transform(ctx.getBean(FluxgateBatches.class).batch("rows")
                            .<Integer, Integer>into(b -> Mono.just(b.size())))).expectNext(2, 2).verifyComplete();
                    assertThat(meters.get("fluxgate.batch.size").tag("name", "rows").summary().count()).isEqualTo(2);
                    StepVerifier.create(Flux.range(1, 5).transform(ctx.getBean(FluxgateBatches.class).batch("rows")
                            .<Integer>fixed())).expectNextCount(3).verifyComplete();
                    assertThat(meters.get("fluxgate.batch.batches").tag("name", "rows").counter().count()).isEqualTo(3);
                    assertThat(meters.get("fluxgate.batch.elements").tag("name", "rows").counter().count()).isEqualTo(5);

                    StepVerifier.create(Flux.just(1).transform(ctx.getBean(FluxgateValves.class).valve("open")
                            .gate())).expectNext(1).verifyComplete();
                    assertThat(meters.get(FluxgateValves.SUBSCRIPTIONS).tag("name", "open").gauge().value()).isZero();

                    // core's meters only: the starter's own stage wrappers and counters are gone
                    assertThat(meters.getMeters()).extracting(m -> m.getId().getName())
                            .noneMatch(n -> n.startsWith("fluxgate.stage."))
                            .doesNotContain("fluxgate.retry.attempts");
                });
    }

    @Test
    void withoutAMeterRegistryEverythingWorksWithoutMeters() {
        runner.withPropertyValues("fluxgate.ratelimiter.instances.partner.permits=1",
                        "fluxgate.ratelimiter.instances.partner.period=1h",
                        "fluxgate.ratelimiter.instances.partner.enforcing=true")
                .run(ctx -> {
                    assertThat(ctx).doesNotHaveBean(MeterRegistry.class);
                    // one shared bucket: the second stream finds the permit taken by the first
                    FluxgateRateLimiters limiters = ctx.getBean(FluxgateRateLimiters.class);
                    RateLimiter shared = limiters.limiter("partner");
                    assertThat(limiters.limiter("partner")).isSameAs(shared);
                    StepVerifier.create(Flux.just("a").transform(limiters.rateLimit("partner"))).expectNext("a").verifyComplete();
                    StepVerifier.create(Flux.just("b").transform(limiters.rateLimit("partner")))
                            .verifyError(RateLimitExceededException.class);
                });
    }

    @Test
    void calledElementsAreObservedForBreakersRetriesAndWorkers() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        runner.withBean(ObservationRegistry.class, () -> observations)
                .withPropertyValues("fluxgate.retry.instances.fetch.backoff=1ms",
                        "fluxgate.retry.instances.fetch.retry-exceptions=java.io.IOException")
                .run(ctx -> {
                    StepVerifier.create(Flux.just(1, 2).transform(ctx.getBean(FluxgateCircuitBreakers.class)
                            .breaker("payments").protect(i -> Mono.just(i + 1)))).expectNext(2, 3).verifyComplete();
                    StepVerifier.create(Flux.just(1).transform(ctx.getBean(FluxgateRetries.class).retry("fetch")
                                    .call(i -> Mono.error(new IOException("down")))))
                            .verifyError(RetriesExhaustedException.class);
                    StepVerifier.create(Flux.just(1).transform(ctx.getBean(FluxgateWorkers.class).workers("enrich")
                            .call(i -> Mono.just(i)))).expectNext(1).verifyComplete();

                    io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat(observations)
                            .hasNumberOfObservationsWithNameEqualTo(FluxgateCircuitBreakers.OBSERVATION, 2)
                            .hasNumberOfObservationsWithNameEqualTo(FluxgateRetries.OBSERVATION, 3)
                            .hasNumberOfObservationsWithNameEqualTo(FluxgateWorkers.OBSERVATION, 1)
                            .forAllObservationsWithNameEqualTo(FluxgateCircuitBreakers.OBSERVATION,
                                    o -> o.hasLowCardinalityKeyValue("name", "payments"))
                            .forAllObservationsWithNameEqualTo(FluxgateRetries.OBSERVATION,
                                    o -> o.hasError());
                });
    }

    @Test
    void aRefusedCallIsNotObserved() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        runner.withBean(ObservationRegistry.class, () -> observations).run(ctx -> {
            FluxgateCircuitBreakers.Breaker b = ctx.getBean(FluxgateCircuitBreakers.class).breaker("payments");
            b.circuitBreaker().transitionToForcedOpenState();
            StepVerifier.create(Flux.just(1).transform(b.protect(i -> Mono.just(i))))
                    .verifyError(CallNotPermittedException.class);
            assertThat(b.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat(observations)
                    .doesNotHaveAnyObservation();
        });
    }

    @Test
    void applicationBeansReplaceTheRegistriesAndCustomizersApply() {
        FluxgateCircuitBreakers own = new FluxgateCircuitBreakers(new FluxgateCircuitBreakerProperties(), null,
                ObservationRegistry.NOOP);
        runner.withBean(FluxgateCircuitBreakers.class, () -> own)
                .withBean("slowWindows", StallWatchdogCustomizer.class,
                        () -> StallWatchdogCustomizer.of("windows", b -> b.failAfter(Duration.ofMinutes(5))))
                .withPropertyValues("fluxgate.circuitbreaker.instances.payments.failure-rate-threshold=10",
                        "fluxgate.watchdog.instances.windows.stall-after=1m")
                .run(ctx -> {
                    assertThat(ctx.getBean(FluxgateCircuitBreakers.class)).isSameAs(own);
                    assertThat(own.all()).isEmpty();
                    assertThat(ctx.getBean(FluxgateWatchdogs.class).all()).containsOnlyKeys("windows");
                });
        // a customizer adds what properties cannot say, after them; one that breaks a rule names the breaker
        runner.withBean("onlyTimeouts", CircuitBreakerCustomizer.class, () -> CircuitBreakerCustomizer.of("payments",
                        b -> b.recordException(e -> e instanceof java.util.concurrent.TimeoutException)))
                .withPropertyValues("fluxgate.circuitbreaker.instances.payments.failure-rate-threshold=10")
                .run(ctx -> {
                    CircuitBreakerConfig c = ctx.getBean(FluxgateCircuitBreakers.class).breaker("payments")
                            .circuitBreaker().config();
                    assertThat(c.failureRateThreshold()).isEqualTo(10f);
                    assertThat(c.isRecorded(new java.util.concurrent.TimeoutException())).isTrue();
                    assertThat(c.isRecorded(new IOException())).isFalse();
                    assertThat(ctx.getBean(FluxgateCircuitBreakers.class).breaker("other").circuitBreaker().config()
                            .isRecorded(new IOException())).isTrue();
                });
    }

    @Test
    void valvesStartAsConfigured() {
        runner.withPropertyValues("fluxgate.valve.configs.default.max-in-flight=4",
                        "fluxgate.valve.instances.ingest.start-paused=true",
                        "fluxgate.valve.instances.export.max-in-flight=8")
                .run(ctx -> {
                    FluxgateValves valves = ctx.getBean(FluxgateValves.class);
                    assertThat(valves.valve("ingest").isPaused()).isTrue();
                    assertThat(valves.valve("ingest").maxInFlight()).isEqualTo(4);
                    assertThat(valves.valve("export").isPaused()).isFalse();
                    assertThat(valves.valve("export").maxInFlight()).isEqualTo(8);
                    assertThat(List.copyOf(valves.all().keySet())).containsExactly("ingest", "export");
                });
    }
}
