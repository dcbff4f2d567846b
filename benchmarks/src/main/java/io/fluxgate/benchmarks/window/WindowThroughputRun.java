package io.fluxgate.benchmarks.window;

import com.sun.management.OperatingSystemMXBean;
import io.fluxgate.benchmarks.window.WindowEvents.Event;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.internal.UidHash;
import io.fluxgate.window.internal.WindowEngine;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import reactor.core.publisher.Flux;

/**
 * The JMH comparison of {@link UniqueUsersBenchmark} measured in process CPU time as well as wall time, for a
 * machine shared with other work (where wall time mostly measures the neighbours): the three variants run
 * interleaved, round after round, over the same pre-built events; CPU time includes GC and JIT threads, so the
 * naive pipeline pays for its garbage. Prints per-variant medians and the ratios.
 * Usage: {@code java -Xms3g -Xmx3g -XX:+UseParallelGC -cp benchmarks.jar io.fluxgate.benchmarks.window.WindowThroughputRun [events] [rounds] [freshUids]}
 */
public final class WindowThroughputRun {

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean fresh = args.length <= 2 || Boolean.parseBoolean(args[2]);
        System.out.printf("events=%d rounds=%d freshUids=%s%n", n, rounds, fresh);
        Event[] data = WindowEvents.build(n, 42, fresh);
        UniqueUsers<Event> op = UniqueUsersBenchmark.operator();
        Map<String, ToLongFunction<Event[]>> variants = new LinkedHashMap<>();
        variants.put("operator", d -> Flux.fromArray(d).transform(op).count().block());
        variants.put("plainLoop", d -> {
            WindowEngine<Event> engine = new WindowEngine<>(op.spec(), System::nanoTime);
            ArrayDeque<WindowCount> out = engine.results();
            long c = 0;
            for (Event e : d) {
                engine.onNext(e);
                while (out.poll() != null) {
                    c++;
                }
            }
            engine.complete();
            while (out.poll() != null) {
                c++;
            }
            return c;
        });
        // The hash-free bound: the same operator over the same events with their 64-bit keys computed beforehand,
        // which is what the operator could reach if hashing a 19-char id cost nothing.
        KeyedEvent[] keyed = new KeyedEvent[n];
        for (int i = 0; i < n; i++) {
            keyed[i] = new KeyedEvent(UidHash.hash(data[i].uid()), data[i].ts());
        }
        UniqueUsers<KeyedEvent> keyedOp = UniqueUsers.<KeyedEvent>perWindow(Duration.ofMinutes(1))
                .userKey(KeyedEvent::key)
                .eventTimeSeconds(KeyedEvent::ts)
                .allowedLateness(Duration.ofSeconds(WindowEvents.LATENESS_SECONDS))
                .build();
        variants.put("prehashed", d -> Flux.fromArray(keyed).transform(keyedOp).count().block());
        variants.put("naive", d -> Flux.fromArray(d).groupBy(e -> Math.floorDiv(e.ts(), 60L))
                .flatMap(g -> g.map(Event::uid).distinct().count()).count().block());
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        for (int r = -1; r < rounds; r++) {   // round -1 is warm-up
            for (Map.Entry<String, ToLongFunction<Event[]>> v : variants.entrySet()) {
                System.gc();
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                long windows = v.getValue().applyAsLong(data);
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                System.out.printf("round %d %-9s windows=%d wall=%.2fs cpu=%.2fs%n", r, v.getKey(), windows, wall, cpu);
                if (r >= 0) {
                    samples.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(new double[] {wall, cpu});
                }
            }
        }
        Map<String, double[]> med = new LinkedHashMap<>();
        samples.forEach((k, l) -> med.put(k, new double[] {median(l, 0), median(l, 1)}));
        med.forEach((k, m) -> System.out.printf("median %-9s wall=%.2fs (%.2fM events/s) cpu=%.2fs (%.2fM events/cpu-s)%n",
                k, m[0], n / m[0] / 1e6, m[1], n / m[1] / 1e6));
        double[] a = med.get("operator");
        double[] b = med.get("plainLoop");
        double[] c = med.get("naive");
        System.out.printf("ratio operator/plainLoop throughput: wall %.2f, cpu %.2f%n", b[0] / a[0], b[1] / a[1]);
        System.out.printf("ratio operator/naive throughput:     wall %.2f, cpu %.2f%n", c[0] / a[0], c[1] / a[1]);
        double[] k = med.get("prehashed");
        System.out.printf("ratio prehashed/naive throughput:    wall %.2f, cpu %.2f (the bound with a free hash)%n",
                c[0] / k[0], c[1] / k[1]);
    }

    /** An event whose user id was hashed beforehand. */
    record KeyedEvent(long key, long ts) {
    }

    private static double median(List<double[]> l, int i) {
        double[] v = l.stream().mapToDouble(x -> x[i]).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private WindowThroughputRun() {
    }
}
