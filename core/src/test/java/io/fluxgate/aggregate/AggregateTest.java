package io.fluxgate.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.fluxgate.aggregate.Aggregated.Complete;
import io.fluxgate.aggregate.Aggregated.Partial;
import io.fluxgate.aggregate.Aggregated.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

class AggregateTest {

    /** Every verification is bounded: a broken rule fails the test instead of hanging it. */
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** One check result for an order. */
    record Result(String order, String check, int value) {
    }

    private static Result r(String order, String check) {
        return new Result(order, check, 0);
    }

    private static Result r(String order, String check, int value) {
        return new Result(order, check, value);
    }

    private static Aggregate.FluxBuilder<String, Result> byOrder() {
        return Aggregate.byKey(Result::order, Result::check);
    }

    private static Function<Flux<Result>, Flux<Aggregated<String, Result>>> allThree() {
        return byOrder().completeWhenAll("payment", "stock", "fraud").timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void emitsOneCompleteResultPerKeyInCompletionOrder() {
        StepVerifier.create(Flux.just(r("o1", "payment"), r("o2", "payment"), r("o2", "stock"), r("o1", "stock"),
                                r("o2", "fraud"), r("o1", "fraud"))
                        .transform(allThree()))
                .assertNext(g -> {
                    assertThat(g).isInstanceOf(Complete.class);
                    assertThat(g.key()).isEqualTo("o2");
                    assertThat(g.parts()).containsOnlyKeys("payment", "stock", "fraud");
                    assertThat(List.copyOf(g.parts().keySet())).containsExactly("payment", "stock", "fraud");
                })
                .assertNext(g -> assertThat(g.key()).isEqualTo("o1"))
                .expectComplete().verify(WAIT);
    }

    @Test
    void severalSourcesCompleteWhenEverySourceDeliveredByDefault() {
        Flux<String> payments = Flux.just("o1", "o2");
        Flux<Integer> stock = Flux.just(2, 1); // reservations carry the order number
        Flux<Double> fraud = Flux.just(0.1);   // only for o1
        Flux<Aggregated<String, Object>> orders = Aggregate.<String, Object>sources()
                .part("payment", payments, p -> p)
                .part("stock", stock, n -> "o" + n)
                .part("fraud", fraud, f -> "o1")
                .build();
        StepVerifier.create(orders)
                .assertNext(g -> {
                    assertThat(g).isEqualTo(new Complete<>("o1", Map.of("payment", "o1", "stock", 1, "fraud", 0.1)));
                })
                .assertNext(g -> {
                    assertThat(g).isInstanceOf(Partial.class);
                    assertThat(((Partial<String, Object>) g).reason()).isEqualTo(Reason.SOURCE_COMPLETED);
                    assertThat(g.parts()).isEqualTo(Map.of("payment", "o2", "stock", 2));
                })
                .expectComplete().verify(WAIT);
    }

    @Test
    void severalSourcesIsColdAndReusable() {
        Flux<Aggregated<Integer, Integer>> f = Aggregate.<Integer, Integer>sources()
                .part("a", Flux.range(0, 50), i -> i)
                .part("b", Flux.range(0, 50), i -> i)
                .build();
        StepVerifier.create(f).expectNextCount(50).expectComplete().verify(WAIT);
        StepVerifier.create(f).expectNextCount(50).expectComplete().verify(WAIT);
    }

    @Test
    void completeAfterACountOfDistinctParts() {
        StepVerifier.create(Flux.just(r("o1", "a"), r("o1", "a"), r("o1", "b"), r("o2", "x"))
                        .transform(byOrder().completeAfter(2).build()))
                .assertNext(g -> assertThat(g).isEqualTo(new Complete<>("o1", Map.of("a", r("o1", "a"), "b", r("o1", "b")))))
                .assertNext(g -> assertThat(g.isComplete()).isFalse())
                .expectComplete().verify(WAIT);
    }

    @Test
    void completeWhenAPredicateOverThePartsHolds() {
        // complete once the values sum to at least 10, whatever the parts
        Function<Flux<Result>, Flux<Aggregated<String, Result>>> op = byOrder()
                .completeWhen(ps -> ps.values().stream().mapToInt(Result::value).sum() >= 10).build();
        StepVerifier.create(Flux.just(r("o1", "a", 4), r("o1", "b", 4), r("o1", "c", 4), r("o1", "d", 1))
                        .transform(op))
                .assertNext(g -> assertThat(g.parts()).containsOnlyKeys("a", "b", "c"))
                .expectComplete().verify(WAIT); // d came after o1 closed: late, dropped
    }

    @Test
    void timeoutEmitsATypedPartialInVirtualTimeWithoutASchedulerGiven() {
        TestPublisher<Result> source = TestPublisher.create();
        AggregateStats stats = new AggregateStats();
        StepVerifier.withVirtualTime(() -> source.flux().transform(byOrder().completeWhenAll("payment", "stock")
                        .timeout(Duration.ofSeconds(30)).stats(stats).build()))
                .expectSubscription()
                .then(() -> source.next(r("o1", "payment")))
                .thenAwait(Duration.ofSeconds(10))
                .then(() -> source.next(r("o2", "payment")))
                .expectNoEvent(Duration.ofSeconds(19))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(g -> assertThat(g).isEqualTo(new Partial<>("o1", Map.of("payment", r("o1", "payment")),
                        Reason.TIMED_OUT)))
                .then(() -> source.next(r("o2", "stock")))
                .assertNext(g -> assertThat(g).isEqualTo(new Complete<>("o2",
                        Map.of("payment", r("o2", "payment"), "stock", r("o2", "stock")))))
                .expectNoEvent(Duration.ofMinutes(5))
                .then(source::complete)
                .expectComplete().verify(WAIT);
        assertThat(stats.timedOut()).isEqualTo(1);
        assertThat(stats.completed()).isEqualTo(1);
        assertThat(stats.parts()).isEqualTo(3);
    }

    @Test
    void timeoutFollowsAnExplicitScheduler() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        TestPublisher<Result> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(byOrder().completeAfter(2).timeout(Duration.ofSeconds(5))
                        .scheduler(vts).build()))
                .expectSubscription()
                .then(() -> source.next(r("o1", "a")))
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(4)))
                .expectNoEvent(Duration.ofMillis(10))
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(1)))
                .assertNext(g -> assertThat(g.isComplete()).isFalse())
                .then(source::complete)
                .expectComplete().verify(WAIT);
    }

    @Test
    void timeoutDropPolicyCountsAndDiscards() {
        TestPublisher<Result> source = TestPublisher.create();
        AggregateStats stats = new AggregateStats();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> source.flux().transform(byOrder().completeAfter(2)
                                .timeout(Duration.ofSeconds(5)).incompleteGroups(IncompletePolicy.DROP).stats(stats).build())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .expectSubscription()
                .then(() -> source.next(r("o1", "a")))
                .expectNoEvent(Duration.ofSeconds(5))
                .then(() -> source.next(r("o2", "a"), r("o2", "b")))
                .assertNext(g -> assertThat(g.key()).isEqualTo("o2"))
                .then(source::complete)
                .expectComplete().verify(WAIT);
        assertThat(stats.timedOut()).isEqualTo(1);
        assertThat(stats.incompleteDropped()).isEqualTo(1);
        assertThat(discarded).containsExactly(r("o1", "a"));
    }

    @Test
    void timeoutErrorPolicyFailsNamingKeyAndParts() {
        TestPublisher<Result> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(byOrder().completeWhenAll("a", "b")
                        .timeout(Duration.ofSeconds(5)).incompleteGroups(IncompletePolicy.ERROR).build()))
                .expectSubscription()
                .then(() -> source.next(r("o1", "a")))
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(IncompleteGroupException.class)
                            .hasMessageContaining("o1").hasMessageContaining("TIMED_OUT").hasMessageContaining("[a]");
                    assertThat(((IncompleteGroupException) e).reason()).isEqualTo(Reason.TIMED_OUT);
                })
                .verify(WAIT);
        source.assertCancelled();
    }

    @Test
    void sourceCompletionWithAnIncompleteGroupUnderErrorPolicyFails() {
        StepVerifier.create(Flux.just(r("o1", "a"), r("o2", "a"), r("o2", "b"))
                        .transform(byOrder().completeAfter(2).incompleteGroups(IncompletePolicy.ERROR).build()))
                // o2 completed but waits behind the error: an error is delivered at once, held groups discarded
                .expectErrorSatisfies(e -> assertThat(((IncompleteGroupException) e).reason())
                        .isEqualTo(Reason.SOURCE_COMPLETED))
                .verify(WAIT);
    }

    @Test
    void keyBoundEvictsTheOldestGroupFirstUnderTheIncompletePolicy() {
        AggregateStats stats = new AggregateStats();
        TestPublisher<Result> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(byOrder().completeAfter(2).maxKeys(2).stats(stats)
                        .build()))
                .expectSubscription()
                .then(() -> source.next(r("o1", "a"), r("o2", "a")))
                .expectNoEvent(Duration.ofSeconds(1))
                .then(() -> source.next(r("o3", "a")))
                .assertNext(g -> assertThat(g).isEqualTo(new Partial<>("o1", Map.of("a", r("o1", "a")), Reason.EVICTED)))
                .then(() -> source.next(r("o4", "a")))
                .assertNext(g -> assertThat(g.key()).isEqualTo("o2"))
                .then(() -> source.next(r("o4", "b")))
                .assertNext(g -> assertThat(g).isEqualTo(new Complete<>("o4", Map.of("a", r("o4", "a"), "b", r("o4", "b")))))
                .then(source::complete)
                .assertNext(g -> assertThat(g.key()).isEqualTo("o3"))
                .expectComplete().verify(WAIT);
        assertThat(stats.evicted()).isEqualTo(2);
        assertThat(stats.sourceCompleted()).isEqualTo(1);
    }

    @Test
    void duplicateKeepFirstKeepsTheFirstAndDiscardsTheNew() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        AggregateStats stats = new AggregateStats();
        StepVerifier.create(Flux.just(r("o1", "a", 1), r("o1", "a", 2), r("o1", "b", 3))
                        .transform(byOrder().completeAfter(2).stats(stats).build())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .assertNext(g -> assertThat(g.part("a")).isEqualTo(r("o1", "a", 1)))
                .expectComplete().verify(WAIT);
        assertThat(discarded).containsExactly(r("o1", "a", 2));
        assertThat(stats.duplicates()).isEqualTo(1);
    }

    @Test
    void duplicateKeepLastReplacesInPlace() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.just(r("o1", "a", 1), r("o1", "a", 2), r("o1", "b", 3))
                        .transform(byOrder().completeAfter(2).duplicateParts(DuplicatePolicy.KEEP_LAST).build())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .assertNext(g -> {
                    assertThat(g.part("a")).isEqualTo(r("o1", "a", 2));
                    assertThat(List.copyOf(g.parts().keySet())).containsExactly("a", "b");
                })
                .expectComplete().verify(WAIT);
        assertThat(discarded).containsExactly(r("o1", "a", 1));
    }

    @Test
    void duplicateErrorFailsAndDiscardsWhatIsHeld() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.just(r("o1", "a", 1), r("o1", "a", 2), r("o1", "b", 3))
                        .transform(byOrder().completeAfter(2).duplicateParts(DuplicatePolicy.ERROR).build())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DuplicatePartException.class)
                        .hasMessageContaining("'a'").hasMessageContaining("o1"))
                .verify(WAIT);
        assertThat(discarded).containsExactlyInAnyOrder(r("o1", "a", 1), r("o1", "a", 2));
    }

    @Test
    void latePartsAreDroppedAndCounted() {
        AggregateStats stats = new AggregateStats();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.create(Flux.just(r("o1", "a"), r("o1", "b"), r("o1", "c"))
                        .transform(byOrder().completeAfter(2).stats(stats).build())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)))
                .expectNextCount(1)
                .expectComplete().verify(WAIT);
        assertThat(stats.late()).isEqualTo(1);
        assertThat(discarded).containsExactly(r("o1", "c"));
    }

    @Test
    void latePartsGoToTheSideOutputIncludingAfterATimeout() {
        List<LatePart<String, Result>> late = new CopyOnWriteArrayList<>();
        TestPublisher<Result> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(byOrder().completeAfter(2)
                        .timeout(Duration.ofSeconds(5)).lateParts(LatePartPolicy.sideOutput(late::add)).build()))
                .expectSubscription()
                .then(() -> source.next(r("o1", "a"), r("o1", "b"), r("o2", "a")))
                .expectNextMatches(Aggregated::isComplete)
                .thenAwait(Duration.ofSeconds(5))
                .expectNextMatches(g -> !g.isComplete())
                .then(() -> source.next(r("o1", "c"), r("o2", "b")))
                .then(source::complete)
                .expectComplete().verify(WAIT);
        assertThat(late).containsExactly(new LatePart<>("o1", "c", r("o1", "c")), new LatePart<>("o2", "b", r("o2", "b")));
    }

    @Test
    void latePartsCanGoToASinksMany() {
        Sinks.Many<LatePart<String, Result>> sink = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(Flux.just(r("o1", "a"), r("o1", "b"), r("o1", "a"))
                        .transform(byOrder().completeAfter(2)
                                .lateParts(LatePartPolicy.sideOutput(p -> sink.emitNext(p, Sinks.EmitFailureHandler.FAIL_FAST)))
                                .build()))
                .expectNextCount(1)
                .expectComplete().verify(WAIT);
        sink.tryEmitComplete();
        StepVerifier.create(sink.asFlux()).expectNext(new LatePart<>("o1", "a", r("o1", "a"))).expectComplete().verify(WAIT);
    }

    @Test
    void aThrowingSideOutputFailsTheStream() {
        StepVerifier.create(Flux.just(r("o1", "a"), r("o1", "b"), r("o1", "a"))
                        .transform(byOrder().completeAfter(2)
                                .lateParts(LatePartPolicy.sideOutput(p -> {
                                    throw new IllegalStateException("side output full");
                                })).build()))
                .expectErrorMessage("side output full").verify(WAIT);
    }

    @Test
    void closedKeysAreForgottenAfterTheirTtlSoTheKeyOpensAFreshGroup() {
        AggregateStats stats = new AggregateStats();
        TestPublisher<Result> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(byOrder().completeAfter(1)
                        .rememberClosedKeys(10, Duration.ofMinutes(1)).stats(stats).build()))
                .expectSubscription()
                .then(() -> source.next(r("o1", "a")))
                .expectNextCount(1)
                .thenAwait(Duration.ofSeconds(59))
                .then(() -> source.next(r("o1", "b"))) // late
                .expectNoEvent(Duration.ofSeconds(1))
                .then(() -> source.next(r("o1", "c"))) // forgotten: a new group
                .expectNextMatches(g -> g.parts().containsKey("c"))
                .then(source::complete)
                .expectComplete().verify(WAIT);
        assertThat(stats.late()).isEqualTo(1);
        assertThat(stats.completed()).isEqualTo(2);
    }

    @Test
    void closedKeysAreBoundedOldestForgottenFirst() {
        AggregateStats stats = new AggregateStats();
        StepVerifier.create(Flux.just(r("o1", "a"), r("o2", "a"), r("o3", "a"), r("o3", "b"), r("o1", "b"))
                        .transform(byOrder().completeAfter(1).rememberClosedKeys(2, Duration.ofHours(1)).stats(stats)
                                .build()))
                .expectNextCount(4) // o1, o2, o3 and o1 again (o1 was forgotten when o3 closed)
                .expectComplete().verify(WAIT);
        assertThat(stats.late()).isEqualTo(1); // o3's second part
    }

    @Test
    void withoutDemandCompletedGroupsWaitWithinTheBoundAndUpstreamRequestsStop() {
        AtomicLong requested = new AtomicLong();
        Flux<Result> source = Flux.range(0, 1_000).map(i -> r("o" + i, "a")).doOnRequest(requested::addAndGet);
        StepVerifier.create(source.transform(byOrder().completeAfter(1).maxWaiting(8).build()), 1)
                .expectNextCount(1)
                .then(() -> assertThat(requested.get()).isBetween(1L, 1L + 8))
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> assertThat(requested.get()).isBetween(1L, 1L + 8))
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> assertThat(requested.get()).isLessThanOrEqualTo(11L + 8))
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(989)
                .expectComplete().verify(WAIT);
    }

    @Test
    void groupsTimedOutWithoutDemandWaitForItAndAreNotLost() {
        TestPublisher<Result> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(byOrder().completeAfter(2)
                        .timeout(Duration.ofSeconds(5)).build()), 1)
                .expectSubscription()
                .then(() -> source.next(r("o1", "a"), r("o1", "b")))
                .expectNextMatches(Aggregated::isComplete)
                .then(() -> source.next(r("o2", "a"), r("o3", "a")))
                .thenAwait(Duration.ofSeconds(5))
                .expectNoEvent(Duration.ofMinutes(1))
                .thenRequest(2)
                .assertNext(g -> assertThat(g).isEqualTo(new Partial<>("o2", Map.of("a", r("o2", "a")), Reason.TIMED_OUT)))
                .assertNext(g -> assertThat(g).isEqualTo(new Partial<>("o3", Map.of("a", r("o3", "a")), Reason.TIMED_OUT)))
                .then(source::complete)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void groupsWaitingAtSourceCompletionAreDeliveredAsDemandArrives() {
        StepVerifier.create(Flux.just(r("o1", "a"), r("o2", "a"), r("o3", "a"))
                        .transform(byOrder().completeAfter(2).build()), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(2)
                .expectNextCount(2)
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNextCount(1)
                .expectComplete().verify(WAIT);
    }

    @Test
    void cancelDiscardsOpenAndWaitingGroupsAndStopsTheTimer() {
        // a plain subscriber: StepVerifier's thenCancel would cancel inside the first onNext, before o2 and o3 arrive
        List<Object> discarded = new CopyOnWriteArrayList<>();
        List<Aggregated<String, Result>> got = new CopyOnWriteArrayList<>();
        TestPublisher<Result> source = TestPublisher.create();
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        BaseSubscriber<Aggregated<String, Result>> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(Aggregated<String, Result> value) {
                got.add(value);
            }
        };
        source.flux().transform(byOrder().completeAfter(2).timeout(Duration.ofSeconds(5)).scheduler(vts).build())
                .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add))
                .subscribe(subscriber);
        source.next(r("o1", "a"), r("o1", "b"), r("o2", "a"), r("o2", "b"), r("o3", "a"));
        assertThat(got).hasSize(1); // o1; o2 waits for demand, o3 is open
        subscriber.cancel();
        subscriber.cancel();
        source.assertCancelled();
        assertThat(discarded).containsExactlyInAnyOrder(r("o2", "a"), r("o2", "b"), r("o3", "a"));
        vts.advanceTimeBy(Duration.ofMinutes(1));
        assertThat(got).hasSize(1);
        assertThat(discarded).hasSize(3);
    }

    @Test
    void upstreamErrorDiscardsHeldGroupsAndIsDeliveredAtOnce() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        TestPublisher<Result> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(byOrder().completeAfter(2).build())
                        .contextWrite(ctx -> Operators.enableOnDiscard(ctx, discarded::add)), 1)
                .expectSubscription()
                .then(() -> source.next(r("o1", "a"), r("o1", "b")))
                .expectNextCount(1)
                // o2 completes and waits for demand, o3 is open: the error does not wait behind them
                .then(() -> source.next(r("o2", "a"), r("o2", "b"), r("o3", "a")).error(new IllegalStateException("boom")))
                .expectErrorMessage("boom").verify(WAIT);
        assertThat(discarded).containsExactlyInAnyOrder(r("o2", "a"), r("o2", "b"), r("o3", "a"));
    }

    @Test
    void aThrowingOrNullKeyFunctionFailsTheStream() {
        StepVerifier.create(Flux.just(r("o1", "a"), r(null, "a"))
                        .transform(Aggregate.<String, Result>byKey(Result::order, Result::check).completeAfter(2).build()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("key function"))
                .verify(WAIT);
        StepVerifier.create(Flux.just(r("o1", "a"))
                        .transform(Aggregate.<String, Result>byKey(x -> {
                            throw new IllegalArgumentException("bad key");
                        }, Result::check).completeAfter(1).build()))
                .expectErrorMessage("bad key").verify(WAIT);
        StepVerifier.create(Flux.just(r("o1", "a"))
                        .transform(byOrder().completeWhen(ps -> {
                            throw new IllegalArgumentException("bad predicate");
                        }).build()))
                .expectErrorMessage("bad predicate").verify(WAIT);
    }

    @Test
    void aNonCompliantSourceSignallingAfterCompletionIsDropped() {
        TestPublisher<Result> source = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        StepVerifier.create(source.flux().transform(byOrder().completeAfter(1).build()))
                .then(() -> source.next(r("o1", "a")))
                .expectNextCount(1)
                .then(() -> source.complete().next(r("o2", "a")).error(new IllegalStateException("late")))
                .expectComplete()
                .verifyThenAssertThat(WAIT)
                .hasDroppedExactly(r("o2", "a"))
                .hasDroppedErrorWithMessage("late");
    }

    @Test
    void aSourceEmittingPastDemandIsStillAggregated() {
        TestPublisher<Result> source = TestPublisher.createNoncompliant(TestPublisher.Violation.REQUEST_OVERFLOW);
        StepVerifier.create(source.flux().transform(byOrder().completeAfter(1).maxWaiting(2).build()), 0)
                .expectSubscription()
                .thenRequest(1)
                .then(() -> source.next(r("o1", "a"), r("o2", "a"), r("o3", "a"), r("o4", "a"), r("o5", "a")))
                .expectNextCount(1)
                .thenRequest(10)
                .expectNextCount(4)
                .then(source::complete)
                .expectComplete().verify(WAIT);
    }

    @Test
    void countersAreRecordedInAMeterRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StepVerifier.create(Flux.just(r("o1", "a"), r("o1", "a"), r("o1", "b"), r("o1", "c"), r("o2", "a"))
                        .transform(byOrder().completeAfter(2).name("orders").meterRegistry(registry).build()))
                .expectNextCount(2)
                .expectComplete().verify(WAIT);
        Function<String, Double> count = event -> registry.get("fluxgate.aggregate.events")
                .tags("name", "orders", "event", event).counter().count();
        assertThat(count.apply("parts")).isEqualTo(5.0);
        assertThat(count.apply("completed")).isEqualTo(1.0);
        assertThat(count.apply("duplicates")).isEqualTo(1.0);
        assertThat(count.apply("late")).isEqualTo(1.0);
        assertThat(count.apply("source_completed")).isEqualTo(1.0);
        assertThat(count.apply("timed_out")).isEqualTo(0.0);
    }

    @Test
    void oneTransformerIsSafeToReuse() {
        Function<Flux<Result>, Flux<Aggregated<String, Result>>> op = byOrder().completeAfter(2).build();
        Flux<Result> in = Flux.just(r("o1", "a"), r("o1", "b"));
        StepVerifier.create(in.transform(op)).expectNextMatches(Aggregated::isComplete).expectComplete().verify(WAIT);
        StepVerifier.create(in.transform(op)).expectNextMatches(Aggregated::isComplete).expectComplete().verify(WAIT);
    }

    @Test
    void rejectsBadSettingsNamingTheValue() {
        assertThatThrownBy(() -> byOrder().timeout(Duration.ZERO)).hasMessageContaining("timeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> byOrder().maxKeys(0)).hasMessageContaining("maxKeys").hasMessageContaining("was 0");
        assertThatThrownBy(() -> byOrder().maxWaiting(0)).hasMessageContaining("maxWaiting").hasMessageContaining("was 0");
        assertThatThrownBy(() -> byOrder().completeAfter(0)).hasMessageContaining("completeAfter").hasMessageContaining("was 0");
        assertThatThrownBy(() -> byOrder().completeWhenAll()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> byOrder().completeWhenAll("a", " ")).hasMessageContaining("was ' '");
        assertThatThrownBy(() -> byOrder().rememberClosedKeys(0, Duration.ofSeconds(1))).hasMessageContaining("was 0");
        assertThatThrownBy(() -> byOrder().rememberClosedKeys(1, Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> byOrder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("completion condition");
        assertThatThrownBy(() -> Aggregate.<String, Object>sources().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Aggregate.<String, Object>sources().part("a", Flux.just(1), i -> "k")
                .part("a", Flux.just(2), i -> "k")).hasMessageContaining("'a'");
        assertThatThrownBy(() -> Aggregate.<String, Object>sources().part("a", Flux.just(1), i -> "k")
                .completeWhenAll("a", "b").build()).hasMessageContaining("[b]");
    }
}
