package io.fluxgate.benchmarks.kafka;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.JacksonFrameReader;
import io.fluxgate.window.frame.RootFrameReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of reading the root {@code uid} and {@code ts} of one frame of the Kafka pipeline benchmark (~1.7 KB, the
 * same generator), in ns per frame: the hand-written scanner ({@link RootFrameReader}) against the previous
 * Jackson streaming reader ({@link JacksonFrameReader}, from the fluxgate-core test jar). Both validate the
 * whole frame. 1024 distinct frames are read in turn, so neither reader sees one frame over and over.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class FrameParseBenchmark {

    private static final int FRAMES = 1024;

    private final RootFrameReader scanner = RootFrameReader.ofDefaults();
    private final JacksonFrameReader jackson = new JacksonFrameReader();
    private byte[][] frames;
    private int next;

    @Setup
    public void setup() {
        Random rnd = new Random(1);
        frames = new byte[FRAMES][];
        for (int i = 0; i < FRAMES; i++) {
            frames[i] = KafkaPipelineBenchmark.frame(i * 977, 1_000_000, rnd);
        }
        // both must read every frame, and read it alike
        for (byte[] f : frames) {
            FrameResult a = scanner.read(f);
            if (!(a instanceof FrameResult.Frame) || !a.equals(jackson.read(f))) {
                throw new IllegalStateException("readers disagree or reject: " + a);
            }
        }
    }

    private byte[] nextFrame() {
        byte[] f = frames[next];
        next = (next + 1) & (FRAMES - 1);
        return f;
    }

    @Benchmark
    public FrameResult scanner() {
        return scanner.read(nextFrame());
    }

    @Benchmark
    public FrameResult jackson() {
        return jackson.read(nextFrame());
    }
}
