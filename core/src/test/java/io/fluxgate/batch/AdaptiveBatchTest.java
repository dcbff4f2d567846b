package io.fluxgate.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class AdaptiveBatchTest {

    private static final Duration LONG = Duration.ofHours(1);

    private static <T> Function<Flux<T>, Flux<List<T>>> sized(int n) {
        return AdaptiveBatch.of(n, LONG);
    }

    @Test
    void batchesByCountAndFlushesThePartialBatchOnCompletion() {
        StepVerifier.create(Flux.range(1, 10).transform(sized(3)))
                .expectNext(List.of(1, 2, 3), List.of(4, 5, 6), List.of(7, 8, 9), List.of(10))
                .verifyComplete();
    }

    @Test
    void emptySourceEmitsNoBatch() {
        StepVerifier.withVirtualTime(() -> Flux.<Integer>empty().transform(AdaptiveBatch.of(3, Duration.ofSeconds(1))))
                .verifyComplete();
        StepVerifier.withVirtualTime(() -> Flux.<Integer>never().transform(AdaptiveBatch.of(3, Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(10))
                .thenCancel()
                .verify();
    }

    @Test
    void batchesByWeightClosingBeforeAnElementThatWouldOverflow() {
        Function<Flux<Integer>, Flux<List<Integer>>> byWeight = AdaptiveBatch.<Integer>builder()
                .maxSize(100).maxWeight(10, i -> i).maxWait(LONG).build();
        StepVerifier.create(Flux.just(3, 4, 5, 2, 9, 20, 5, 5, 0, 1).transform(byWeight))
                .expectNext(List.of(3, 4), List.of(5, 2), List.of(9), List.of(20), List.of(5, 5), List.of(0, 1))
                .verifyComplete();
    }

    @Test
    void countBoundWinsWhenReachedBeforeTheWeightBound() {
        Function<Flux<Integer>, Flux<List<Integer>>> op = AdaptiveBatch.<Integer>builder()
                .maxSize(2).maxWeight(1_000, i -> i).maxWait(LONG).build();
        StepVerifier.create(Flux.just(1, 1, 1).transform(op))
                .expectNext(List.of(1, 1), List.of(1))
                .verifyComplete();
    }

    @Test
    void maxWaitIsMeasuredFromTheBatchsFirstElement() {
        StepVerifier.withVirtualTime(() -> Flux.concat(
                                Mono.just(1),
                                Mono.delay(Duration.ofMillis(600)).thenReturn(2),
                                Mono.delay(Duration.ofMillis(700)).thenReturn(3),
                                Flux.never())
                        .transform(AdaptiveBatch.of(10, Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(List.of(1, 2))
                // element 3 arrived at 1300 ms, so its batch is due at 2300 ms, not at 2000 ms
                .expectNoEvent(Duration.ofMillis(1299))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(List.of(3))
                .thenCancel()
                .verify();
    }

    @Test
    void sizeBoundClosesTheBatchBeforeMaxWaitAndTheTimerIsRestartedForTheNextBatch() {
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just(1, 2, 3), Flux.never())
                        .transform(AdaptiveBatch.of(2, Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNext(List.of(1, 2))
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(List.of(3))
                .thenCancel()
                .verify();
    }

    @Test
    void noDemandMeansNoUpstreamRequestAndNoBatch() {
        List<Long> upstreamRequests = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.range(1, 100).doOnRequest(upstreamRequests::add).transform(sized(10)), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> assertThat(upstreamRequests).isEmpty())
                .thenRequest(1)
                .expectNext(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
                .then(() -> assertThat(upstreamRequests).containsExactly(10L))
                .thenRequest(1)
                .expectNext(List.of(11, 12, 13, 14, 15, 16, 17, 18, 19, 20))
                .then(() -> assertThat(upstreamRequests).containsExactly(10L, 10L))
                .thenCancel()
                .verify();
    }

    @Test
    void unboundedDownstreamDemandIsNeverForwardedUnbounded() {
        List<Long> upstreamRequests = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.range(1, 25).doOnRequest(upstreamRequests::add).transform(sized(10)))
                .expectNextCount(3)
                .verifyComplete();
        assertThat(upstreamRequests).allSatisfy(r -> assertThat(r).isLessThanOrEqualTo(10L));
        assertThat(upstreamRequests.stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(30L);
    }

    @Test
    void timedOutBatchWithoutDemandKeepsFillingAndIsEmittedOnTheNextRequest() {
        StepVerifier.withVirtualTime(() -> Flux.concat(
                                Flux.just(1, 2),
                                Mono.delay(Duration.ofMillis(1500)).thenReturn(3),
                                Mono.delay(Duration.ofMillis(1500)).thenReturn(4),
                                Flux.never())
                        .transform(AdaptiveBatch.of(5, Duration.ofSeconds(1))), 1)
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(List.of(1, 2))
                // 3 arrives at 1.5 s and its max wait passes at 2.5 s without demand: nothing is emitted...
                .expectNoEvent(Duration.ofSeconds(3))
                // ...4 (at 3 s) joined the timed-out batch, and the next request gets both at once
                .thenRequest(1)
                .expectNext(List.of(3, 4))
                .thenCancel()
                .verify();
    }

    @Test
    void fullBatchWithoutDemandWaitsAndUpstreamIsNotPulledFurther() {
        List<Long> upstreamRequests = new CopyOnWriteArrayList<>();
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().doOnRequest(upstreamRequests::add).transform(sized(3)), 1)
                .then(() -> source.next(1, 2, 3))
                .expectNext(List.of(1, 2, 3))
                .then(() -> assertThat(upstreamRequests).containsExactly(3L))
                .thenRequest(1)
                .then(() -> source.next(4, 5, 6))
                .expectNext(List.of(4, 5, 6))
                .then(() -> assertThat(upstreamRequests).containsExactly(3L, 3L))
                .then(source::complete)
                .verifyComplete();
    }

    @Test
    void partialBatchOnCompletionWaitsForDemand() {
        StepVerifier.create(Flux.range(1, 4).transform(sized(3)), 1)
                .expectNext(List.of(1, 2, 3))
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext(List.of(4))
                .verifyComplete();
    }

    @Test
    void cancelDiscardsBufferedElementsAndIsIdempotent() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        List<List<Integer>> received = new ArrayList<>();
        BaseSubscriber<List<Integer>> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(1);
            }

            @Override
            protected void hookOnNext(List<Integer> value) {
                received.add(value);
            }
        };
        Flux.concat(Flux.range(1, 5), Flux.never())
                .transform(sized(10))
                .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add))
                .subscribe(subscriber);
        subscriber.cancel();
        subscriber.cancel();
        assertThat(received).isEmpty();
        assertThat(discarded).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void upstreamErrorDiscardsTheBufferAndPropagatesAtOnce() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.concat(Flux.range(1, 5), Flux.error(new IllegalStateException("boom")))
                        .transform(sized(3))
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .expectNext(List.of(1, 2, 3))
                .expectErrorMessage("boom")
                .verify();
        assertThat(discarded).containsExactly(4, 5);
    }

    @Test
    void timedOutBatchWaitingForDemandIsDiscardedOnCancel() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> Flux.concat(
                                Flux.just(1, 2),
                                Mono.delay(Duration.ofMillis(1500)).thenReturn(3),
                                Flux.never())
                        .transform(AdaptiveBatch.of(5, Duration.ofSeconds(1)))
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)), 1)
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(List.of(1, 2))
                .expectNoEvent(Duration.ofSeconds(2))
                .thenCancel()
                .verify();
        // Mono.delay discards its tick value on cancel too; only the batch's elements matter here
        assertThat(discarded).filteredOn(Integer.class::isInstance).containsExactly(3);
    }

    @Test
    void throwingWeigherFailsTheStreamAndDiscardsEverything() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        Function<Flux<Integer>, Flux<List<Integer>>> op = AdaptiveBatch.<Integer>builder()
                .maxSize(10).maxWait(LONG)
                .maxWeight(100, i -> {
                    if (i == 3) {
                        throw new IllegalStateException("cannot weigh 3");
                    }
                    return 1;
                }).build();
        StepVerifier.create(Flux.range(1, 5).transform(op)
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .expectErrorMessage("cannot weigh 3")
                .verify();
        assertThat(discarded).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void negativeWeightIsAClearError() {
        Function<Flux<Integer>, Flux<List<Integer>>> op = AdaptiveBatch.<Integer>builder()
                .maxSize(10).maxWait(LONG).maxWeight(100, i -> -i).build();
        StepVerifier.create(Flux.range(1, 5).transform(op))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("negative weight -1"))
                .verify();
    }

    @Test
    void signalsAfterTerminationAreDroppedNotEmitted() {
        TestPublisher<Integer> source = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        StepVerifier.create(source.flux().transform(sized(2)))
                .then(() -> source.next(1).complete().next(2).error(new IllegalStateException("late")))
                .expectNext(List.of(1))
                .expectComplete()
                .verifyThenAssertThat()
                .hasDroppedElements()
                .hasDroppedErrors(1);
    }

    @Test
    void reusableTransformerGivesEachSubscriptionItsOwnState() {
        Function<Flux<Integer>, Flux<List<Integer>>> op = sized(2);
        Flux<List<Integer>> batched = Flux.range(1, 3).transform(op);
        StepVerifier.create(batched).expectNext(List.of(1, 2), List.of(3)).verifyComplete();
        StepVerifier.create(batched).expectNext(List.of(1, 2), List.of(3)).verifyComplete();
    }

    @Test
    void worksAcrossThreadsWithARealScheduler() {
        List<Integer> flat = Flux.range(0, 20_000)
                .publishOn(Schedulers.boundedElastic(), 64)
                .transform(AdaptiveBatch.of(37, Duration.ofMillis(1)))
                .publishOn(Schedulers.parallel(), 4)
                .flatMapIterable(b -> {
                    assertThat(b).isNotEmpty().hasSizeLessThanOrEqualTo(37);
                    return b;
                })
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(flat).hasSize(20_000);
        for (int i = 0; i < flat.size(); i++) {
            assertThat(flat.get(i)).isEqualTo(i);
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheValueInTheMessage() {
        assertThatThrownBy(() -> AdaptiveBatch.builder().maxSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSize").hasMessageContaining("0");
        assertThatThrownBy(() -> AdaptiveBatch.builder().maxWait(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait");
        assertThatThrownBy(() -> AdaptiveBatch.builder().maxWait(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-0.001");
        assertThatThrownBy(() -> AdaptiveBatch.builder().maxWait(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AdaptiveBatch.<Integer>builder().maxWeight(0, i -> i))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWeight");
        assertThatThrownBy(() -> AdaptiveBatch.<Integer>builder().maxWeight(10, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AdaptiveBatch.builder().scheduler(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AdaptiveBatch.into(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AdaptiveBatch.into(b -> Mono.empty()).maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
        assertThatThrownBy(() -> AdaptiveBatch.into(b -> Mono.empty()).minSize(5).maxSize(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minSize 5 > maxSize 4");
        assertThatThrownBy(() -> AdaptiveBatch.into(b -> Mono.empty()).latencyTarget(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latencyTarget");
    }
}
