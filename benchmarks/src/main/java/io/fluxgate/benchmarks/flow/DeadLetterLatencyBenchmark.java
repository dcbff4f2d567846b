package io.fluxgate.benchmarks.flow;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcome;
import io.fluxgate.outcome.Outcomes;
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
 * A burst of {@code n} failures through {@code Outcomes.deadLetter} into a sink that takes 1 ms to store each letter
 * (its stage completes 1 ms after the call, on a timer thread, as a remote store's acknowledgement would), with
 * {@code maxInFlight} letters at once: 1 stores them one after another (~n ms); more should take ~n / maxInFlight ms.
 * Then the last element, a success, is emitted. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar DeadLetterLatencyBenchmark -f 1 -wi 2 -i 5 -w 2s -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DeadLetterLatencyBenchmark {

    private static final Executor ONE_MS_LATER = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS);
    private static final RuntimeException BAD = new RuntimeException("bad", null, false, false) { };

    @Param("1000")
    int n;

    @Param({"1", "8", "64", "256"})
    int maxInFlight;

    private Flux<Outcome<Integer, Integer>> burst;
    private DeadLetterSink<Integer> sink;

    @Setup
    public void setup() {
        burst = Flux.range(0, n + 1).map(i -> i < n ? Outcome.<Integer, Integer>failure(i, BAD) : Outcome.success(i, i));
        sink = DeadLetterSink.ofAsync(letter -> CompletableFuture.runAsync(() -> { }, ONE_MS_LATER));
    }

    @Benchmark
    public Integer burstOfFailures() {
        return burst.transform(Outcomes.deadLetter(sink, "bench", Clock.systemUTC(), maxInFlight)).blockLast();
    }
}
