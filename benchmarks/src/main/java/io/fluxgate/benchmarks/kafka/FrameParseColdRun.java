package io.fluxgate.benchmarks.kafka;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;

/**
 * What reading a frame from memory costs the scanner, next to reading it from cache: N distinct frames of the
 * pipeline benchmark are parsed in turn (cold: each frame's bytes are fresh to the cache, as a frame the consumer's
 * thread just copied is to another core), and 1024 of them over and over, N times (hot: the baseline of the same
 * round). Thread CPU time per frame, medians of the rounds and their ratio cold / hot.
 *
 * <p>{@code java -Xmx3g -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.kafka.FrameParseColdRun [frames [rounds]]}
 * (default 1,000,000 frames, 12 rounds; the first quarter of the rounds are warm-up and not counted).
 */
public final class FrameParseColdRun {

    private FrameParseColdRun() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Random rnd = new Random(1);
        byte[][] frames = new byte[n][];
        for (int i = 0; i < n; i++) {
            frames[i] = KafkaPipelineBenchmark.frame(i, n, rnd);
        }
        RootFrameReader reader = RootFrameReader.ofDefaults();
        com.sun.management.ThreadMXBean cpu = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int warm = rounds / 4;
        double[] hot = new double[rounds - warm];
        double[] cold = new double[rounds - warm];
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += ((FrameResult.Frame) reader.read(frames[i & 1023])).ts();
            }
            long c1 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += ((FrameResult.Frame) reader.read(frames[i])).ts();
            }
            long c2 = cpu.getCurrentThreadCpuTime();
            System.out.printf("round %d: hot %.0f ns/frame, cold %.0f ns/frame%n", round + 1, (c1 - c0) / (double) n,
                    (c2 - c1) / (double) n);
            if (round >= warm) {
                hot[round - warm] = (c1 - c0) / (double) n;
                cold[round - warm] = (c2 - c1) / (double) n;
            }
        }
        double h = median(hot);
        double c = median(cold);
        System.out.printf("median of %d rounds: hot %.0f ns/frame, cold %.0f ns/frame, cold / hot %.2f%s%n",
                hot.length, h, c, c / h, sink == 42 ? " " : "");
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
