package io.fluxgate.benchmarks.window;

import org.apache.datasketches.hll.*;
import io.fluxgate.window.internal.LongHashSet;
import java.lang.management.*;
/**
 * Per-update CPU cost of what a window holds, over the same 10M skewed 64-bit keys (100k users, windows of 60k
 * events): the exact mode's {@code LongHashSet} against DataSketches' {@code HllSketch} lgK 12 in HLL_4 (what the
 * approximate mode counted in before #20) and HLL_8 (what it counts in now). Thread CPU ns per event, 5 rounds after a
 * warm-up; the two sketches give the same estimates ({@code acc}).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.window.HllUpdateRun}
 */
public final class HllUpdateRun {
  private HllUpdateRun() {
  }


  public static void main(String[] a) {
    int n = 10_000_000; long[] keys = new long[n];
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    long[] users = new long[100_000]; for (int i = 0; i < users.length; i++) users[i] = r.nextLong();
    for (int i = 0; i < n; i++) { double u = r.nextDouble(); keys[i] = users[(int) (users.length * u * u * u)]; }
    com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 6; round++) {
      for (String v : new String[]{"set", "hll4", "hll8"}) {
        long c0 = t.getCurrentThreadCpuTime(); long acc = 0;
        for (int w = 0; w < n; w += 10_000 * 6) { // windows of 60k events, as a minute of 1000 events/s
          int end = Math.min(n, w + 60_000);
          if (v.equals("set")) { LongHashSet s = new LongHashSet(0); for (int i = w; i < end; i++) s.add(keys[i]); acc += s.size(); }
          else { HllSketch s = new HllSketch(12, v.equals("hll4") ? TgtHllType.HLL_4 : TgtHllType.HLL_8); for (int i = w; i < end; i++) s.update(keys[i]); acc += (long) s.getEstimate(); }
        }
        double ns = (t.getCurrentThreadCpuTime() - c0) / (double) n;
        if (round > 0) System.out.printf("round %d %-5s %.2f ns/event (acc %d)%n", round, v, ns, acc);
      }
    }
  }
}
