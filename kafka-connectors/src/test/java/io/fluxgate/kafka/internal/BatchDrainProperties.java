package io.fluxgate.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@link BatchDrain} against its model, the concatenation of the batches: any batches (empty ones among them), any
 * prefetch, any sequence of requests. The elements come in order, never beyond demand, each batch is expanded once
 * and in order, and the drain completes once demand covers every element.
 */
class BatchDrainProperties {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Scheduler scheduler;

    @BeforeContainer
    static void start() {
        scheduler = Schedulers.newSingle("batch-drain-properties", true);
    }

    @AfterContainer
    static void stop() {
        scheduler.dispose();
    }

    @Provide
    Arbitrary<List<List<Integer>>> batches() {
        return Arbitraries.integers().between(0, 99).list().ofMaxSize(6).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<Integer>> requests() {
        return Arbitraries.integers().between(1, 7).list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 200)
    void emitsTheConcatenationOfTheBatchesWithinDemand(@ForAll("batches") List<List<Integer>> batches,
                                                       @ForAll("requests") List<Integer> requests,
                                                       @ForAll("prefetch") int prefetch) throws InterruptedException {
        List<Integer> expected = new ArrayList<>();
        batches.forEach(expected::addAll);
        List<List<Integer>> expanded = new CopyOnWriteArrayList<>();
        Flux<Integer> drain = new BatchDrain<>(Flux.fromIterable(batches), (List<Integer> b) -> {
            expanded.add(b);
            return b.iterator();
        }, scheduler, prefetch);

        Collector out = new Collector();
        drain.subscribe(out);
        long demand = 0;
        for (int r : requests) {
            demand += r;
            out.request(r);
            out.awaitCount(Math.min(demand, expected.size()));
        }
        // whatever is left, so that the drain can complete
        out.requestTheRest();
        assertThat(out.done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("completed").isTrue();

        assertThat(out.beyondDemand).as("elements beyond demand").isZero();
        assertThat(out.error).isNull();
        assertThat(out.received).containsExactlyElementsOf(expected);
        assertThat(expanded).containsExactlyElementsOf(batches);
    }

    @Provide
    Arbitrary<Integer> prefetch() {
        return Arbitraries.integers().between(1, 5);
    }

    /** Requests only when told to; checks each element against the demand given so far. */
    private static final class Collector extends BaseSubscriber<Integer> {
        final List<Integer> received = new CopyOnWriteArrayList<>();
        final AtomicLong requested = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(1);
        volatile long beyondDemand;
        volatile Throwable error;

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
        }

        void request(int n) {
            requested.addAndGet(n);
            request((long) n);
        }

        void requestTheRest() {
            requested.set(Long.MAX_VALUE);
            requestUnbounded();
        }

        @Override
        protected void hookOnNext(Integer v) {
            received.add(v);
            if (received.size() > requested.get()) {
                beyondDemand++;
            }
        }

        @Override
        protected void hookOnError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        protected void hookOnComplete() {
            done.countDown();
        }

        /** Waits (at most {@link #WAIT}) for {@code n} elements: the drain runs on its own thread. */
        void awaitCount(long n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() < n && System.nanoTime() - deadline < 0) {
                // polls the count, no fixed sleep: the elements come from the drain's thread
                Thread.onSpinWait();
                Thread.yield();
            }
            assertThat(received).as("elements after %d requested", n).hasSizeGreaterThanOrEqualTo((int) n);
        }
    }
}
