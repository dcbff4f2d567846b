package io.fluxgate.benchmarks.flow;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.metrics.StageMetrics;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcomes;
import io.fluxgate.progress.Progress;
import io.fluxgate.valve.Valve;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import reactor.core.publisher.Flux;

/**
 * Per-element overhead of the flow-control stages on a synchronous stream of {@code n} longs, against the plain
 * stream ({@code baseline}) and against the Reactor operator each one replaces where there is one
 * ({@code distinct} for dedupe, {@code map} for tryMap). {@code tryMapDeadLetter*} adds {@code Outcomes.deadLetter} behind
 * tryMap, one element in 1000 failing into a synchronous sink, with unbounded and with bounded downstream demand
 * (the success path of deadLetter is what they measure). Run:
 * {@code java -jar benchmarks/target/benchmarks.jar FlowOverheadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FlowOverheadBenchmark {

    @Param("100000")
    int n;

    // distinct keys over a small range so dedupe really drops (keys repeat every 1000)
    private Flux<Long> source;
    private Function<Flux<Long>, Flux<Long>> dedupe;
    private Function<Flux<Long>, Flux<Long>> valve;
    private Function<Flux<Long>, Flux<Long>> metrics;
    private Function<Flux<Long>, Flux<Long>> progress;
    private Function<Flux<Long>, Flux<Long>> tryMapDeadLetter;

    // thrown for one key in 1000; preallocated and stackless so the failure path does not dominate
    private static final RuntimeException BAD = new RuntimeException("bad", null, false, false) { };

    @Setup
    public void setup() {
        source = Flux.range(0, n).map(i -> (long) (i % 1000));
        dedupe = Dedupe.lastN(2048);
        valve = Valve.open().gate();
        metrics = StageMetrics.builder().name("bench").meterRegistry(new SimpleMeterRegistry()).build(f -> f.map(i -> i + 1));
        progress = Progress.builder().interval(Duration.ofSeconds(1)).listener(s -> { }).build();
        DeadLetterSink<Long> sink = DeadLetterSink.of(letter -> { });
        tryMapDeadLetter = f -> f.transform(Outcomes.<Long, Long>tryMap(i -> {
            if (i == 999) {
                throw BAD;
            }
            return i + 1;
        })).transform(Outcomes.deadLetter(sink, "bench"));
    }

    @Benchmark
    public Long baseline() {
        return source.blockLast();
    }

    @Benchmark
    public Long reactorDistinct() {
        return source.distinct().blockLast();
    }

    @Benchmark
    public Long dedupeLastN() {
        return source.transform(dedupe).blockLast();
    }

    @Benchmark
    public Long valveGate() {
        return source.transform(valve).blockLast();
    }

    @Benchmark
    public Long reactorMap() {
        return source.map(i -> i + 1).blockLast();
    }

    @Benchmark
    public Long stageMetricsAroundMap() {
        return source.transform(metrics).blockLast();
    }

    @Benchmark
    public Object tryMap() {
        return source.transform(Outcomes.<Long, Long>tryMap(i -> i + 1)).blockLast();
    }

    @Benchmark
    public Long tryMapDeadLetter() {
        return source.transform(tryMapDeadLetter).blockLast();
    }

    @Benchmark
    public Long tryMapDeadLetterBoundedDemand() {
        return source.transform(tryMapDeadLetter).limitRate(256).blockLast();
    }

    @Benchmark
    public Long progressPassThrough() {
        return source.transform(progress).blockLast();
    }
}
