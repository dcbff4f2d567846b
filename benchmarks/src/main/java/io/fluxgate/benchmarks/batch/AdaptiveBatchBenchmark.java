package io.fluxgate.benchmarks.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.fluxgate.batch.AdaptiveBatch;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * End-to-end harness for adaptive batching against fixed-size {@code bufferTimeout}, on a simulated sink whose cost
 * is {@code fixed overhead + per-item cost}, paid as a real timer delay on a dedicated scheduler (no busy-spin, so
 * the numbers do not depend on how many cores the noisy machine lends us). Throughput is items acknowledged by the
 * sink per second of wall time, after a warm-up, so it is what a caller would actually observe.
 *
 * <p>Scenarios, each repeated {@code --rounds} times (medians reported):
 * <ol>
 *   <li>steady: sink 5 ms + 50 us/item, endless fast source; fixed sizes swept, adaptive told nothing but the
 *       100 ms latency target;</li>
 *   <li>jump: per-item cost doubles half-way; time for the adaptive size to settle within 10 % of the new optimum,
 *       and whole-run throughput against the same fixed sizes;</li>
 *   <li>low rate: 500 items/s in, max wait 50 ms; how long the first element of each batch waited before the batch
 *       was handed to the sink.</li>
 * </ol>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.batch.AdaptiveBatchBenchmark [--rounds 3] [--seconds 4]}
 */
public final class AdaptiveBatchBenchmark {

    private static final long FIXED_NANOS = 5_000_000;
    private static final long PER_ITEM_NANOS = 50_000;
    private static final Duration TARGET = Duration.ofMillis(100);
    private static final Duration MAX_WAIT = Duration.ofMillis(50);
    private static final int[] SIZES = {10, 100, 500, 1000, 2000, 5000};

    private AdaptiveBatchBenchmark() {
    }

    /** The simulated sink; its per-item cost can change mid-run. */
    static final class Sink {
        final Scheduler scheduler = Schedulers.newSingle("sink");
        volatile long perItemNanos = PER_ITEM_NANOS;
        final AtomicLong items = new AtomicLong();
        final ConcurrentLinkedQueue<long[]> log = new ConcurrentLinkedQueue<>(); // {nanoTime at hand-over, size}
        final ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>(); // {nanoTime at completion, cumulative items}

        Mono<Integer> write(List<?> batch) {
            log.add(new long[] {System.nanoTime(), batch.size()});
            return Mono.delay(Duration.ofNanos(FIXED_NANOS + perItemNanos * batch.size()), scheduler)
                    .map(x -> {
                        acks.add(new long[] {System.nanoTime(), items.addAndGet(batch.size())});
                        return batch.size();
                    });
        }

        void close() {
            scheduler.dispose();
        }
    }

    static Flux<Long> endless() {
        return Flux.generate(() -> 0L, (i, s) -> {
            s.next(i);
            return i + 1;
        });
    }

    /**
     * The baseline. {@code fairBackpressure = true}: Reactor's default mode fails this very pipeline with
     * "Could not emit buffer due to lack of requests" when the timer fires while the sink is busy (seen in our first
     * runs); the fair mode is the one that respects demand.
     */
    static Function<Flux<Long>, Flux<Integer>> fixed(Sink sink, int size) {
        return f -> f.bufferTimeout(size, MAX_WAIT, true).concatMap(sink::write, 1);
    }

    static Function<Flux<Long>, Flux<Integer>> adaptive(Sink sink) {
        return f -> f.transform(AdaptiveBatch.<Long, Integer>into(sink::write)
                .latencyTarget(TARGET).maxWait(MAX_WAIT).initialSize(16).maxSize(100_000).build());
    }

    /**
     * Items per second over [warmup, warmup + measure]; {@code jumpAt} (ms from start, or -1) doubles per-item cost.
     * Measured between the first and the last batch acknowledged inside the window, so a batch straddling the edge
     * (up to 255 ms for the largest size) does not quantise the figure.
     */
    static double run(Sink sink, Function<Flux<Long>, Flux<Integer>> op, long warmupMs, long measureMs, long jumpAtMs)
            throws InterruptedException {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Disposable d = endless().transform(op).subscribe(x -> { }, failed::set);
        long start = System.nanoTime();
        if (jumpAtMs >= 0 && jumpAtMs <= warmupMs) {
            Thread.sleep(jumpAtMs);
            sink.perItemNanos = 2 * PER_ITEM_NANOS;
            Thread.sleep(warmupMs - jumpAtMs);
        } else {
            Thread.sleep(warmupMs);
        }
        long t0 = System.nanoTime();
        long before = sink.items.get();
        if (jumpAtMs > warmupMs) {
            Thread.sleep(jumpAtMs - warmupMs);
            sink.perItemNanos = 2 * PER_ITEM_NANOS;
            Thread.sleep(warmupMs + measureMs - jumpAtMs);
        } else {
            Thread.sleep(measureMs);
        }
        long t1 = System.nanoTime();
        d.dispose();
        if (failed.get() != null) {
            throw new IllegalStateException("the pipeline under test failed; its figure would be meaningless", failed.get());
        }
        long[] first = null;
        long[] last = null;
        for (long[] a : sink.acks) {
            if (a[0] >= t0 && a[0] <= t1) {
                if (first == null) {
                    first = a;
                }
                last = a;
            }
        }
        if (first == null || first == last) {
            return (sink.items.get() - before) * 1e9 / (t1 - t0);
        }
        return (last[1] - first[1]) * 1e9 / (last[0] - first[0]);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        long seconds = 4;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--seconds")) {
                seconds = Long.parseLong(args[++i]);
            }
        }
        long warm = 1000;
        long measure = seconds * 1000 - warm;

        List<List<Double>> steadyFixed = new ArrayList<>();
        for (int ignored : SIZES) {
            steadyFixed.add(new ArrayList<>());
        }
        List<Double> steadyAdaptive = new ArrayList<>();
        List<Double> steadyAdaptiveSize = new ArrayList<>();
        List<List<Double>> jumpFixed = new ArrayList<>();
        for (int ignored : SIZES) {
            jumpFixed.add(new ArrayList<>());
        }
        List<Double> jumpAdaptive = new ArrayList<>();
        List<Double> reconverge = new ArrayList<>();
        List<Double> lowP50 = new ArrayList<>();
        List<Double> lowP99 = new ArrayList<>();
        List<Double> lowMax = new ArrayList<>();
        List<Double> lowSinkP99 = new ArrayList<>();
        List<Double> lowBaseP50 = new ArrayList<>();
        List<Double> lowBaseP99 = new ArrayList<>();
        List<Double> lowBaseMax = new ArrayList<>();

        for (int r = 0; r < rounds; r++) {
            // 1. steady
            for (int k = 0; k < SIZES.length; k++) {
                Sink sink = new Sink();
                steadyFixed.get(k).add(run(sink, fixed(sink, SIZES[k]), warm, measure, -1));
                sink.close();
            }
            Sink s1 = new Sink();
            steadyAdaptive.add(run(s1, adaptive(s1), warm, measure, -1));
            long[] lastSizes = s1.log.stream().skip(Math.max(0, s1.log.size() - 10)).mapToLong(x -> x[1]).toArray();
            steadyAdaptiveSize.add(Arrays.stream(lastSizes).average().orElse(0));
            s1.close();

            // 2. jump half-way through a 2x longer run
            long jumpTotal = 2 * (warm + measure);
            long jumpAt = jumpTotal / 2;
            for (int k = 2; k < SIZES.length; k++) {
                Sink sink = new Sink();
                jumpFixed.get(k).add(run(sink, fixed(sink, SIZES[k]), warm, jumpTotal - warm, jumpAt));
                sink.close();
            }
            Sink s2 = new Sink();
            long runStart = System.nanoTime();
            jumpAdaptive.add(run(s2, adaptive(s2), warm, jumpTotal - warm, jumpAt));
            reconverge.add(settleSeconds(s2.log, runStart + jumpAt * 1_000_000L, (TARGET.toNanos() - FIXED_NANOS) / (2 * PER_ITEM_NANOS)));
            s2.close();

            // 3. low input rate: adaptive, and bufferTimeout on the same timer as the baseline for timer jitter
            double[] w = lowRate(measure, (sink, waits) -> f -> f.transform(AdaptiveBatch.<Long, Integer>into(b -> {
                waits.add(System.nanoTime() - b.get(0));
                return sink.write(b);
            }).latencyTarget(TARGET).maxWait(MAX_WAIT).build()), lowSinkP99);
            lowP50.add(w[0]);
            lowP99.add(w[1]);
            lowMax.add(w[2]);
            double[] wb = lowRate(measure, (sink, waits) -> f -> f.bufferTimeout(1000, MAX_WAIT, true).concatMap(b -> {
                waits.add(System.nanoTime() - b.get(0));
                return sink.write(b);
            }, 1), new ArrayList<>());
            lowBaseP50.add(wb[0]);
            lowBaseP99.add(wb[1]);
            lowBaseMax.add(wb[2]);
            System.err.printf(Locale.ROOT, "round %d done%n", r + 1);
        }

        System.out.printf(Locale.ROOT, "## steady: sink 5 ms + 50 us/item, latency target %d ms (medians of %d rounds, %d s runs)%n",
                TARGET.toMillis(), rounds, seconds);
        double bestFixed = 0;
        int bestSize = 0;
        for (int k = 0; k < SIZES.length; k++) {
            double m = median(steadyFixed.get(k));
            if (m > bestFixed) {
                bestFixed = m;
                bestSize = SIZES[k];
            }
            System.out.printf(Locale.ROOT, "bufferTimeout(%5d): %9.0f items/s%n", SIZES[k], m);
        }
        double ad = median(steadyAdaptive);
        System.out.printf(Locale.ROOT, "adaptive          : %9.0f items/s, settled size %.0f (optimum under target 1900)%n", ad,
                median(steadyAdaptiveSize));
        System.out.printf(Locale.ROOT, "adaptive / best fixed (%d) = %.3f%n", bestSize, ad / bestFixed);
        System.out.printf(Locale.ROOT, "per round adaptive/best-fixed: %s%n", perRound(steadyAdaptive, steadyFixed));

        System.out.printf(Locale.ROOT, "## jump: per-item cost 50 -> 100 us half-way through a %d s run%n", 2 * seconds);
        double bestJump = 0;
        int bestJumpSize = 0;
        for (int k = 2; k < SIZES.length; k++) {
            double m = median(jumpFixed.get(k));
            if (m > bestJump) {
                bestJump = m;
                bestJumpSize = SIZES[k];
            }
            System.out.printf(Locale.ROOT, "bufferTimeout(%5d): %9.0f items/s%n", SIZES[k], m);
        }
        double aj = median(jumpAdaptive);
        System.out.printf(Locale.ROOT, "adaptive          : %9.0f items/s%n", aj);
        System.out.printf(Locale.ROOT, "adaptive / best fixed (%d) = %.3f%n", bestJumpSize, aj / bestJump);
        System.out.printf(Locale.ROOT, "re-convergence after the jump (within 10%% of new optimum 950): median %.2f s, runs %s%n",
                median(reconverge), reconverge);

        System.out.printf(Locale.ROOT, "## low rate: 500 items/s, max wait %d ms%n", MAX_WAIT.toMillis());
        System.out.printf(Locale.ROOT, "first element's wait before hand-over: p50 %.1f ms, p99 %.1f ms, max %.1f ms (max wait %d ms; p50/maxWait %.3f, p99/maxWait %.3f)%n",
                median(lowP50), median(lowP99), median(lowMax), MAX_WAIT.toMillis(), median(lowP50) / MAX_WAIT.toMillis(),
                median(lowP99) / MAX_WAIT.toMillis());
        System.out.printf(Locale.ROOT, "baseline bufferTimeout(1000, 50 ms): p50 %.1f ms, p99 %.1f ms, max %.1f ms; adaptive/baseline p99 %.3f%n",
                median(lowBaseP50), median(lowBaseP99), median(lowBaseMax), median(lowP99) / median(lowBaseP99));
        System.out.printf(Locale.ROOT, "sink (batch) latency p99: %.1f ms (p99/maxWait %.3f)%n", median(lowSinkP99),
                median(lowSinkP99) / MAX_WAIT.toMillis());
    }

    private static String perRound(List<Double> adaptive, List<List<Double>> fixed) {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < adaptive.size(); r++) {
            double best = 0;
            for (List<Double> f : fixed) {
                best = Math.max(best, f.get(r));
            }
            out.add(String.format(Locale.ROOT, "%.3f", adaptive.get(r) / best));
        }
        return out.toString();
    }

    interface LowRateOp {
        Function<Flux<Long>, Flux<Integer>> make(Sink sink, ConcurrentLinkedQueue<Long> waits);
    }

    /** 500 items/s through {@code op}; returns p50, p99, max of the first element's wait before hand-over, in ms. */
    static double[] lowRate(long measureMs, LowRateOp op, List<Double> sinkP99) throws InterruptedException {
        Sink sink = new Sink();
        ConcurrentLinkedQueue<Long> waits = new ConcurrentLinkedQueue<>();
        Disposable d = Flux.interval(Duration.ofMillis(2))
                .onBackpressureDrop()
                .map(i -> System.nanoTime())
                .transform(op.make(sink, waits))
                .subscribe();
        Thread.sleep(Math.max(2000, measureMs));
        d.dispose();
        sink.close();
        sinkP99.add(sinkLatencyP99(sink));
        double[] w = waits.stream().skip(2).mapToDouble(x -> x / 1e6).sorted().toArray();
        return new double[] {w[w.length / 2], w[(int) Math.floor(0.99 * (w.length - 1))], w[w.length - 1]};
    }

    /** p99 of hand-over to acknowledgement, in ms; the sink acknowledges in hand-over order (one scheduler, FIFO). */
    static double sinkLatencyP99(Sink sink) {
        long[][] in = sink.log.toArray(new long[0][]);
        long[][] out = sink.acks.toArray(new long[0][]);
        int n = Math.min(in.length, out.length);
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            ms[i] = (out[i][0] - in[i][0]) / 1e6;
        }
        Arrays.sort(ms);
        return n == 0 ? Double.NaN : ms[(int) Math.floor(0.99 * (n - 1))];
    }

    /** Seconds from {@code jumpNanos} until every later batch size is within 10 % of {@code optimum}. */
    static double settleSeconds(ConcurrentLinkedQueue<long[]> log, long jumpNanos, long optimum) {
        long settledAt = jumpNanos;
        for (long[] e : log) {
            if (e[0] >= jumpNanos && Math.abs(e[1] - optimum) > optimum / 10) {
                settledAt = e[0];
            }
        }
        return (settledAt - jumpNanos) / 1e9;
    }
}
