package io.fluxgate.benchmarks.window;

import io.fluxgate.benchmarks.window.WindowEvents.Event;
import com.sun.management.OperatingSystemMXBean;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.internal.UidHash;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import reactor.core.publisher.Flux;

/**
 * Scratch CPU-time microloop for the 64-bit id hash: hashes the uid of every pre-built event (the same events as
 * {@link WindowThroughputRun}: a fresh 19-char string per event) with each variant, interleaved round after round,
 * and prints the median thread-CPU nanoseconds per event. {@code chars} only reads the 19 chars (the floor), and
 * {@code previous} is the hash as it was before the two-accumulator version, kept here for the comparison.
 * Mode {@code operator} instead runs the operator with each hash (see {@link #operatorAb}).
 * Usage: {@code java -Xmx3g -cp benchmarks.jar io.fluxgate.benchmarks.window.UidHashRun [events] [rounds] [fresh|shared|hot|operator]}
 */
public final class UidHashRun {

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        String mode = args.length > 2 ? args[2] : "fresh";
        Event[] data = WindowEvents.build(n, 42, !mode.equals("shared"));
        if (mode.equals("hot")) {
            // The first 4096 events over and over: their strings stay in L1/L2, so this measures the hash's compute.
            for (int i = 4096; i < n; i++) {
                data[i] = data[i & 4095];
            }
        }
        Map<String, ToLongFunction<CharSequence>> variants = new LinkedHashMap<>();
        variants.put("chars", UidHashRun::chars);
        variants.put("previous", UidHashRun::previous);
        variants.put("current", UidHash::hash);
        if (mode.equals("operator")) {
            operatorAb(data, rounds);
            return;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> ns = new LinkedHashMap<>();
        long sink = 0;
        for (int r = -2; r < rounds; r++) {   // rounds -2 and -1 warm up
            for (Map.Entry<String, ToLongFunction<CharSequence>> v : variants.entrySet()) {
                ToLongFunction<CharSequence> f = v.getValue();
                long c0 = mx.getCurrentThreadCpuTime();
                long acc = 0;
                for (Event e : data) {
                    acc += f.applyAsLong(e.uid());
                }
                double perEvent = (double) (mx.getCurrentThreadCpuTime() - c0) / n;
                sink ^= acc;
                if (r >= 0) {
                    ns.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(perEvent);
                }
                System.out.printf("round %d %-9s %.2f ns/event%n", r, v.getKey(), perEvent);
            }
        }
        ns.forEach((k, l) -> {
            double[] a = l.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(a);
            System.out.printf("median %-9s %.2f ns/event (min %.2f, max %.2f)%n", k, a[a.length / 2], a[0], a[a.length - 1]);
        });
        System.out.println("(sink " + sink + ")");
    }

    /**
     * The operator over the same fresh-id events with {@code userKey(e -> hash(e.uid()))} for the previous and the
     * current hash, interleaved in one JVM: an A/B of the hash inside the operator that machine noise between
     * separate runs cannot bias. Process CPU seconds per pass.
     */
    private static void operatorAb(Event[] data, int rounds) {
        Map<String, UniqueUsers<Event>> ops = new LinkedHashMap<>();
        ops.put("opPrevious", keyed(e -> previous(e.uid())));
        ops.put("opCurrent", keyed(e -> UidHash.hash(e.uid())));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        for (int r = -1; r < rounds; r++) {
            for (Map.Entry<String, UniqueUsers<Event>> v : ops.entrySet()) {
                System.gc();
                long c0 = os.getProcessCpuTime();
                long windows = Flux.fromArray(data).transform(v.getValue()).count().block();
                double s = (os.getProcessCpuTime() - c0) / 1e9;
                System.out.printf("round %d %-10s windows=%d cpu=%.3fs%n", r, v.getKey(), windows, s);
                if (r >= 0) {
                    cpu.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(s);
                }
            }
        }
        cpu.forEach((k, l) -> {
            double[] a = l.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(a);
            System.out.printf("median %-10s cpu=%.3fs (%.1fM events/cpu-s)%n", k, a[a.length / 2],
                    data.length / a[a.length / 2] / 1e6);
        });
    }

    private static UniqueUsers<Event> keyed(ToLongFunction<Event> key) {
        return UniqueUsers.<Event>perWindow(Duration.ofMinutes(1))
                .userKey(key)
                .eventTimeSeconds(Event::ts)
                .allowedLateness(Duration.ofSeconds(WindowEvents.LATENESS_SECONDS))
                .build();
    }

    private static long chars(CharSequence s) {
        long x = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            x += s.charAt(i);
        }
        return x;
    }

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    /** The one-accumulator hash that UidHash computed before (one 4-char lane, then one tail char, per round). */
    static long previous(CharSequence s) {
        int len = s.length();
        long h = P5 + (len * P1);
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            long k = s.charAt(i)
                    | ((long) s.charAt(i + 1) << 16)
                    | ((long) s.charAt(i + 2) << 32)
                    | ((long) s.charAt(i + 3) << 48);
            h ^= Long.rotateLeft(k * P2, 31) * P1;
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        for (; i < len; i++) {
            h ^= s.charAt(i) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private UidHashRun() {
    }
}
