package io.fluxgate.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class BatchDrainTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final Scheduler scheduler = Schedulers.newSingle("batch-drain-test", true);

    @AfterEach
    void dispose() {
        scheduler.dispose();
    }

    private <T> BatchDrain<List<T>, T> drain(Flux<List<T>> batches) {
        return new BatchDrain<>(batches, List::iterator, scheduler, 2);
    }

    @Test
    void emitsTheElementsOfEachBatchInOrderWithinDemand() {
        StepVerifier.create(drain(Flux.just(List.of(1, 2, 3), List.<Integer>of(), List.of(4, 5))), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(2)
                .expectNext(1, 2)
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(3)
                .expectNext(3, 4, 5)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void asksForPrefetchBatchesThenOneForEachUsedUp() {
        TestPublisher<List<Integer>> up = TestPublisher.createCold();
        AtomicLong requested = new AtomicLong();
        Flux<List<Integer>> counted = up.flux().doOnRequest(requested::addAndGet);
        StepVerifier.create(new BatchDrain<>(counted, List::iterator, scheduler, 2), 0)
                .expectSubscription()
                .then(() -> assertThat(requested).hasValue(2))
                .then(() -> up.next(List.of(1, 2), List.of(3)))
                // the first batch is not used up before its last element is emitted
                .thenRequest(1)
                .expectNext(1)
                .then(() -> assertThat(requested).hasValue(2))
                .thenRequest(1)
                .expectNext(2)
                .thenRequest(1)
                .expectNext(3)
                .thenAwait(Duration.ofMillis(50))
                .then(() -> assertThat(requested).hasValue(4))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void batchesOfNothingAreUsedUpWithoutDemandOnceEveryElementBeforeThemIsEmitted() {
        List<String> effects = new CopyOnWriteArrayList<>();
        Flux<List<Integer>> batches = Flux.just(List.of(1), List.<Integer>of(), List.<Integer>of());
        Flux<Integer> out = new BatchDrain<>(batches, (List<Integer> b) -> {
            effects.add(b.isEmpty() ? "marker" : "batch");
            return b.isEmpty() ? Collections.<Integer>emptyIterator() : b.iterator();
        }, scheduler, 4);
        StepVerifier.create(out, 0)
                .expectSubscription()
                .thenAwait(Duration.ofMillis(50))
                .then(() -> assertThat(effects).containsExactly("batch"))
                .thenRequest(1)
                .expectNext(1)
                // the completion needs no demand either
                .expectComplete()
                .verify(WAIT);
        assertThat(effects).containsExactly("batch", "marker", "marker");
    }

    @Test
    void anUpstreamErrorOvertakesTheQueuedBatches() {
        TestPublisher<List<Integer>> up = TestPublisher.create();
        StepVerifier.create(new BatchDrain<>(up.flux(), List::iterator, scheduler, 4), 0)
                .expectSubscription()
                .then(() -> up.next(List.of(1, 2)).error(new IllegalStateException("consumer failed")))
                .expectErrorMessage("consumer failed")
                .verify(WAIT);
    }

    @Test
    void aFailingIteratorCancelsUpstreamAndErrors() {
        TestPublisher<List<Integer>> up = TestPublisher.create();
        Iterator<Integer> failing = new Iterator<>() {
            @Override
            public boolean hasNext() {
                throw new IllegalArgumentException("cannot admit");
            }

            @Override
            public Integer next() {
                throw new AssertionError();
            }
        };
        StepVerifier.create(new BatchDrain<>(up.flux(), (List<Integer> b) -> failing, scheduler, 4))
                .then(() -> up.next(List.of(1)))
                .expectErrorMessage("cannot admit")
                .verify(WAIT);
        up.assertCancelled();
    }

    @Test
    void cancelCancelsUpstreamAndStopsInTheMiddleOfABatch() {
        Sinks.Many<List<Integer>> up = Sinks.many().unicast().onBackpressureBuffer();
        AtomicLong iterated = new AtomicLong();
        Flux<Integer> out = new BatchDrain<>(up.asFlux(), (List<Integer> b) -> b.stream().peek(i -> iterated.incrementAndGet()).iterator(),
                scheduler, 2);
        up.tryEmitNext(List.of(1, 2, 3, 4, 5));
        StepVerifier.create(out.take(2))
                .expectNext(1, 2)
                .expectComplete()
                .verify(WAIT);
        assertThat(up.currentSubscriberCount()).isZero();
        assertThat(iterated.get()).isLessThan(5);
    }

    @Test
    void refusesANonPositivePrefetch() {
        assertThatThrownBy(() -> new BatchDrain<List<Integer>, Integer>(Flux.empty(), List::iterator, scheduler, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }
}
