package io.fluxgate.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/**
 * {@link FluxBatch} at a fixed size bound, as {@code PostgresCopySink}'s default batching runs it: in lists of the
 * caller's own, asking the source for exactly the elements of the requested batches, each batch emitted by the
 * thread that completes it (so the first is on its way before the second is produced).
 */
class FluxBatchTest {

    /** A list type of the caller's own: every batch must be one. */
    static final class OwnList<T> extends ArrayList<T> {
        private static final long serialVersionUID = 1L;

        OwnList(int capacity) {
            super(capacity);
        }
    }

    private static Function<Flux<Integer>, Flux<List<Integer>>> batching(int size, Duration maxWait) {
        return flux -> new FluxBatch<Integer>(flux, () -> size, Long.MAX_VALUE, null, maxWait.toNanos(), null,
                n -> new OwnList<>(size));
    }

    @Test
    void cutsFullListsAndALastPartialOneInOrder() {
        StepVerifier.create(Flux.range(0, 10).transform(batching(4, Duration.ofSeconds(10))))
                .expectNext(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9))
                .expectComplete().verify(Duration.ofSeconds(5));
        StepVerifier.create(Flux.<Integer>empty().transform(batching(4, Duration.ofSeconds(10))))
                .expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test
    void asksTheSourceForExactlyTheRequestedListsAndEmitsTheFirstBeforeProducingTheSecond() {
        List<Long> upstreamRequests = new CopyOnWriteArrayList<>();
        AtomicLong produced = new AtomicLong();
        List<Long> producedWhenEmitted = new ArrayList<>();
        Flux<List<Integer>> lists = Flux.range(0, 1_000)
                .doOnRequest(upstreamRequests::add)
                .doOnNext(i -> produced.incrementAndGet())
                .transform(batching(100, Duration.ofSeconds(10)))
                .doOnNext(l -> producedWhenEmitted.add(produced.get()));
        StepVerifier.create(lists, 1)
                .expectNextCount(1)
                .thenRequest(2)
                .expectNextCount(2)
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        // a synchronous source: each list leaves as soon as its last element is in, nothing is produced ahead (the
        // source is asked for one batch's elements at a time, however many batches are requested)
        assertThat(upstreamRequests).containsExactly(100L, 100L, 100L);
        assertThat(producedWhenEmitted).containsExactly(100L, 200L, 300L);
    }

    @Test
    void aPartialListLeavesAfterMaxWaitAndATimedOutOneWaitsForDemand() {
        // element 3 comes at 1 s, when nothing is requested: its list times out at 1.2 s and leaves on the request
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2)
                        .concatWith(Mono.delay(Duration.ofSeconds(1)).thenMany(Flux.just(3)))
                        .concatWith(Flux.never())
                        .transform(batching(10, Duration.ofMillis(200))), 1)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(199))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(List.of(1, 2))
                .expectNoEvent(Duration.ofSeconds(2))
                .thenRequest(1)
                .expectNext(List.of(3))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aFullListWaitsForDemandAndTheSourceIsNotAskedForMore() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(batching(3, Duration.ofSeconds(10))), 1)
                .then(() -> source.assertMinRequested(3).assertMaxRequested(3))
                .then(() -> source.next(1, 2, 3))
                .expectNext(List.of(1, 2, 3))
                .then(() -> source.assertMaxRequested(0))
                .thenRequest(1)
                .then(() -> source.next(4, 5))
                .then(() -> source.complete())
                .expectNext(List.of(4, 5))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anErrorDiscardsTheHeldElementsAndCancelDisposesTheTimer() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.just(1, 2).concatWith(Flux.error(new IllegalStateException("boom")))
                        .transform(batching(5, Duration.ofSeconds(10)))
                        .doOnDiscard(Object.class, discarded::add))
                .expectErrorMessage("boom")
                .verify(Duration.ofSeconds(5));
        assertThat(discarded).containsExactly(1, 2);

        discarded.clear();
        StepVerifier.create(Flux.just(7).concatWith(Flux.never()).transform(batching(5, Duration.ofSeconds(10)))
                        .doOnDiscard(Object.class, discarded::add))
                .expectSubscription()
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(discarded).containsExactly(7);
    }

    @Test
    void anAsynchronousSourceGetsEveryElementInOrderAcrossManyLists() {
        List<Integer> all = Flux.range(0, 100_000).publishOn(Schedulers.parallel(), 256)
                .transform(batching(1_000, Duration.ofMillis(5)))
                .publishOn(Schedulers.single(), 1)
                .flatMapIterable(l -> {
                    assertThat(l).hasSizeLessThanOrEqualTo(1_000);
                    return l;
                })
                .collectList().block(Duration.ofSeconds(30));
        assertThat(all).hasSize(100_000);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i)).isEqualTo(i);
        }
    }

    @Test
    void everyBatchIsAListOfTheCallersOwn() {
        StepVerifier.create(Flux.range(0, 10).transform(batching(4, Duration.ofSeconds(10))))
                .thenConsumeWhile(l -> l instanceof OwnList)
                .expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test
    void aBoundThatGrowsWhileElementsAreRequestedIsAskedForOnceTheyHaveCome() {
        // the bound goes from 2 to 5 after the first request: once the 2 requested are in, the rest (3) is asked for
        AtomicInteger bound = new AtomicInteger(2);
        TestPublisher<Integer> source = TestPublisher.create();
        Flux<List<Integer>> lists = new FluxBatch<Integer>(source.flux(), bound::get, Long.MAX_VALUE, null, 0, null);
        StepVerifier.create(lists, 1)
                .then(() -> source.assertMinRequested(2).assertMaxRequested(2))
                .then(() -> bound.set(5))
                .then(() -> source.next(1))
                .then(() -> source.next(2))
                .then(() -> source.assertMinRequested(3).assertMaxRequested(3))
                .then(() -> source.next(3, 4, 5))
                .expectNext(List.of(1, 2, 3, 4, 5))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }
}
