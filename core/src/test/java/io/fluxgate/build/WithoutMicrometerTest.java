package io.fluxgate.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.heartbeat.StallWatchdog;
import io.fluxgate.outcome.ErrorBudget;
import io.fluxgate.outcome.InMemoryDeadLetterSink;
import io.fluxgate.outcome.Outcomes;
import io.fluxgate.progress.Progress;
import io.fluxgate.ratelimit.RateLimit;
import io.fluxgate.ratelimit.RateLimiter;
import io.fluxgate.retry.ElementRetry;
import io.fluxgate.timeout.ElementTimeout;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.workers.Workers;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Micrometer is an optional dependency of fluxgate-core: an application without it must be able to use every operator
 * that it does not ask to publish metrics. This class runs in its own surefire execution (see core/pom.xml) whose class
 * path excludes every Micrometer jar; the first test proves that the exclusion is in force, so the others cannot pass
 * by accident with Micrometer present. The default execution skips this class.
 */
class WithoutMicrometerTest {

    record Event(String uid, long ts) {}

    @Test
    void micrometerIsNotOnTheClassPath() {
        assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void windowedUniqueUsers() {
        UniqueUsers<Event> op = UniqueUsers.<Event>perWindow(Duration.ofMinutes(1))
                .userId(Event::uid).eventTimeSeconds(Event::ts).build();
        List<WindowCount> out = Flux.just(new Event("a", 0), new Event("b", 10), new Event("a", 70))
                .transform(op).collectList().block();
        assertThat(out).extracting(WindowCount::uniqueUsers).containsExactly(2L, 1L);
    }

    @Test
    void batchingBreakerAndWatchdog() {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("calls");
        StallWatchdog watchdog = StallWatchdog.builder().name("double").build();
        Function<Flux<Integer>, Flux<Integer>> doubled = breaker.protect(i -> Mono.just(i * 2));
        List<List<Integer>> out = Flux.range(1, 10)
                .transform(watchdog.watch(doubled))
                .transform(AdaptiveBatch.<Integer>of(4, Duration.ofMillis(50)))
                .collectList().block();
        assertThat(out).flatMap(l -> l).containsExactly(2, 4, 6, 8, 10, 12, 14, 16, 18, 20);
        assertThat(breaker.metrics().successfulCalls()).isEqualTo(10);
    }

    @Test
    void perElementOperators() {
        Function<Flux<Integer>, Flux<Integer>> retry = ElementRetry.<Integer, Integer>builder(Mono::just).build();
        List<Integer> out = Flux.range(1, 20)
                .transform(Dedupe.<Integer>lastN(100))
                .transform(RateLimit.shaping(RateLimiter.perSecond(1_000_000)))
                .transform(retry)
                .transform(ElementTimeout.<Integer, Integer>builder(Mono::just).name("t").timeout(Duration.ofSeconds(5)).build())
                .transform(Workers.<Integer, Integer>ordered(4, Mono::just))
                .transform(Progress.every(Duration.ofSeconds(1), snapshot -> { }))
                .collectList().block();
        assertThat(out).hasSize(20);
    }

    @Test
    void outcomesDeadLettersAndErrorBudget() {
        InMemoryDeadLetterSink<String> sink = new InMemoryDeadLetterSink<>();
        List<Integer> out = Flux.just("1", "x", "3")
                .transform(Outcomes.tryMap(Integer::parseInt))
                .transform(ErrorBudget.<String, Integer>consecutive(5))
                .transform(Outcomes.<String, Integer>deadLetter(sink, "parse"))
                .collectList().block();
        assertThat(out).containsExactly(1, 3);
        assertThat(sink.letters()).hasSize(1);
    }

    @Test
    void theOtherOperatorsAndTheirToStringWithoutARegistry() {
        Function<Flux<Integer>, Flux<Integer>> workers = io.fluxgate.workers.Workers.builder().name("w").maxInFlight(2)
                .unordered().build(i -> Mono.just(i + 1));
        Function<Flux<Integer>, Flux<Integer>> adaptive = io.fluxgate.workers.Workers.adaptive().build(Mono::just);
        Function<Flux<Integer>, Flux<Integer>> debounce = io.fluxgate.debounce.KeyedDebounce.byKey((Integer i) -> i)
                .quietPeriod(Duration.ofMillis(1)).build();
        Function<Flux<Integer>, Flux<Integer>> beats = io.fluxgate.heartbeat.Heartbeat.every(Duration.ofSeconds(5))
                .inject(() -> -1);
        io.fluxgate.valve.Valve valve = io.fluxgate.valve.Valve.builder().name("v").build();
        io.fluxgate.loader.BatchLoader<Integer, Integer> loader = io.fluxgate.loader.BatchLoader
                .<Integer, Integer>builder(keys -> Mono.just(java.util.Map.of(1, 10))).maxDelay(Duration.ZERO).build();
        Function<Flux<Integer>, Flux<Integer>> metrics = io.fluxgate.metrics.StageMetrics.builder().name("m")
                .build(f -> f);
        List<Integer> out = Flux.just(1, 1, 2)
                .transform(Dedupe.builder().name("d").build(i -> i))
                .transform(workers).transform(adaptive).transform(debounce).transform(beats)
                .transform(valve.gate()).transform(metrics)
                .transform(ElementRetry.builder().maxInFlight(2).build(Mono::just))
                .transform(ElementTimeout.of(Duration.ofSeconds(5), Mono::just))
                .transform(Progress.builder().name("p").listener(s -> { }).build())
                .collectList().block();
        assertThat(out).containsExactlyInAnyOrder(2, 3);
        assertThat(Flux.just(1).transform(loader.loadEach()).collectList().block()).containsExactly(10);
        assertThat(List.of(workers, adaptive, debounce, beats, valve.gate(), loader.loadEach()))
                .allSatisfy(f -> assertThat(f.toString()).doesNotContain("$$Lambda").contains("["));
        assertThat(metrics).as("no registry: the stage itself, unwrapped").isNotNull();
        assertThat(CircuitBreaker.builder().name("b").build().toString()).startsWith("CircuitBreaker[name=b");
        assertThat(Flux.just("x").transform(io.fluxgate.outcome.Outcomes.tryMap((String v) -> v))
                .transform(io.fluxgate.outcome.Outcomes.deadLetters(new InMemoryDeadLetterSink<String>()).name("dl")
                        .<String, String>build()).collectList().block()).containsExactly("x");
        assertThat(ErrorBudget.builder().maxFailureRate(0.05).build().toString()).contains("maxFailureRate=0.05");
    }
}
