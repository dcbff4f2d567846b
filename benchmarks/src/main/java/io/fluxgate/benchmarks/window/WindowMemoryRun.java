package io.fluxgate.benchmarks.window;

import io.fluxgate.benchmarks.window.WindowEvents.Event;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;

/**
 * End-to-end memory run: {@code java -Xmx256m -cp benchmarks.jar io.fluxgate.benchmarks.window.WindowMemoryRun
 * operator|naive [events]}. Events are generated on the fly with a fresh id string each (as decoded from Kafka), so
 * only what the pipeline retains stays on the heap. Prints events/s and the largest heap in use right after a GC
 * (the live set), sampled after a full GC every second (which slows the run; events/s here is not a throughput figure).
 */
public final class WindowMemoryRun {

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "operator";
        long n = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        WindowEvents gen = new WindowEvents(42);
        Flux<Event> source = Flux.generate(() -> 0L, (i, sink) -> {
            if (i == n) {
                sink.complete();
            } else {
                sink.next(gen.next(true));
            }
            return i + 1;
        });
        AtomicLong liveMax = new AtomicLong();
        // Every second: a full GC, then the heap in use is the live set of the pipeline at that moment.
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                System.gc();
                liveMax.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        long results;
        if (mode.equals("naive")) {
            results = source.groupBy(e -> Math.floorDiv(e.ts(), 60L))
                    .flatMap(g -> g.map(Event::uid).distinct().count())
                    .count().block();
        } else {
            results = source.transform(UniqueUsersBenchmark.operator()).count().block();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.gc();
        Thread.sleep(100);
        sampler.interrupt();
        System.out.printf("mode=%s events=%d windows=%d seconds=%.2f events/s=%.0f maxHeap=%dMiB liveHeapMax=%dMiB%n",
                mode, n, results, secs, n / secs, Runtime.getRuntime().maxMemory() >> 20, liveMax.get() >> 20);
    }

    private WindowMemoryRun() {
    }
}
