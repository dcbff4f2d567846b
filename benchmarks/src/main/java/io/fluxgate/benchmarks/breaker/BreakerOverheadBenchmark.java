package io.fluxgate.benchmarks.breaker;

import io.fluxgate.breaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Per-element overhead of a circuit breaker on a pipeline of 1M cheap calls, in ns per element:
 * no breaker (baseline), Fluxgate's {@code protect} (one permission per element), and Resilience4j's
 * {@code CircuitBreakerOperator} applied to each element's call inside the same {@code concatMap}.
 * Both breakers use their (identical) default configuration and stay CLOSED.
 *
 * <p>{@code call=scalar}: the call is {@code Mono.just(i)}; {@code call=async}: {@code Mono.just(i).hide()}, a
 * call that must be subscribed (what a real client call looks like to the operator).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BreakerOverheadBenchmark {
    static final int CALLS = 1_000_000;

    @Param({"scalar", "async"})
    public String call;

    private Function<Integer, Mono<Integer>> cheapCall;
    private Function<Flux<Integer>, Flux<Integer>> fluxgate;
    private io.github.resilience4j.circuitbreaker.CircuitBreaker r4j;

    @Setup
    public void setup() {
        // The benchmarks module has no logback configuration, so logback defaults to DEBUG and Resilience4j
        // would log every call: measure breakers, not logging.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        cheapCall = "scalar".equals(call) ? Mono::just : i -> Mono.just(i).hide();
        fluxgate = CircuitBreaker.ofDefaults("bench").protect(cheapCall);
        r4j = io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("bench");
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public Integer baseline() {
        return Flux.range(0, CALLS).concatMap(cheapCall).blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public Integer fluxgate() {
        return Flux.range(0, CALLS).transform(fluxgate).blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public Integer resilience4j() {
        CircuitBreakerOperator<Integer> operator = CircuitBreakerOperator.of(r4j);
        return Flux.range(0, CALLS).concatMap(i -> cheapCall.apply(i).transform(operator)).blockLast();
    }
}
