package io.fluxgate.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxgate.aggregate.Aggregate;
import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.cursor.CursorSource;
import io.fluxgate.debounce.KeyedDebounce;
import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.dedupe.InMemoryIdempotencyStore;
import io.fluxgate.heartbeat.Heartbeat;
import io.fluxgate.heartbeat.StallWatchdog;
import io.fluxgate.loader.BatchLoader;
import io.fluxgate.metrics.StageMetrics;
import io.fluxgate.outcome.ErrorBudget;
import io.fluxgate.outcome.ErrorBudgetExceededException;
import io.fluxgate.outcome.InMemoryDeadLetterSink;
import io.fluxgate.outcome.Outcome;
import io.fluxgate.outcome.Outcomes;
import io.fluxgate.progress.Progress;
import io.fluxgate.ratelimit.RateLimit;
import io.fluxgate.ratelimit.RateLimiter;
import io.fluxgate.retry.ElementRetry;
import io.fluxgate.route.Route;
import io.fluxgate.timeout.ElementTimeout;
import io.fluxgate.valve.Valve;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.workers.Workers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The one API shape of every operator (issue 18): a stage is named with {@code .name(String)} (blank refused,
 * naming the value), publishes {@code fluxgate.<operator>.*} meters tagged {@code name} when given a registry, bounds
 * its work with {@code maxInFlight} (ordered unless {@code unordered()}), reports build-time errors as
 * {@link IllegalArgumentException}, and prints as its operator and settings.
 */
class OneApiShapeTest {

    record Ev(String uid, long ts) {
    }

    // ------------------------------------------------------------------ 1. naming

    /** Each operator's {@code name} setter, called with a value. */
    private static Map<String, Consumer<String>> nameSetters() {
        Map<String, Consumer<String>> m = new LinkedHashMap<>();
        m.put("RateLimit", n -> RateLimit.builder(RateLimiter.perSecond(1)).name(n));
        m.put("ElementRetry", n -> ElementRetry.builder().name(n));
        m.put("ElementTimeout", n -> ElementTimeout.builder(Mono::just).name(n));
        m.put("CircuitBreaker", n -> CircuitBreaker.builder().name(n));
        m.put("Dedupe", n -> Dedupe.builder().name(n));
        m.put("Workers", n -> Workers.builder().name(n));
        m.put("Workers.adaptive", n -> Workers.adaptive().name(n));
        m.put("AdaptiveBatch", n -> AdaptiveBatch.builder().name(n));
        m.put("AdaptiveBatch.into", n -> AdaptiveBatch.into(b -> Mono.just(b.size())).name(n));
        m.put("ErrorBudget", n -> ErrorBudget.builder().name(n));
        m.put("Progress", n -> Progress.builder().name(n));
        m.put("StallWatchdog", n -> StallWatchdog.builder().name(n));
        m.put("StageMetrics", n -> StageMetrics.builder().name(n));
        m.put("Heartbeat", n -> Heartbeat.every(Duration.ofSeconds(1)).name(n));
        m.put("KeyedDebounce", n -> KeyedDebounce.byKey(x -> x).name(n));
        m.put("Valve", n -> Valve.builder().name(n));
        m.put("BatchLoader", n -> BatchLoader.<String, String>builder(keys -> Mono.just(Map.of())).name(n));
        m.put("CursorSource", n -> CursorSource.<String, Integer>builder(c -> Mono.empty()).name(n));
        m.put("Aggregate", n -> Aggregate.<String, String>byKey(s -> s, s -> s).name(n));
        m.put("UniqueUsers", n -> UniqueUsers.perWindow(Duration.ofMinutes(1)).name(n));
        m.put("Outcomes.deadLetter", n -> Outcomes.deadLetter(new InMemoryDeadLetterSink<>(), n));
        m.put("Outcomes.deadLetters", n -> Outcomes.deadLetters(new InMemoryDeadLetterSink<>()).name(n));
        return m;
    }

    @TestFactory
    List<DynamicTest> everyOperatorRefusesABlankNameNamingTheValue() {
        return nameSetters().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            e.getValue().accept("ok"); // a real name is taken
            assertThatThrownBy(() -> e.getValue().accept("  ")).as(e.getKey())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'  '");
            assertThatThrownBy(() -> e.getValue().accept(null)).as(e.getKey())
                    .isInstanceOf(NullPointerException.class);
        })).toList();
    }

    // ------------------------------------------------------------------ 7. toString

    /** Every built transformer, named {@code "x"} where it has a name. */
    private static Map<String, Function<?, ?>> builtTransformers() {
        Map<String, Function<?, ?>> m = new LinkedHashMap<>();
        RateLimiter limiter = RateLimiter.perSecond(10);
        CircuitBreaker breaker = CircuitBreaker.of("x", io.fluxgate.breaker.CircuitBreakerConfig.ofDefaults());
        m.put("RateLimit", RateLimit.builder(limiter).name("x").build());
        m.put("RateLimit", RateLimit.builder(limiter).enforcing().name("x").build());
        m.put("ElementRetry", ElementRetry.builder().name("x").build(Mono::just));
        m.put("ElementTimeout", ElementTimeout.builder(Mono::just).name("x").timeout(Duration.ofSeconds(1)).build());
        m.put("CircuitBreaker.protect", breaker.protecting(Mono::just).maxInFlight(2).build());
        m.put("CircuitBreaker.protectMono", breaker.protectMono());
        m.put("Dedupe", Dedupe.builder().name("x").build(x -> x));
        m.put("Workers", Workers.builder().name("x").maxInFlight(4).build(Mono::just));
        m.put("Workers.adaptive", Workers.adaptive().name("x").build(Mono::just));
        m.put("AdaptiveBatch", AdaptiveBatch.builder().name("x").build());
        m.put("AdaptiveBatch.into", AdaptiveBatch.into(b -> Mono.just(b.size())).name("x").build());
        m.put("ErrorBudget", ErrorBudget.builder().name("x").maxFailureRate(0.05).build());
        m.put("Progress", Progress.builder().name("x").listener(s -> { }).build());
        m.put("StallWatchdog", StallWatchdog.builder().name("x").build().watch(f -> f));
        m.put("StageMetrics", StageMetrics.builder().name("x").meterRegistry(new SimpleMeterRegistry()).build(f -> f));
        m.put("Heartbeat", Heartbeat.every(Duration.ofSeconds(1)).name("x").inject(() -> "beat"));
        m.put("Heartbeat.ticks", Heartbeat.every(Duration.ofSeconds(1)).name("x").ticks());
        m.put("KeyedDebounce", KeyedDebounce.byKey(x -> x).name("x").quietPeriod(Duration.ofSeconds(1)).build());
        m.put("Valve.gate", Valve.builder().name("x").build().gate());
        m.put("BatchLoader.loadEach", BatchLoader.<String, String>builder(keys -> Mono.just(Map.of())).name("x")
                .build().loadEach());
        m.put("Aggregate", Aggregate.<String, String>byKey(s -> s, s -> s).name("x").completeAfter(2).build());
        m.put("UniqueUsers", UniqueUsers.perWindow(Duration.ofMinutes(1)).name("x").userId(Ev::uid)
                .eventTimeSeconds(Ev::ts).build());
        m.put("UniqueUsers.pulses", UniqueUsers.perWindow(Duration.ofMinutes(1)).name("x").userId(Ev::uid)
                .eventTimeSeconds(Ev::ts).buildForPulses());
        m.put("Outcomes.deadLetter", Outcomes.deadLetter(new InMemoryDeadLetterSink<>(), "x"));
        m.put("Outcomes.deadLetter", Outcomes.deadLetters(new InMemoryDeadLetterSink<>()).name("x")
                .meterRegistry(new SimpleMeterRegistry()).build());
        m.put("Outcomes.tryMap", Outcomes.tryMap(x -> x));
        m.put("Outcomes.tryMapAsync", Outcomes.tryMapAsync(Mono::just, 4));
        m.put("Route.when", Route.<Integer, Integer>when(i -> i > 0, f -> f, f -> f));
        m.put("Route.partition", Route.<Integer, Integer>partition(4, i -> i, f -> f));
        return m;
    }

    @TestFactory
    List<DynamicTest> everyBuiltTransformerPrintsItsOperatorAndSettings() {
        return builtTransformers().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String s = e.getValue().toString();
            assertThat(s).as(e.getKey()).startsWith(e.getKey() + "[").endsWith("]").doesNotContain("$$Lambda");
            if (!e.getKey().startsWith("Outcomes.try") && !e.getKey().startsWith("Route.")) {
                assertThat(s).as(e.getKey()).contains("name=x");
            }
        })).toList();
    }

    @Test
    void toStringShowsTheSettings() {
        assertThat(ErrorBudget.builder().name("x").maxFailureRate(0.05).window(50).build().toString())
                .isEqualTo("ErrorBudget[name=x, maxConsecutiveFailures=unset, maxFailureRate=0.05, window=50, "
                        + "minimumOutcomes=50]");
        assertThat(ElementRetry.builder().name("fetch").maxAttempts(5).maxInFlight(4).unordered().build(Mono::just)
                .toString()).contains("ElementRetry[name=fetch, maxAttempts=5", "maxInFlight=4, ordered=false");
        assertThat(CircuitBreaker.of("p", io.fluxgate.breaker.CircuitBreakerConfig.ofDefaults()).toString())
                .startsWith("CircuitBreaker[name=p, state=CLOSED");
    }

    // ------------------------------------------------------------------ 2. metrics

    private static double count(MeterRegistry r, String meter, String name) {
        Meter m = r.find(meter).tag("name", name).meter();
        assertThat(m).as("%s{name=%s} in %s", meter, name, r.getMeters().stream().map(x -> x.getId().getName()).toList())
                .isNotNull();
        double sum = 0;
        for (var measurement : m.measure()) {
            if (measurement.getStatistic().name().equals("COUNT") || measurement.getStatistic().name().equals("VALUE")) {
                sum += measurement.getValue();
            }
        }
        return sum;
    }

    @Test
    void rateLimitMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        RateLimiter l = RateLimiter.builder().permits(2).per(Duration.ofHours(1)).burst(2).build();
        StepVerifier.create(Flux.range(1, 3).transform(RateLimit.builder(l).enforcing().name("api").meterRegistry(r).build()))
                .expectNext(1, 2).verifyError();
        assertThat(count(r, "fluxgate.ratelimit.permits", "api")).isEqualTo(2);
        assertThat(count(r, "fluxgate.ratelimit.rejected", "api")).isEqualTo(1);
    }

    @Test
    void retryMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2).transform(ElementRetry.builder().name("fetch")
                        .maxAttempts(3).backoff(Duration.ofMillis(10)).jitter(0).meterRegistry(r)
                        .<Integer, Integer>buildOutcomes(i -> i == 1 ? Mono.error(new IOException("down")) : Mono.just(i))))
                .thenAwait(Duration.ofSeconds(1))
                .expectNextCount(2).verifyComplete();
        assertThat(count(r, "fluxgate.retry.retries", "fetch")).isEqualTo(2);
        assertThat(count(r, "fluxgate.retry.exhausted", "fetch")).isEqualTo(1);
    }

    @Test
    void timeoutMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        StepVerifier.withVirtualTime(() -> Flux.just(1).transform(ElementTimeout.<Integer, Integer>builder(
                        i -> Mono.never()).name("slow").timeout(Duration.ofSeconds(1)).meterRegistry(r).build()))
                .thenAwait(Duration.ofSeconds(1))
                .verifyError();
        assertThat(count(r, "fluxgate.timeout.timeouts", "slow")).isEqualTo(1);
        assertThat(count(r, "fluxgate.timeout.calls", "slow")).isEqualTo(1);
    }

    @Test
    void dedupeMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        StepVerifier.create(Flux.just("a", "b", "a").transform(Dedupe.builder().name("ids").meterRegistry(r)
                        .build(s -> s)))
                .expectNext("a", "b").verifyComplete();
        assertThat(count(r, "fluxgate.dedupe.passed", "ids")).isEqualTo(2);
        assertThat(count(r, "fluxgate.dedupe.dropped", "ids")).isEqualTo(1);
    }

    @Test
    void workersMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        StepVerifier.create(Flux.range(1, 5).transform(Workers.builder().name("calls").maxInFlight(2).meterRegistry(r)
                        .build(Mono::just)))
                .expectNextCount(5).verifyComplete();
        assertThat(count(r, "fluxgate.workers.calls", "calls")).isEqualTo(5);
        assertThat(count(r, "fluxgate.workers.inflight", "calls")).isZero();
        SimpleMeterRegistry a = new SimpleMeterRegistry();
        StepVerifier.create(Flux.range(1, 5).transform(Workers.adaptive().name("auto").meterRegistry(a)
                        .build(Mono::just)))
                .expectNextCount(5).verifyComplete();
        assertThat(count(a, "fluxgate.workers.calls", "auto")).isEqualTo(5);
        assertThat(count(a, "fluxgate.workers.limit", "auto")).isPositive();
    }

    @Test
    void errorBudgetMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        Flux<Outcome<Integer, Integer>> outcomes = Flux.range(1, 4)
                .transform(Outcomes.tryMap(i -> { if (i % 2 == 0) { throw new IllegalStateException("bad"); } return i; }));
        StepVerifier.create(outcomes.transform(ErrorBudget.builder().name("load").maxConsecutiveFailures(0)
                        .meterRegistry(r).build()))
                .expectNextCount(2).verifyError(ErrorBudgetExceededException.class);
        assertThat(count(r, "fluxgate.errorbudget.outcomes", "load")).isEqualTo(2);
        assertThat(count(r, "fluxgate.errorbudget.failures", "load")).isEqualTo(1);
        assertThat(count(r, "fluxgate.errorbudget.exceeded", "load")).isEqualTo(1);
    }

    @Test
    void progressMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        StepVerifier.create(Flux.range(1, 7).transform(Progress.builder().name("import").meterRegistry(r).build()))
                .expectNextCount(7).verifyComplete();
        assertThat(count(r, "fluxgate.progress.count", "import")).isEqualTo(7);
        assertThat(count(r, "fluxgate.progress.runs.completed", "import")).isEqualTo(1);
    }

    @Test
    void batchDebounceHeartbeatValveLoaderCursorMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        StepVerifier.create(Flux.range(1, 5).transform(AdaptiveBatch.builder().name("b").maxSize(2).meterRegistry(r).build()))
                .expectNextCount(3).verifyComplete();
        assertThat(count(r, "fluxgate.batch.batches", "b")).isEqualTo(3);
        assertThat(count(r, "fluxgate.batch.elements", "b")).isEqualTo(5);

        StepVerifier.withVirtualTime(() -> Flux.just("a", "a", "b").transform(KeyedDebounce.byKey((String s) -> s)
                        .name("d").quietPeriod(Duration.ofSeconds(1)).meterRegistry(r).build()))
                .thenAwait(Duration.ofSeconds(1)).expectNextCount(2).verifyComplete();
        assertThat(count(r, "fluxgate.debounce.in", "d")).isEqualTo(3);
        assertThat(count(r, "fluxgate.debounce.out", "d")).isEqualTo(2);

        StepVerifier.withVirtualTime(() -> Flux.concat(Mono.just("x"), Mono.delay(Duration.ofSeconds(3)).thenReturn("y"))
                        .transform(Heartbeat.every(Duration.ofSeconds(2)).name("hb").meterRegistry(r).inject(() -> "beat")))
                .expectNext("x").thenAwait(Duration.ofSeconds(3)).expectNext("beat", "y").verifyComplete();
        assertThat(count(r, "fluxgate.heartbeat.beats", "hb")).isEqualTo(1);

        Valve valve = Valve.builder().name("v").meterRegistry(r).build();
        valve.pause();
        assertThat(count(r, "fluxgate.valve.paused", "v")).isEqualTo(1);

        BatchLoader<String, String> loader = BatchLoader.<String, String>builder(keys -> Mono.just(Map.of("a", "A")))
                .name("l").maxDelay(Duration.ZERO).meterRegistry(r).build();
        StepVerifier.create(Flux.just("a").transform(loader.loadEach())).expectNext("A").verifyComplete();
        assertThat(count(r, "fluxgate.loader.batches", "l")).isEqualTo(1);

        StepVerifier.create(CursorSource.<String, Integer>builder(c -> Mono.just(io.fluxgate.cursor.Page.<String, Integer>last(List.of("p", "q"), null)))
                        .name("c").initialCursor(0).meterRegistry(r).build())
                .expectNext("p", "q").verifyComplete();
        assertThat(count(r, "fluxgate.cursor.pages", "c")).isEqualTo(1);
        assertThat(count(r, "fluxgate.cursor.items", "c")).isEqualTo(2);
    }

    @Test
    void deadLetterMeters() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        InMemoryDeadLetterSink<Integer> sink = new InMemoryDeadLetterSink<>();
        StepVerifier.create(Flux.range(1, 5)
                        .transform(Outcomes.tryMap(i -> { if (i % 2 == 0) { throw new IllegalStateException("bad"); } return i; }))
                        .transform(Outcomes.deadLetters(sink).name("parse").meterRegistry(r).<Integer, Integer>build()))
                .expectNext(1, 3, 5).verifyComplete();
        assertThat(sink.letters()).extracting(l -> l.stage()).containsExactly("parse", "parse");
        assertThat(count(r, "fluxgate.deadletter.stored", "parse")).isEqualTo(2);
        assertThat(count(r, "fluxgate.deadletter.refused", "parse")).isZero();
    }

    @Test
    void watchdogAndStageMetricsAreTaggedNameToo() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        StallWatchdog.builder().name("enrich").meterRegistry(r).build();
        assertThat(r.find(StallWatchdog.STALLED).tag("name", "enrich").gauge()).isNotNull();
        assertThat(StallWatchdog.STALLED).isEqualTo("fluxgate.watchdog.stalled");
        StepVerifier.create(Flux.just(1).transform(StageMetrics.builder().name("enrich").meterRegistry(r)
                        .<Integer, Integer>build(f -> f)))
                .expectNext(1).verifyComplete();
        assertThat(count(r, "fluxgate.stage.in", "enrich")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ 3. in flight: one name, one rule

    /** Element 1 is slow: ordered output waits for it, unordered output does not. */
    private static Function<Integer, Mono<Integer>> firstIsSlow() {
        return i -> i == 1 ? Mono.delay(Duration.ofSeconds(5)).thenReturn(i) : Mono.just(i);
    }

    private static void orderedAndUnordered(String operator, Supplier<Function<Flux<Integer>, Flux<Integer>>> ordered,
                                            Supplier<Function<Flux<Integer>, Flux<Integer>>> unordered) {
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2, 3).transform(ordered.get()))
                .as(operator + " ordered")
                .expectNoEvent(Duration.ofSeconds(5))
                .expectNext(1, 2, 3).verifyComplete();
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2, 3).transform(unordered.get()))
                .as(operator + " unordered")
                .expectNext(2, 3)
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(1).verifyComplete();
    }

    @Test
    void maxInFlightKeepsInputOrderUnlessUnordered() {
        orderedAndUnordered("ElementRetry",
                () -> ElementRetry.builder().maxInFlight(3).build(firstIsSlow()),
                () -> ElementRetry.builder().maxInFlight(3).unordered().build(firstIsSlow()));
        orderedAndUnordered("ElementTimeout",
                () -> ElementTimeout.builder(firstIsSlow()).timeout(Duration.ofSeconds(9)).maxInFlight(3).build(),
                () -> ElementTimeout.builder(firstIsSlow()).timeout(Duration.ofSeconds(9)).maxInFlight(3).unordered().build());
        CircuitBreaker breaker = CircuitBreaker.of("io", io.fluxgate.breaker.CircuitBreakerConfig.ofDefaults());
        orderedAndUnordered("CircuitBreaker",
                () -> breaker.protecting(firstIsSlow()).maxInFlight(3).build(),
                () -> breaker.protecting(firstIsSlow()).maxInFlight(3).unordered().build());
        orderedAndUnordered("Workers",
                () -> Workers.builder().maxInFlight(3).build(firstIsSlow()),
                () -> Workers.builder().maxInFlight(3).unordered().build(firstIsSlow()));
        Function<List<Integer>, Mono<Integer>> slowFirstBatch = b -> firstIsSlow().apply(b.get(0));
        orderedAndUnordered("AdaptiveBatch.into",
                () -> AdaptiveBatch.<Integer, Integer>into(slowFirstBatch).maxSize(1).minSize(1).initialSize(1)
                        .maxInFlight(3).build(),
                () -> AdaptiveBatch.<Integer, Integer>into(slowFirstBatch).maxSize(1).minSize(1).initialSize(1)
                        .maxInFlight(3).unordered().build());
        breaker.dispose();
    }

    @Test
    void theInFlightBoundIsValidatedUnderOneName() {
        List<Runnable> bad = List.of(
                () -> ElementRetry.builder().maxInFlight(0),
                () -> ElementTimeout.builder(Mono::just).maxInFlight(0),
                () -> CircuitBreaker.ofDefaults("x").protecting(Mono::just).maxInFlight(0),
                () -> Workers.builder().maxInFlight(0),
                () -> AdaptiveBatch.into(b -> Mono.empty()).maxInFlight(0),
                () -> Valve.builder().maxInFlight(0),
                () -> Outcomes.tryMapAsync(Mono::just, 0),
                () -> Outcomes.deadLetter(new InMemoryDeadLetterSink<>(), "s", java.time.Clock.systemUTC(), 0));
        for (Runnable r : bad) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxInFlight must be >= 1, was 0");
        }
    }

    // ------------------------------------------------------------------ 6. validation

    @Test
    void crossFieldErrorsAreIllegalArgumentExceptionsFromBuild() {
        assertThatThrownBy(() -> ElementRetry.builder().backoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1))
                .build(Mono::just)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1S");
        assertThatThrownBy(() -> ErrorBudget.builder().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(0.5).window(5).minimumOutcomes(6).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6").hasMessageContaining("5");
        assertThatThrownBy(() -> ElementTimeout.builder(Mono::just).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> Progress.builder().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyedDebounce.byKey(x -> x).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimiter.builder().permits(1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CircuitBreaker.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> StageMetrics.builder().build(f -> f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Aggregate.<String, String>byKey(s -> s, s -> s).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StallWatchdog.builder().stallAfter(Duration.ofSeconds(2)).failAfter(Duration.ofSeconds(1))
                .build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dedupeRefusesATtlItWouldDropWithAStore() {
        InMemoryIdempotencyStore<String> store = InMemoryIdempotencyStore.lastKeys(10);
        assertThatThrownBy(() -> Dedupe.byKey((String s) -> s).store(store).ttl(Duration.ofMinutes(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1M")
                .hasMessageContaining("configure them on the store");
        assertThatThrownBy(() -> Dedupe.byKey((String s) -> s).maxKeys(5).store(store).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxKeys 5");
        StepVerifier.create(Flux.just("a", "a").transform(Dedupe.byKey((String s) -> s).store(store).build()))
                .expectNext("a").verifyComplete();
    }

    @Test
    void maxFailureRateIsAFraction() {
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 5.0").hasMessageContaining("0.05");
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErrorBudget.builder().maxFailureRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        // 0.25 is 25 %: 2 failures in 10 pass, 3 fail the stream
        Function<Integer, Flux<Outcome<Integer, Integer>>> run = failures -> Flux.range(0, 10)
                .transform(Outcomes.tryMap(i -> { if (i >= 10 - failures) { throw new IllegalStateException("bad"); } return i; }));
        Function<Flux<Outcome<Integer, Integer>>, Flux<Outcome<Integer, Integer>>> budget =
                ErrorBudget.builder().maxFailureRate(0.25).window(10).build();
        StepVerifier.create(run.apply(2).transform(budget)).expectNextCount(10).verifyComplete();
        StepVerifier.create(run.apply(3).transform(budget)).expectNextCount(10)
                .verifyErrorSatisfies(e -> assertThat(e).hasMessageContaining("30.0%").hasMessageContaining("25.0%"));
    }

    @Test
    void deadLetterRefusesABlankStage() {
        assertThatThrownBy(() -> Outcomes.deadLetter(new InMemoryDeadLetterSink<>(), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage").hasMessageContaining("' '");
        assertThatThrownBy(() -> Outcomes.deadLetter(new InMemoryDeadLetterSink<>(), ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRateTooHighForTheNanosecondClockIsRefusedNamingTheValues() {
        assertThatThrownBy(() -> RateLimiter.of(3, Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0.000000001S").hasMessageContaining("3 permits");
        assertThatThrownBy(() -> RateLimit.of(2_000_000_000, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2000000000");
        assertThat(RateLimiter.of(3, Duration.ofNanos(3)).permits()).isEqualTo(3); // one a nanosecond is fine
        assertThat(RateLimiter.perSecond(1_000_000_000).permits()).isEqualTo(1_000_000_000);
    }
}
