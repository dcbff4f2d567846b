package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.subscriber.TestSubscriber;
import reactor.test.util.RaceTestUtils;

/**
 * The demand, queue, discard and concurrency behaviour of {@link Outcomes#deadLetter}'s operator while a store is
 * pending (OutcomesTest covers the basic contract).
 */
class DeadLetterOperatorTest {

    private static Outcome<String, Integer> ok(int value) {
        return Outcome.success(String.valueOf(value), value);
    }

    private static Outcome<String, Integer> bad(String input) {
        return Outcome.failure(input, new NumberFormatException("not a number: " + input));
    }

    /** A test subscriber with {@code initialRequest} (unbounded if Long.MAX_VALUE) subscribed behind the operator. */
    private static TestSubscriber<Integer> subscribe(TestPublisher<Outcome<String, Integer>> source,
                                                     ManualDeadLetterSink<String> sink, long initialRequest) {
        TestSubscriber<Integer> downstream = TestSubscriber.builder().initialRequest(initialRequest).build();
        source.flux().transform(Outcomes.deadLetter(sink, "parse")).subscribe(downstream);
        return downstream;
    }

    private static void assertReceivedInOrderThenComplete(TestSubscriber<Integer> downstream, int round,
                                                          Integer... values) {
        assertThat(downstream.getReceivedOnNext()).as("round %d", round).containsExactly(values);
        assertThat(downstream.isTerminatedComplete()).isTrue();
    }

    /** What the operator behind {@code downstream} holds in its queue. */
    private static int queued(TestSubscriber<?> downstream) {
        Scannable operator = Scannable.from(Scannable.from(downstream).scan(Scannable.Attr.PARENT));
        return operator.scanOrDefault(Scannable.Attr.BUFFERED, -1);
    }

    @Test
    void whileAStoreIsPendingDemandIsNotForwardedAndTheQueueHoldsOnlyWhatWasAlreadyRequested() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
        TestSubscriber<Integer> downstream = subscribe(source, sink, 5);
        source.assertMinRequested(5).assertMaxRequested(5);

        source.next(bad("x"), ok(1), ok(2));
        assertThat(downstream.getReceivedOnNext()).isEmpty();
        // the two successes behind the pending letter wait in the queue
        assertThat(queued(downstream)).isEqualTo(2);
        downstream.request(10);
        // 5 requested, 3 delivered, the failure's 1 replenished when its store started: the new request is held
        // back while x's letter is pending
        source.assertMinRequested(3).assertMaxRequested(3);

        sink.store(0);
        assertThat(downstream.getReceivedOnNext()).containsExactly(1, 2);
        // the held-back 10 is forwarded once the store is settled
        source.assertMinRequested(13).assertMaxRequested(13);
        // still queued mode (the store completed on the test's thread, not through an upstream signal): a request
        // made now goes upstream at once all the same
        downstream.request(1);
        source.assertMinRequested(14).assertMaxRequested(14);
        source.next(ok(3)).complete();
        assertThat(downstream.getReceivedOnNext()).containsExactly(1, 2, 3);
        assertThat(downstream.isTerminatedComplete()).isTrue();
    }

    @Test
    void anUnboundedRequestIsForwardedInBatchesSoThatThePendingQueueStaysBounded() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        List<Long> upstreamRequests = new CopyOnWriteArrayList<>();
        Flux<Outcome<String, Integer>> source = Flux.range(0, 1000)
                .map(i -> i == 0 ? bad("x") : ok(i))
                .doOnRequest(upstreamRequests::add);
        TestSubscriber<Integer> downstream = TestSubscriber.create();
        source.transform(Outcomes.deadLetter(sink, "parse")).subscribe(downstream);

        // x pending: the first batch of 256 and x's replenished 1 were requested, 256 successes queued behind it
        assertThat(upstreamRequests).containsExactly(256L, 1L);
        assertThat(downstream.getReceivedOnNext()).isEmpty();
        assertThat(queued(downstream)).isEqualTo(256);

        sink.store(0);
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i < 1000; i++) {
            expected.add(i);
        }
        assertThat(downstream.getReceivedOnNext()).isEqualTo(expected);
        assertThat(downstream.isTerminatedComplete()).isTrue();
        assertThat(upstreamRequests).doesNotContain(Long.MAX_VALUE)
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(256));
    }

    @Test
    void cancelDiscardsTheQueuedOutcomesAndHandsNoQueuedLetterToTheSink() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
        Outcome<String, Integer> one = ok(1);
        Outcome<String, Integer> y = bad("y");
        Outcome<String, Integer> two = ok(2);
        StepVerifier.create(source.flux().transform(Outcomes.deadLetter(sink, "parse")), 4)
                .then(() -> source.next(bad("x"), one, y, two))
                .thenCancel()
                .verifyThenAssertThat()
                .hasDiscardedExactly(one, y, two)
                .hasNotDroppedElements();
        source.assertCancelled();
        assertThat(sink.requestedElements()).containsExactly("x");
        assertThat(sink.stage(0)).isNotCancelled();
    }

    @Test
    void anElementArrivingAfterCancelWithNoStorePendingIsDiscardedAndItsLetterNotHandedOver() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        // an upstream still emitting after the cancel (a cancel racing with its onNext looks the same)
        TestPublisher<Outcome<String, Integer>> source =
                TestPublisher.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);
        List<Integer> emitted = new CopyOnWriteArrayList<>();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        TestSubscriber<Integer> downstream = TestSubscriber.builder().initialRequest(4).build();
        source.flux().transform(Outcomes.deadLetter(sink, "parse"))
                .doOnNext(emitted::add)
                .doOnDiscard(Object.class, discarded::add)
                .subscribe(downstream);
        source.next(ok(1));
        downstream.cancel();
        Outcome<String, Integer> two = ok(2);
        Outcome<String, Integer> y = bad("y");

        source.next(two, y);

        assertThat(emitted).containsExactly(1);
        assertThat(discarded).containsExactly(two, y);
        assertThat(sink.requestedElements()).isEmpty();
    }

    @Test
    void anUpstreamCompletionOrErrorWaitsForThePendingStoreAndTheQueue() {
        ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
        TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
        TestSubscriber<Integer> downstream = subscribe(source, sink, Long.MAX_VALUE);
        source.next(bad("x"), ok(1)).error(new IllegalStateException("upstream broke"));
        assertThat(downstream.isTerminated()).isFalse();
        sink.store(0);
        assertThat(downstream.getReceivedOnNext()).containsExactly(1);
        assertThat(downstream.expectTerminalError()).hasMessage("upstream broke");

        ManualDeadLetterSink<String> sink2 = new ManualDeadLetterSink<>();
        TestPublisher<Outcome<String, Integer>> source2 = TestPublisher.create();
        TestSubscriber<Integer> downstream2 = subscribe(source2, sink2, Long.MAX_VALUE);
        source2.next(bad("x"), ok(1)).complete();
        assertThat(downstream2.isTerminated()).isFalse();
        sink2.store(0);
        assertThat(downstream2.getReceivedOnNext()).containsExactly(1);
        assertThat(downstream2.isTerminatedComplete()).isTrue();
    }

    @Test
    void aStoreCompletingConcurrentlyWithADownstreamRequestLosesNothing() {
        for (int round = 0; round < 2_000; round++) {
            ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
            TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
            TestSubscriber<Integer> downstream = subscribe(source, sink, 3);
            source.next(ok(0), bad("x"), ok(1));

            RaceTestUtils.race(() -> sink.store(0), () -> downstream.request(2));

            // 3 + 2 requested, one used by the failure: exactly 1 + 2 more may be asked of upstream
            source.assertMinRequested(3).assertMaxRequested(3);
            source.next(ok(2), ok(3), ok(4)).complete();
            assertReceivedInOrderThenComplete(downstream, round, 0, 1, 2, 3, 4);
        }
    }

    @Test
    void aStoreCompletingConcurrentlyWithUpstreamSignalsKeepsTheOrder() {
        for (int round = 0; round < 2_000; round++) {
            ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
            TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
            TestSubscriber<Integer> downstream = subscribe(source, sink, Long.MAX_VALUE);
            source.next(ok(0), bad("x"));

            RaceTestUtils.race(() -> sink.store(0), () -> source.next(ok(1), ok(2), ok(3)));

            source.next(ok(4)).complete();
            assertReceivedInOrderThenComplete(downstream, round, 0, 1, 2, 3, 4);
        }
    }

    @Test
    void storesCompletingConcurrentlyOutOfOrderReleaseTheSuccessBehindThemOnceAndInOrder() {
        for (int round = 0; round < 2_000; round++) {
            ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
            TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
            TestSubscriber<Integer> downstream = subscribe(source, sink, 2);
            source.next(ok(0), bad("x"), bad("y"), bad("z"), ok(1));
            assertThat(sink.requestedElements()).containsExactly("x", "y", "z");

            RaceTestUtils.race(() -> sink.store(2), () -> sink.store(0), () -> sink.store(1));

            assertThat(sink.storedElements()).containsExactlyInAnyOrder("x", "y", "z");
            // the downstream's 2 are used by 0 and 1; the three failures replenished what they took
            source.assertMaxRequested(0);
            downstream.request(1);
            source.next(ok(2)).complete();
            assertReceivedInOrderThenComplete(downstream, round, 0, 1, 2);
        }
    }

    @Test
    void aRefusalRacingAnotherStoreFailsTheStreamOnceAndDropsTheOtherRefusal() {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        reactor.core.publisher.Hooks.onErrorDropped(dropped::add);
        try {
            for (int round = 0; round < 2_000; round++) {
                dropped.clear();
                ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
                TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
                TestSubscriber<Integer> downstream = subscribe(source, sink, 4);
                source.next(bad("x"), bad("y"), ok(1));
                DeadLetterException refusedX = new DeadLetterException("x refused", null);
                DeadLetterException refusedY = new DeadLetterException("y refused", null);

                RaceTestUtils.race(() -> sink.fail(0, refusedX), () -> sink.fail(1, refusedY));

                assertThat(downstream.getReceivedOnNext()).as("round %d", round).isEmpty();
                Throwable error = downstream.expectTerminalError();
                assertThat(error).isIn(refusedX, refusedY);
                assertThat(dropped).containsExactly(error == refusedX ? refusedY : refusedX);
                source.assertCancelled();
            }
        } finally {
            reactor.core.publisher.Hooks.resetOnErrorDropped();
        }
    }

    @Test
    void aStoreCompletingConcurrentlyWithCancelNeverEmitsAfterTheCancel() {
        for (int round = 0; round < 2_000; round++) {
            ManualDeadLetterSink<String> sink = new ManualDeadLetterSink<>();
            TestPublisher<Outcome<String, Integer>> source = TestPublisher.create();
            List<Integer> received = new CopyOnWriteArrayList<>();
            TestSubscriber<Integer> downstream = TestSubscriber.create();
            source.flux().transform(Outcomes.deadLetter(sink, "parse")).doOnNext(received::add)
                    .subscribe(downstream);
            source.next(bad("x"), ok(1));
            // taken before the cancel, after which the test subscriber forgets its subscription
            Scannable operator = Scannable.from(Scannable.from(downstream).scan(Scannable.Attr.PARENT));

            RaceTestUtils.race(() -> sink.store(0), downstream::cancel);

            // 1 is emitted only if the store won the race; either way the letter is stored, nothing is left queued
            assertThat(received).as("round %d", round).isIn(List.of(), List.of(1));
            assertThat(sink.storedElements()).containsExactly("x");
            assertThat(operator.scan(Scannable.Attr.BUFFERED)).isZero();
        }
    }
}
