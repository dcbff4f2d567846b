package io.fluxgate.benchmarks.window;

import io.fluxgate.benchmarks.window.WindowEvents.Event;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.internal.WindowEngine;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The window engine's two counting modes over the same events (the benchmark workload of {@link WindowEvents}, user
 * ids hashed by the engine as in the app): exact (a set of 64-bit hashes per window) against approximate (a
 * DataSketches HLL sketch per window, lgK 12). Thread CPU ns per event of the plain engine loop, the modes interleaved
 * round after round in one JVM; the first round (cold: interpreter and JIT, as in a short-lived app process) is
 * printed on its own and left out of the medians. #20 asks the approximate mode to cost less than the exact one.
 *
 * <p>{@code java -Xmx2g -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.window.ApproxVsExactRun [events=2000000] [rounds=7]}
 * <br>With a third argument, {@code exact} or {@code approximate}, one cold pass of that mode only, for measuring a
 * whole process with {@code /usr/bin/time} (JIT and GC threads included), as a short-lived app process pays them.
 */
public final class ApproxVsExactRun {

    private ApproxVsExactRun() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Event[] data = WindowEvents.build(n, 42, false);
        UniqueUsers<Event> exact = builder().build();
        UniqueUsers<Event> approximate = builder().approximate().build();
        if (args.length > 2) {
            // one cold pass of one mode, for a per-process measurement (/usr/bin/time: JIT and GC threads included)
            boolean exactOnly = args[2].equals("exact");
            if (!exactOnly && !args[2].equals("approximate")) {
                throw new IllegalArgumentException("mode must be exact or approximate: " + args[2]);
            }
            long t0 = System.nanoTime();
            long sum = run(exactOnly ? exact : approximate, data);
            System.out.printf("%s, one cold pass: %.0f ms (sum of window counts %d)%n", args[2],
                    (System.nanoTime() - t0) / 1e6, sum);
            return;
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double[][] ns = new double[2][rounds];
        long[] users = new long[2];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                int mode = (k + round) % 2; // alternate which mode runs first
                long c0 = threads.getCurrentThreadCpuTime();
                users[mode] = run(mode == 0 ? exact : approximate, data);
                ns[mode][round] = (threads.getCurrentThreadCpuTime() - c0) / (double) n;
            }
            System.out.printf("round %d exact %.1f ns/event, approximate %.1f ns/event%s%n", round + 1, ns[0][round],
                    ns[1][round], round == 0 ? " (cold, not in the medians)" : "");
        }
        double e = median(Arrays.copyOfRange(ns[0], 1, rounds));
        double a = median(Arrays.copyOfRange(ns[1], 1, rounds));
        System.out.printf("medians of rounds 2-%d: exact %.1f ns/event, approximate %.1f ns/event: approximate/exact"
                + " %.2f (sums of window counts: exact %d, approximate %d)%n", rounds, e, a, a / e, users[0], users[1]);
    }

    private static UniqueUsers.Builder<Event> builder() {
        return UniqueUsers.perWindow(Duration.ofMinutes(1))
                .userId(Event::uid)
                .eventTimeSeconds(Event::ts)
                .allowedLateness(Duration.ofSeconds(WindowEvents.LATENESS_SECONDS));
    }

    /** The engine alone over {@code data}; returns the sum of the windows' user counts. */
    private static long run(UniqueUsers<Event> op, Event[] data) {
        WindowEngine<Event> engine = new WindowEngine<>(op.spec(), System::nanoTime);
        ArrayDeque<WindowCount> out = engine.results();
        long sum = 0;
        for (Event ev : data) {
            engine.onNext(ev);
            for (WindowCount w; (w = out.poll()) != null; ) {
                sum += w.uniqueUsers();
            }
        }
        engine.complete();
        for (WindowCount w; (w = out.poll()) != null; ) {
            sum += w.uniqueUsers();
        }
        return sum;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
