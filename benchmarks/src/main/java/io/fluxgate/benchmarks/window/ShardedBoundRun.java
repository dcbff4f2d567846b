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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * SCRATCH upper bound, not a Fluxgate feature: what a user-sharded unique-users operator could reach with two
 * threads, measured with plain loops over the pre-built events of {@link WindowThroughputRun}. Every thread reads
 * event (except in {@code part2}) and keeps only the users of its shard in its own {@link WindowEngine}; the shards' per-window counts
 * add up to the whole count (users are disjoint across shards), which each round checks against the one-thread loop.
 * Variants, interleaved round after round:
 * <ul>
 *   <li>{@code loop1}: one thread, hash and insert every event (the benchmarks' plain loop);</li>
 *   <li>{@code hash2}: two threads, each hashes every id and inserts the keys whose top bit is its shard;</li>
 *   <li>{@code char2}: two threads, each shards on the last char of the id (cheap) and hashes only its own ids;</li>
 *   <li>{@code part2}: two threads, each over its own half of the events, split by user beforehand (by the last
 *       char of the id, in arrival order), as a Kafka topic keyed by user id delivers them in two partitions: every
 *       thread reads only its events;</li>
 *   <li>{@code naive}: the single-subscriber {@code groupBy/distinct} pipeline, the baseline.</li>
 * </ul>
 * No dispatcher, queue or Reactor hop is modelled, so this is a ceiling. Prints wall and process-CPU medians.
 * Usage: {@code java -Xms6g -Xmx6g -cp benchmarks.jar io.fluxgate.benchmarks.window.ShardedBoundRun [events] [rounds]}
 * (6 GB: the events are held twice, and a smaller heap would run G1's concurrent marking during the passes).
 */
public final class ShardedBoundRun {

    /** The record a shard's engine sees: one mutable slot per thread, refilled for every event it keeps. */
    static final class Slot {
        long key;
        long ts;
    }

    interface Shard {
        boolean keep(Event e, Slot into);
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf("events=%d rounds=%d freshUids=true%n", n, rounds);
        Event[] data = WindowEvents.build(n, 42, true);
        UniqueUsers<Slot> op = UniqueUsers.<Slot>perWindow(Duration.ofMinutes(1))
                .userKey(s -> s.key)
                .eventTimeSeconds(s -> s.ts)
                .allowedLateness(Duration.ofSeconds(WindowEvents.LATENESS_SECONDS))
                .build();
        Map<String, Function<Event[], Map<Long, Long>>> variants = new LinkedHashMap<>();
        Shard all = (e, s) -> {
            s.key = UidHash.hash(e.uid());
            s.ts = e.ts();
            return true;
        };
        variants.put("loop1", d -> run(op, d, all));
        variants.put("hash2", d -> both(
                () -> run(op, d, (e, s) -> keepByHash(e, s, 0L)),
                () -> run(op, d, (e, s) -> keepByHash(e, s, 1L))));
        variants.put("char2", d -> both(
                () -> run(op, d, (e, s) -> keepByChar(e, s, 0)),
                () -> run(op, d, (e, s) -> keepByChar(e, s, 1))));
        Event[][] parts = new Event[2][];
        for (int shard = 0; shard < 2; shard++) {
            int sh = shard;
            // Copies, so that each half lies contiguous in memory as a partition's own decoded records would.
            parts[shard] = Arrays.stream(data).filter(e -> (e.uid().charAt(e.uid().length() - 1) & 1) == sh)
                    .map(e -> new Event(new String(e.uid().toCharArray()), e.ts())).toArray(Event[]::new);
        }
        variants.put("part2", d -> both(() -> run(op, parts[0], all), () -> run(op, parts[1], all)));
        variants.put("naive", d -> {
            Map<Long, Long> m = new TreeMap<>();
            Flux.fromArray(d).groupBy(e -> Math.floorDiv(e.ts(), 60L))
                    .flatMap(g -> g.map(Event::uid).distinct().count().map(c -> new long[] {g.key() * 60, c}))
                    .doOnNext(x -> m.put(x[0], x[1])).blockLast();
            return m;
        });
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        for (int r = -1; r < rounds; r++) {   // round -1 is warm-up
            Map<Long, Long> reference = null;
            for (Map.Entry<String, Function<Event[], Map<Long, Long>>> v : variants.entrySet()) {
                System.gc();
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                Map<Long, Long> counts = v.getValue().apply(data);
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                if (reference == null) {
                    reference = counts;
                } else if (!reference.equals(counts)) {
                    throw new AssertionError(v.getKey() + " counted " + counts + ", loop1 " + reference);
                }
                System.out.printf("round %d %-6s windows=%d wall=%.2fs cpu=%.2fs%n", r, v.getKey(), counts.size(), wall, cpu);
                if (r >= 0) {
                    samples.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(new double[] {wall, cpu});
                }
            }
        }
        Map<String, double[]> med = new LinkedHashMap<>();
        samples.forEach((k, l) -> med.put(k, new double[] {median(l, 0), median(l, 1)}));
        double[] naive = med.get("naive");
        med.forEach((k, m) -> System.out.printf(
                "median %-6s wall=%.2fs (%.1fM events/s) cpu=%.2fs (%.1fM events/cpu-s); vs naive: wall %.2fx, cpu %.2fx%n",
                k, m[0], n / m[0] / 1e6, m[1], n / m[1] / 1e6, naive[0] / m[0], naive[1] / m[1]));
    }

    private static boolean keepByHash(Event e, Slot s, long shard) {
        long k = UidHash.hash(e.uid());
        if (k >>> 63 != shard) {
            return false;
        }
        s.key = k;
        s.ts = e.ts();
        return true;
    }

    private static boolean keepByChar(Event e, Slot s, int shard) {
        String uid = e.uid();
        if ((uid.charAt(uid.length() - 1) & 1) != shard) {
            return false;
        }
        s.key = UidHash.hash(uid);
        s.ts = e.ts();
        return true;
    }

    /** One shard's plain loop: its engine sees only the events {@code shard} keeps; returns count per window start. */
    private static Map<Long, Long> run(UniqueUsers<Slot> op, Event[] d, Shard shard) {
        WindowEngine<Slot> engine = new WindowEngine<>(op.spec(), System::nanoTime);
        ArrayDeque<WindowCount> out = engine.results();
        Map<Long, Long> counts = new TreeMap<>();
        Slot s = new Slot();
        for (Event e : d) {
            if (shard.keep(e, s)) {
                engine.onNext(s);
                drain(out, counts);
            }
        }
        engine.complete();
        drain(out, counts);
        return counts;
    }

    private static void drain(ArrayDeque<WindowCount> out, Map<Long, Long> counts) {
        WindowCount w;
        while ((w = out.poll()) != null) {
            counts.merge(w.start(), w.uniqueUsers(), Long::sum);
        }
    }

    /** Runs both shards, one on a second thread, and adds their per-window counts. */
    private static Map<Long, Long> both(java.util.function.Supplier<Map<Long, Long>> a,
                                        java.util.function.Supplier<Map<Long, Long>> b) {
        CompletableFuture<Map<Long, Long>> other = CompletableFuture.supplyAsync(b, r -> new Thread(r).start());
        Map<Long, Long> sum = new TreeMap<>(a.get());
        other.join().forEach((k, v) -> sum.merge(k, v, Long::sum));
        return sum;
    }

    private static double median(List<double[]> l, int i) {
        double[] v = l.stream().mapToDouble(x -> x[i]).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private ShardedBoundRun() {
    }
}
