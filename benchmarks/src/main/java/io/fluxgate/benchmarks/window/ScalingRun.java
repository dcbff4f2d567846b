package io.fluxgate.benchmarks.window;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.sun.management.OperatingSystemMXBean;
import io.fluxgate.benchmarks.window.WindowEvents.Event;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.window.internal.WindowEngine;
import reactor.core.publisher.Flux;

/**
 * One variant at one input size, in a JVM of its own, for the throughput and memory against input size charts
 * ({@code benchmarks/scripts/scaling.py} runs the matrix under {@code /usr/bin/time -v} for the peak RSS, and
 * {@code benchmarks/scripts/charts.py} draws them). Events are generated on the fly with a fresh id string each (as
 * decoding Kafka records gives), so the heap holds only what the variant retains; the generation is the same for
 * every variant.
 *
 * <p>{@code java -cp benchmarks.jar io.fluxgate.benchmarks.window.ScalingRun <operator|approximate|plain|naive>
 * <events> <rounds>}: the first round warms up (not counted unless it is the only one); prints one CSV line
 * {@code variant,events,rounds,wall_s,cpu_s,events_per_s,events_per_cpu_s,peak_heap_mib,windows} with medians.
 */
public final class ScalingRun {

    private ScalingRun() {
    }

    public static void main(String[] args) {
        String variant = args[0];
        long n = Long.parseLong(args[1]);
        int rounds = Integer.parseInt(args[2]);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> walls = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        long windows = 0;
        for (int r = 0; r < rounds; r++) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            windows = run(variant, n);
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            if (r > 0 || rounds == 1) {
                walls.add(wall);
                cpus.add(cpu);
            }
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        double wall = median(walls);
        double cpu = median(cpus);
        System.out.printf(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.0f,%.0f,%d,%d%n", variant, n, walls.size(), wall, cpu,
                n / wall, n / cpu, peakHeap >> 20, windows);
    }

    private static long run(String variant, long n) {
        WindowEvents gen = new WindowEvents(42);
        if (variant.equals("plain")) {
            // the operator's own engine driven by a for loop: the ceiling
            WindowEngine<Event> engine = new WindowEngine<>(UniqueUsersBenchmark.operator().spec(), System::nanoTime);
            ArrayDeque<WindowCount> out = engine.results();
            long c = 0;
            for (long i = 0; i < n; i++) {
                engine.onNext(gen.next(true));
                while (out.poll() != null) {
                    c++;
                }
            }
            engine.complete();
            while (out.poll() != null) {
                c++;
            }
            return c;
        }
        Flux<Event> source = Flux.generate(() -> 0L, (i, sink) -> {
            if (i == n) {
                sink.complete();
            } else {
                sink.next(gen.next(true));
            }
            return i + 1;
        });
        return switch (variant) {
            case "operator" -> source.transform(UniqueUsersBenchmark.operator()).count().block();
            case "approximate" -> source.transform(UniqueUsers.<Event>perWindow(java.time.Duration.ofMinutes(1))
                    .userId(Event::uid)
                    .eventTimeSeconds(Event::ts)
                    .allowedLateness(java.time.Duration.ofSeconds(WindowEvents.LATENESS_SECONDS))
                    .approximate()
                    .build()).count().block();
            case "naive" -> source.groupBy(e -> Math.floorDiv(e.ts(), 60L))
                    .flatMap(g -> g.map(Event::uid).distinct().count())
                    .count().block();
            default -> throw new IllegalArgumentException("variant must be operator, approximate, plain or naive: " + variant);
        };
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
