package io.fluxgate.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.reactivestreams.Subscription;

import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Batching against a reference model: greedy packing by count and weight. Whatever the demand pattern, the batches
 * must be exactly the model's (so nothing is lost, duplicated or reordered and every bound holds), no batch may
 * arrive without demand, and upstream may never have more than one size bound of elements requested or buffered.
 */
class AdaptiveBatchPropertiesTest {

    /** Greedy packing: a batch closes at maxSize, at maxWeight, or before an element that would exceed maxWeight. */
    static List<List<Integer>> model(List<Integer> weights, int maxSize, long maxWeight) {
        List<List<Integer>> out = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        long w = 0;
        for (int x : weights) {
            if (!cur.isEmpty() && w + x > maxWeight) {
                out.add(cur);
                cur = new ArrayList<>();
                w = 0;
            }
            cur.add(x);
            w += x;
            if (cur.size() >= maxSize || w >= maxWeight) {
                out.add(cur);
                cur = new ArrayList<>();
                w = 0;
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    @Property(tries = 300)
    void batchesEqualTheModelUnderAnyDemandPattern(
            @ForAll @Size(max = 120) List<@IntRange(min = 0, max = 20) Integer> weights,
            @ForAll @IntRange(min = 1, max = 12) int maxSize,
            @ForAll @IntRange(min = 1, max = 60) int maxWeight,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 5) Integer> requestPattern) {
        AtomicLong upstreamRequested = new AtomicLong();
        AtomicLong upstreamDelivered = new AtomicLong();
        List<List<Integer>> received = new ArrayList<>();
        long[] downstreamRequested = {0};
        boolean[] completed = {false};
        BaseSubscriber<List<Integer>> subscriber = new BaseSubscriber<>() {
            int next;

            @Override
            protected void hookOnSubscribe(Subscription s) {
                more();
            }

            private void more() {
                int n = requestPattern.get(next++ % requestPattern.size());
                downstreamRequested[0] += n;
                request(n);
            }

            @Override
            protected void hookOnNext(List<Integer> batch) {
                received.add(batch);
                assertThat((long) received.size()).as("batch without demand").isLessThanOrEqualTo(downstreamRequested[0]);
                if (received.size() == downstreamRequested[0]) {
                    more();
                }
            }

            @Override
            protected void hookOnComplete() {
                completed[0] = true;
            }
        };
        Flux.fromIterable(weights)
                .doOnRequest(upstreamRequested::addAndGet)
                .doOnNext(x -> {
                    long inFlightOrBuffered = upstreamRequested.get() - upstreamDelivered.get()
                            + (upstreamDelivered.incrementAndGet() - 1 - received.stream().mapToLong(List::size).sum());
                    assertThat(inFlightOrBuffered).as("elements requested or buffered").isLessThanOrEqualTo(maxSize);
                })
                .transform(AdaptiveBatch.<Integer>builder().maxSize(maxSize).maxWeight(maxWeight, x -> x)
                        .maxWait(Duration.ofHours(1)).build())
                .subscribe(subscriber);

        assertThat(completed[0]).isTrue();
        assertThat(received).isEqualTo(model(weights, maxSize, maxWeight));
        for (List<Integer> b : received) {
            assertThat(b).isNotEmpty().hasSizeLessThanOrEqualTo(maxSize);
            long w = b.stream().mapToLong(Integer::longValue).sum();
            assertThat(b.size() == 1 || w <= maxWeight).as("weight bound of %s", b).isTrue();
        }
    }

    @Property(tries = 200)
    void underUnboundedDemandEveryBatchLeavesWithinMaxWaitOfItsFirstElementAndExactlyAtItIfNotFull(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 300) Integer> gapsMillis,
            @ForAll @IntRange(min = 1, max = 8) int maxSize,
            @ForAll @IntRange(min = 1, max = 250) int maxWaitMillis) {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        long[] arrival = new long[gapsMillis.size()];
        List<List<Integer>> batches = new ArrayList<>();
        List<Long> emittedAt = new ArrayList<>();
        boolean[] completed = {false};
        Flux<Integer> source = Flux.range(0, gapsMillis.size())
                .concatMap(i -> Mono.delay(Duration.ofMillis(gapsMillis.get(i)), vts).thenReturn(i))
                .doOnNext(i -> arrival[i] = vts.now(TimeUnit.MILLISECONDS));
        // a silent tail so the last batch closes by time, not by completion
        source.concatWith(Mono.delay(Duration.ofSeconds(10), vts).then(Mono.empty()))
                .transform(AdaptiveBatch.<Integer>builder().maxSize(maxSize).maxWait(Duration.ofMillis(maxWaitMillis))
                        .scheduler(vts).build())
                .subscribe(b -> {
                    batches.add(b);
                    emittedAt.add(vts.now(TimeUnit.MILLISECONDS));
                }, e -> { }, () -> completed[0] = true);
        vts.advanceTimeBy(Duration.ofHours(1));
        vts.dispose();

        assertThat(completed[0]).isTrue();
        assertThat(batches.stream().flatMap(List::stream).toList())
                .containsExactlyElementsOf(Flux.range(0, gapsMillis.size()).collectList().block());
        for (int k = 0; k < batches.size(); k++) {
            List<Integer> b = batches.get(k);
            assertThat(b).isNotEmpty().hasSizeLessThanOrEqualTo(maxSize);
            long age = emittedAt.get(k) - arrival[b.get(0)];
            assertThat(age).as("age of %s", b).isLessThanOrEqualTo(maxWaitMillis);
            if (b.size() < maxSize) {
                assertThat(age).as("a partial batch leaves exactly at max wait: %s", b).isEqualTo(maxWaitMillis);
            }
        }
    }
}
