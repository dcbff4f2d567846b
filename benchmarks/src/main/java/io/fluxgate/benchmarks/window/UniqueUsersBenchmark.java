package io.fluxgate.benchmarks.window;

import io.fluxgate.benchmarks.window.WindowEvents.Event;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.internal.WindowEngine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.Flux;

/**
 * Unique users per minute over pre-built events (see {@link WindowEvents}): time per pass over all events, so
 * events/s = events / score. (a) {@link #operator} the Fluxgate operator; (b) {@link #plainLoop} the same
 * algorithm ({@link WindowEngine}) driven by a for loop over the same event objects, the ceiling; (c) {@link #naive}
 * {@code groupBy(minute).flatMap(g -> g.map(uid).distinct().count())}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xms3g", "-Xmx3g", "-XX:+UseParallelGC"})
public class UniqueUsersBenchmark {

    @Param({"10000000"})
    public int events;

    /** See {@link WindowEvents#build(int, long, boolean)}: true models records decoded from Kafka. */
    @Param({"true"})
    public boolean freshUids;

    private Event[] data;
    private UniqueUsers<Event> op;

    @Setup(Level.Trial)
    public void setup() {
        data = WindowEvents.build(events, 42, freshUids);
        op = operator();
    }

    static UniqueUsers<Event> operator() {
        return UniqueUsers.<Event>perWindow(Duration.ofMinutes(1))
                .userId(Event::uid)
                .eventTimeSeconds(Event::ts)
                .allowedLateness(Duration.ofSeconds(WindowEvents.LATENESS_SECONDS))
                .build();
    }

    @Benchmark
    public void operator(Blackhole bh) {
        Flux.fromArray(data).transform(op).subscribe(bh::consume);
    }

    @Benchmark
    public void plainLoop(Blackhole bh) {
        WindowEngine<Event> engine = new WindowEngine<>(op.spec(), System::nanoTime);
        ArrayDeque<WindowCount> out = engine.results();
        for (Event e : data) {
            engine.onNext(e);
            WindowCount w;
            while ((w = out.poll()) != null) {
                bh.consume(w);
            }
        }
        engine.complete();
        WindowCount w;
        while ((w = out.poll()) != null) {
            bh.consume(w);
        }
    }

    @Benchmark
    public void naive(Blackhole bh) {
        Flux.fromArray(data)
                .groupBy(e -> Math.floorDiv(e.ts(), 60L))
                .flatMap(g -> g.map(Event::uid).distinct().count())
                .subscribe(bh::consume);
    }
}
