package io.fluxgate.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fluxgate.window.internal.UidHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.memory.Memory;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.subscriber.TestSubscriber;

/** One StepVerifier scenario per rule of the semantics. */
class UniqueUsersTest {

    static UniqueUsers.Builder<Ev> secs(long size) {
        return UniqueUsers.<Ev>perWindow(Duration.ofSeconds(size)).userId(Ev::uid).eventTimeSeconds(Ev::ts);
    }

    static Flux<Ev> evs(Object... uidTs) {
        List<Ev> l = new ArrayList<>();
        for (int i = 0; i < uidTs.length; i += 2) {
            l.add(new Ev((String) uidTs[i], ((Number) uidTs[i + 1]).longValue()));
        }
        return Flux.fromIterable(l);
    }

    @Test
    void windowStartIsFloorDivAlsoForNegativeTimes() {
        StepVerifier.create(evs("a", -11, "a", -10, "b", -1, "c", 0, "d", 9).transform(secs(10).build()))
                .assertNext(w -> assertThat(List.of(w.start(), w.end(), w.uniqueUsers(), w.events())).containsExactly(-20L, -10L, 1L, 1L))
                .assertNext(w -> assertThat(List.of(w.start(), w.end(), w.uniqueUsers(), w.events())).containsExactly(-10L, 0L, 2L, 2L))
                .assertNext(w -> assertThat(List.of(w.start(), w.end(), w.uniqueUsers(), w.events())).containsExactly(0L, 10L, 2L, 2L))
                .verifyComplete();
    }

    @Test
    void windowClosesExactlyWhenTheWatermarkReachesItsEnd() {
        TestPublisher<Ev> tp = TestPublisher.create();
        TestSubscriber<WindowCount> ts = TestSubscriber.create();
        tp.flux().transform(secs(10).allowedLateness(Duration.ofSeconds(2)).build()).subscribe(ts);

        tp.next(Ev.of("a", 1), Ev.of("b", 5), Ev.of("a", 11));
        assertThat(ts.getReceivedOnNext()).as("W = 11 - 2 = 9 < 10").isEmpty();
        tp.next(Ev.of("c", 8));
        assertThat(ts.getReceivedOnNext()).as("an older record does not move W").isEmpty();
        tp.next(Ev.of("c", 12));
        assertThat(ts.getReceivedOnNext()).as("W = 10 closes [0, 10)")
                .extracting(WindowCount::start, WindowCount::uniqueUsers, WindowCount::events)
                .containsExactly(tuple(0L, 3L, 3L));
        tp.next(Ev.of("z", 9));
        assertThat(ts.getReceivedOnNext()).hasSize(1);
        tp.complete();
        assertThat(ts.getReceivedOnNext()).extracting(WindowCount::start, WindowCount::uniqueUsers)
                .containsExactly(tuple(0L, 3L), tuple(10L, 2L));
        assertThat(ts.getReceivedOnNext().get(1).stats().late()).isEqualTo(1);
        assertThat(ts.isTerminatedComplete()).isTrue();
    }

    @Test
    void closedWindowsAreEmittedOnceInAscendingOrderAndOnlyIfTheyHadRecords() {
        StepVerifier.create(evs("a", 1, "b", 31, "c", 22, "d", 3, "e", 100, "f", 35).transform(
                        secs(10).allowedLateness(Duration.ofSeconds(10)).build()))
                .assertNext(w -> assertThat(w.start()).isEqualTo(0))
                .assertNext(w -> assertThat(w.start()).isEqualTo(20))
                .assertNext(w -> assertThat(w.start()).isEqualTo(30))
                .assertNext(w -> assertThat(w.start()).isEqualTo(100))
                .verifyComplete();
    }

    @Test
    void severalSizesInOnePassAreTaggedAndOrderedByStartThenSize() {
        List<WindowCount> out = evs("a", 0, "b", 59, "a", 61, "c", 3599, "d", 3600, "e", 7300)
                .transform(UniqueUsers.<Ev>perWindow(Duration.ofHours(1)).alsoWindow(Duration.ofMinutes(1))
                        .userId(Ev::uid).eventTimeSeconds(Ev::ts).build())
                .collectList().block();
        assertThat(out).extracting(w -> w.size().getSeconds(), WindowCount::start, WindowCount::uniqueUsers)
                .containsExactly(
                        tuple(60L, 0L, 2L), tuple(60L, 60L, 1L),
                        tuple(3600L, 0L, 3L), tuple(60L, 3540L, 1L),        // one closing step: by start, then size
                        tuple(60L, 3600L, 1L), tuple(3600L, 3600L, 1L),
                        tuple(3600L, 7200L, 1L), tuple(60L, 7260L, 1L));   // completion flush
        assertThat(out).allSatisfy(w -> assertThat(w.unit()).isEqualTo(ChronoUnit.SECONDS));
    }

    @Test
    void lateRecordsAreDroppedAndCountedInStatsAndMetrics() {
        WindowStats stats = new WindowStats();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        UniqueUsers<Ev> op = secs(10).stats(stats).name("uu").meterRegistry(registry).build();
        StepVerifier.create(evs("a", 5, "b", 15, "c", 7, "d", 9, "e", 16).transform(op))
                .assertNext(w -> {
                    assertThat(w.start()).isZero();
                    assertThat(w.uniqueUsers()).isEqualTo(1);
                    assertThat(w.stats().late()).isZero();
                })
                .assertNext(w -> {
                    assertThat(w.start()).isEqualTo(10);
                    assertThat(w.uniqueUsers()).isEqualTo(2);
                    assertThat(w.stats()).isEqualTo(new WindowStats.Snapshot(5, 2, 0, 2, 0, 0, 0, 2, 0));
                })
                .verifyComplete();
        assertThat(stats.snapshot()).isEqualTo(new WindowStats.Snapshot(5, 2, 0, 2, 0, 0, 0, 2, 0));
        assertThat(registry.get("fluxgate.window.late").tag("name", "uu").counter().count()).isEqualTo(2);
        assertThat(registry.get("fluxgate.window.dropped").tag("name", "uu").counter().count()).isEqualTo(2);
        assertThat(registry.get("fluxgate.window.events").tag("name", "uu").counter().count()).isEqualTo(5);
        assertThat(registry.get("fluxgate.window.windows.emitted").tag("name", "uu").counter().count()).isEqualTo(2);
        assertThat(registry.get("fluxgate.window.windows.open").tag("name", "uu").gauge().value()).isZero();
    }

    @Test
    void openWindowsGaugeFollowsTheOpenWindows() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestPublisher<Ev> tp = TestPublisher.create();
        TestSubscriber<WindowCount> ts = TestSubscriber.create();
        tp.flux().transform(secs(10).allowedLateness(Duration.ofSeconds(100)).meterRegistry(registry).build()).subscribe(ts);
        tp.next(Ev.of("a", 1), Ev.of("a", 11), Ev.of("a", 21));
        assertThat(registry.get("fluxgate.window.windows.open").tag("name", UniqueUsers.DEFAULT_NAME).gauge().value()).isEqualTo(3);
        ts.cancel();
        assertThat(registry.get("fluxgate.window.windows.open").tag("name", UniqueUsers.DEFAULT_NAME).gauge().value()).isZero();
    }

    @Test
    void lateRecordsGoToTheSideOutputWithTheirReason() {
        List<LateRecord<Ev>> side = new ArrayList<>();
        StepVerifier.create(evs("a", 5, "b", 15, "c", 7).transform(
                        secs(10).lateRecords(LatePolicy.<Ev>sideOutput(side::add)).build()))
                .expectNextCount(1)
                .assertNext(w -> assertThat(w.stats().sideOutput()).isEqualTo(1))
                .verifyComplete();
        assertThat(side).containsExactly(new LateRecord<>(Ev.of("c", 7), 7, 0, Duration.ofSeconds(10),
                LateRecord.Reason.LATE));
    }

    @Test
    void updatePolicyEmitsRevisionsWithinRetentionThenDrops() {
        // size 10, retention 15: a closed window [m, m+10) is kept until W >= m + 25.
        List<WindowCount> out = evs("a", 5, "b", 12, "c", 7, "a", 8, "d", -3, "e", 19, "f", 20, "g", 9, "h", 25,
                        "i", 1)
                .transform(secs(10).lateRecords(LatePolicy.update(Duration.ofSeconds(15))).build())
                .collectList().block();
        assertThat(out).extracting(WindowCount::start, WindowCount::revision, WindowCount::uniqueUsers, WindowCount::events)
                .containsExactly(
                        tuple(0L, 0, 1L, 1L),   // closed by b@12
                        tuple(0L, 1, 2L, 2L),   // c@7 late
                        tuple(0L, 2, 2L, 3L),   // a@8 late: same users, one more event
                        tuple(-10L, 0, 1L, 1L), // d@-3: window had no record when it closed; 0 + 15 > W=12: first emission
                        tuple(10L, 0, 2L, 2L),  // closed by f@20
                        tuple(0L, 3, 3L, 4L),   // g@9: W=20 < 25
                        tuple(20L, 0, 2L, 2L)); // h@25 ends the retention of [0,10): i@1 dropped; completion flush
        WindowStats.Snapshot last = out.get(out.size() - 1).stats();
        assertThat(last.late()).isEqualTo(5);
        assertThat(last.updated()).isEqualTo(4);
        assertThat(last.dropped()).isEqualTo(1);
        assertThat(last.revisionsEmitted()).isEqualTo(3);
        assertThat(last.windowsEmitted()).isEqualTo(4);
    }

    @Test
    void updatePolicyWithZeroRetentionBehavesLikeDrop() {
        List<WindowCount> out = evs("a", 5, "b", 12, "c", 7).transform(secs(10).lateRecords(LatePolicy.update(Duration.ZERO))
                .build()).collectList().block();
        assertThat(out).extracting(WindowCount::revision).containsExactly(0, 0);
        assertThat(out.get(1).stats().dropped()).isEqualTo(1);
    }

    @Test
    void completionFlushesEveryOpenWindowInAscendingOrder() {
        StepVerifier.create(evs("a", 25, "b", 5, "c", 15, "d", -5).transform(
                        secs(10).allowedLateness(Duration.ofSeconds(1000)).build()))
                .expectNextMatches(w -> w.start() == -10)
                .expectNextMatches(w -> w.start() == 0)
                .expectNextMatches(w -> w.start() == 10)
                .expectNextMatches(w -> w.start() == 20)
                .verifyComplete();
    }

    @Test
    void errorPropagatesAtOnceWithoutFlushingOpenOrPendingWindows() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        TestPublisher<Ev> tp = TestPublisher.create();
        StepVerifier.create(tp.flux().transform(secs(10).build()).doOnDiscard(Object.class, discarded::add), 0)
                .expectSubscription()
                .then(() -> tp.next(Ev.of("a", 1), Ev.of("b", 11), Ev.of("c", 21)))
                .then(() -> tp.error(new IllegalStateException("boom")))
                .expectErrorMessage("boom")
                .verify(Duration.ofSeconds(5));
        assertThat(discarded).as("the two closed windows waiting for demand").hasSize(2)
                .allSatisfy(o -> assertThat(o).isInstanceOf(WindowCount.class));
    }

    @Test
    void anExceptionInAUserFunctionFailsTheStreamAndCancelsUpstream() {
        TestPublisher<Ev> tp = TestPublisher.create();
        StepVerifier.create(tp.flux().transform(UniqueUsers.<Ev>perWindow(Duration.ofSeconds(10))
                        .userId(e -> e.uid().isEmpty() ? null : e.uid()).eventTimeSeconds(Ev::ts).build()))
                .then(() -> tp.next(Ev.of("a", 1), Ev.of("", 2)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("userId returned null"))
                .verify(Duration.ofSeconds(5));
        tp.assertCancelled();
    }

    @Test
    void cancelDropsStateCancelsUpstreamAndDiscardsPendingResults() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        TestPublisher<Ev> tp = TestPublisher.create();
        StepVerifier.create(tp.flux().transform(secs(10).build()).doOnDiscard(Object.class, discarded::add), 0)
                .expectSubscription()
                .then(() -> tp.next(Ev.of("a", 1), Ev.of("b", 11)))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        tp.assertCancelled();
        assertThat(discarded).hasSize(1);
    }

    @Test
    void demandIsHonoured() {
        StepVerifier.create(evs("a", 1, "b", 11, "c", 21, "d", 31).transform(secs(10).build()), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(1)
                .expectNextMatches(w -> w.start() == 0)
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(2)
                .expectNextMatches(w -> w.start() == 10)
                .expectNextMatches(w -> w.start() == 20)
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(1)
                .expectNextMatches(w -> w.start() == 30)
                .verifyComplete();
    }

    @Test
    void upstreamIsNotPulledWhileResultsWaitForDemand() {
        AtomicLong requestedUpstream = new AtomicLong();
        Flux<Ev> source = Flux.range(0, 5_000).map(i -> Ev.of("u" + (i % 7), i))
                .doOnRequest(n -> requestedUpstream.addAndGet(n));
        TestSubscriber<WindowCount> ts = TestSubscriber.builder().initialRequest(0).build();
        source.transform(secs(1).build()).subscribe(ts);
        assertThat(requestedUpstream.get()).as("one prefetch batch only").isEqualTo(UniqueUsers.DEFAULT_PREFETCH);
        assertThat(ts.getReceivedOnNext()).isEmpty();
        ts.request(5);
        assertThat(ts.getReceivedOnNext()).hasSize(5);
        assertThat(requestedUpstream.get()).isEqualTo(UniqueUsers.DEFAULT_PREFETCH);
        ts.request(Long.MAX_VALUE);
        assertThat(ts.isTerminatedComplete()).isTrue();
        assertThat(ts.getReceivedOnNext()).hasSize(5_000);
    }

    @Test
    void requestsUpstreamInBatchesReplenishedAtThreeQuarters() {
        List<Long> requests = new CopyOnWriteArrayList<>();
        Flux.range(0, 1000).map(i -> Ev.of("u", i / 100)).doOnRequest(requests::add)
                .transform(secs(60).build()).blockLast();
        assertThat(requests.get(0)).isEqualTo(256L);
        assertThat(requests.subList(1, requests.size())).containsOnly(192L);
    }

    @Test
    void noncompliantSourceThatOverflowsDemandFailsWithOverflow() {
        TestPublisher<Ev> tp = TestPublisher.createNoncompliant(TestPublisher.Violation.REQUEST_OVERFLOW);
        StepVerifier.create(tp.flux().transform(secs(1).prefetch(4).build()), 0)
                .expectSubscription()
                .then(() -> {
                    for (int i = 0; i < 40; i++) {
                        tp.next(Ev.of("u", i));
                    }
                })
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("more than the 4 records requested"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void noncompliantSourceSignallingAfterTerminationIsIgnored() {
        TestPublisher<Ev> tp = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        StepVerifier.create(tp.flux().transform(secs(10).build()))
                .then(() -> {
                    tp.next(Ev.of("a", 1));
                    tp.complete();
                    tp.next(Ev.of("b", 100));
                    tp.error(new IllegalStateException("late error"));
                    tp.complete();
                })
                .expectNextMatches(w -> w.start() == 0 && w.uniqueUsers() == 1)
                .expectComplete()
                .verifyThenAssertThat()
                .hasDroppedElements()
                .hasDroppedErrors(1);
    }

    @Test
    void idleFlushAdvancesTheWatermarkByQuietProcessingTime() {
        StepVerifier.withVirtualTime(() -> evs("a", 1, "b", 5).concatWith(Flux.never())
                        .transform(secs(10).idleFlush(Duration.ofSeconds(10)).build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(9))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(w -> assertThat(List.of(w.start(), w.uniqueUsers())).containsExactly(0L, 2L))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void idleFlushKeepsAdvancingWhileQuietAndRestartsAfterARecord() {
        TestPublisher<Ev> tp = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> tp.flux().transform(secs(60).idleFlush(Duration.ofSeconds(10)).build()))
                .expectSubscription()
                .then(() -> tp.next(Ev.of("a", 30)))
                .expectNoEvent(Duration.ofSeconds(20))            // quiet ticks at t=10, t=20: W = 30 + 20 = 50
                .then(() -> tp.next(Ev.of("b", 40)))             // not late (W 50 < 60); quiet restarts at t=20
                .expectNoEvent(Duration.ofSeconds(9))
                .thenAwait(Duration.ofSeconds(1))                 // t=30: W = 50 + 10 = 60 closes [0, 60)
                .assertNext(w -> assertThat(List.of(w.start(), w.uniqueUsers())).containsExactly(0L, 2L))
                .then(() -> tp.next(Ev.of("c", 59)))             // [0, 60) is closed: late
                .then(() -> tp.next(Ev.of("d", 61)))
                .thenAwait(Duration.ofSeconds(60))                // W = 60 + 60 = 120 closes [60, 120)
                .assertNext(w -> {
                    assertThat(w.start()).isEqualTo(60);
                    assertThat(w.stats().late()).isEqualTo(1);
                })
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void idleFlushWithAnInjectedScheduler() {
        reactor.test.scheduler.VirtualTimeScheduler vts = reactor.test.scheduler.VirtualTimeScheduler.create();
        TestSubscriber<WindowCount> ts = TestSubscriber.create();
        TestPublisher<Ev> tp = TestPublisher.create();
        tp.flux().transform(secs(60).idleFlush(Duration.ofSeconds(5)).scheduler(vts).build()).subscribe(ts);
        tp.next(Ev.of("a", 10), Ev.of("b", 50));
        vts.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(ts.getReceivedOnNext()).as("W = 55").isEmpty();
        vts.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(ts.getReceivedOnNext()).as("W = 60").extracting(WindowCount::uniqueUsers).containsExactly(2L);
        tp.next(Ev.of("c", 59));
        assertThat(ts.getReceivedOnNext().get(0).stats().late()).isZero();
        ts.cancel();
        tp.assertCancelled();
    }

    @Test
    void noIdleFlushBeforeTheFirstRecordAndOffByDefault() {
        StepVerifier.withVirtualTime(() -> Flux.<Ev>never().transform(secs(10).idleFlush(Duration.ofSeconds(1)).build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofHours(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        StepVerifier.withVirtualTime(() -> evs("a", 1).concatWith(Flux.never()).transform(secs(10).build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofDays(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void futureRecordsDoNotAdvanceTheWatermarkAndGoToThePolicy() {
        reactor.test.scheduler.VirtualTimeScheduler vts = reactor.test.scheduler.VirtualTimeScheduler.create();
        vts.advanceTimeTo(Instant.ofEpochSecond(1_000_000));
        List<LateRecord<Ev>> side = new ArrayList<>();
        List<WindowCount> out = evs("a", 1_000_000, "x", 1_000_000 + 7200, "b", 1_000_005, "c", 1_000_070)
                .transform(secs(60).maxFutureSkew(Duration.ofHours(1)).scheduler(vts)
                        .lateRecords(LatePolicy.<Ev>sideOutput(side::add)).build())
                .collectList().block();
        assertThat(out).extracting(WindowCount::start, WindowCount::uniqueUsers)
                .containsExactly(tuple(999_960L, 2L), tuple(1_000_020L, 1L));
        assertThat(side).extracting(LateRecord::reason).containsExactly(LateRecord.Reason.FUTURE);
        assertThat(out.get(1).stats().future()).isEqualTo(1);
        assertThat(out.get(1).stats().late()).isZero();
    }

    @Test
    void futureBoundIsOffByDefault() {
        List<WindowCount> out = evs("a", 1, "x", 1L << 62, "b", 5).transform(secs(60).build()).collectList().block();
        assertThat(out).extracting(WindowCount::uniqueUsers).containsExactly(1L, 1L);
        assertThat(out.get(1).stats().late()).isEqualTo(1);
    }

    @Test
    void extremeEventTimesSaturateInsteadOfOverflowing() {
        List<WindowCount> out = evs("a", -(1L << 62), "b", 1L << 62, "c", Long.MAX_VALUE, "d", Long.MIN_VALUE)
                .transform(secs(3600).alsoWindow(Duration.ofDays(7)).allowedLateness(Duration.ofDays(365 * 1000L)).build())
                .collectList().block();
        assertThat(out).extracting(WindowCount::start).contains(Math.floorDiv(-(1L << 62), 3600) * 3600,
                Math.floorDiv(1L << 62, 3600) * 3600, Math.floorDiv(Long.MAX_VALUE, 3600) * 3600);
        assertThat(out.get(0).start()).as("same closing step: the 7-day window starts first")
                .isEqualTo(Math.floorDiv(-(1L << 62), 7 * 86400) * 7 * 86400);
        assertThat(out.get(out.size() - 1).stats().late()).as("Long.MIN_VALUE, for both sizes").isEqualTo(2);
        assertThat(out).allSatisfy(w -> assertThat(w.end()).isGreaterThanOrEqualTo(w.start()));
    }

    @Test
    void millisAndInstantEventTimesStayInMillis() {
        record E(String u, Instant at) {
        }
        List<WindowCount> out = Flux.just(new E("a", Instant.ofEpochMilli(1500)), new E("b", Instant.ofEpochMilli(-1)),
                        new E("c", Instant.ofEpochMilli(2999)))
                .transform(UniqueUsers.<E>perWindow(Duration.ofMillis(1000)).userId(E::u).eventTime(E::at)
                        .allowedLateness(Duration.ofMillis(5000)).build())
                .collectList().block();
        assertThat(out).extracting(WindowCount::start, WindowCount::end, WindowCount::unit).containsExactly(
                tuple(-1000L, 0L, ChronoUnit.MILLIS), tuple(1000L, 2000L, ChronoUnit.MILLIS),
                tuple(2000L, 3000L, ChronoUnit.MILLIS));
        List<WindowCount> millis = evs("a", 1500, "b", 2500).transform(UniqueUsers.<Ev>perWindow(Duration.ofSeconds(1))
                .userId(Ev::uid).eventTimeMillis(Ev::ts).build()).collectList().block();
        assertThat(millis).extracting(WindowCount::start).containsExactly(1000L, 2000L);
    }

    @Test
    void userKeyIsCountedAsIs() {
        List<WindowCount> out = Flux.range(0, 1000).map(i -> Ev.of("", i % 100))
                .transform(UniqueUsers.<Ev>perWindow(Duration.ofSeconds(1000)).userKey(e -> e.ts() * 0 + e.ts() % 37)
                        .eventTimeSeconds(e -> 0).build())
                .collectList().block();
        assertThat(out).extracting(WindowCount::uniqueUsers, WindowCount::events).containsExactly(tuple(37L, 1000L));
    }

    @Test
    void approximateModeCarriesAMergeableSketch() {
        UniqueUsers<Ev> op = secs(60).approximate(12).build();
        List<WindowCount> p0 = Flux.range(0, 20_000).map(i -> Ev.of("user-" + i, 0)).transform(op).collectList().block();
        List<WindowCount> p1 = Flux.range(10_000, 20_000).map(i -> Ev.of("user-" + i, 1)).transform(op).collectList().block();
        assertThat(p0.get(0).uniqueUsers()).isCloseTo(20_000L, org.assertj.core.data.Percentage.withPercentage(5));
        UniqueSketch merged = p0.get(0).sketch().orElseThrow().merge(p1.get(0).sketch().orElseThrow());
        assertThat(merged.estimate()).isCloseTo(30_000d, org.assertj.core.data.Percentage.withPercentage(5));
        UniqueSketch roundTrip = UniqueSketch.fromByteArray(merged.toByteArray());
        assertThat(roundTrip.estimate()).isEqualTo(merged.estimate());
        assertThat(roundTrip.lgK()).isEqualTo(12);
        List<WindowCount> exact = Flux.range(0, 10).map(i -> Ev.of("u" + i, 0)).transform(secs(60).build())
                .collectList().block();
        assertThat(exact.get(0).sketch()).isEmpty();
    }

    @Test
    void approximateResultsCarryTheSketchOfTheirUsersAndWriteItAsHll4() {
        // 5 users: DataSketches' coupon list; 200: its coupon set; 20,000: the register array (HLL mode)
        for (int n : new int[] {5, 200, 20_000}) {
            List<WindowCount> out = Flux.range(0, n).map(i -> Ev.of("user-" + i, 0))
                    .transform(secs(60).approximate(12).build()).collectList().block();
            UniqueSketch sketch = out.get(0).sketch().orElseThrow();
            // the reference: the same hashed ids straight into an HLL_4 sketch, as the mode has always counted
            HllSketch reference = new HllSketch(12, TgtHllType.HLL_4);
            for (int i = 0; i < n; i++) {
                reference.update(UidHash.hash("user-" + i));
            }
            assertThat(sketch.estimate()).as("n=%d", n).isEqualTo(reference.getEstimate());
            assertThat(sketch.upperBound(2)).isEqualTo(reference.getUpperBound(2));
            assertThat(sketch.lowerBound(2)).isEqualTo(reference.getLowerBound(2));
            assertThat(out.get(0).uniqueUsers()).isEqualTo(Math.round(reference.getEstimate()));
            byte[] image = sketch.toByteArray();
            HllSketch read = HllSketch.heapify(Memory.wrap(image));
            assertThat(read.getTgtHllType()).isEqualTo(TgtHllType.HLL_4);
            assertThat(image).hasSize(reference.toCompactByteArray().length);
            assertThat(read.getEstimate()).isEqualTo(sketch.estimate());
            assertThat(UniqueSketch.fromByteArray(image).toByteArray()).hasSize(image.length);
        }
    }

    @Test
    void anEmittedSketchDoesNotChangeWhenItsRetainedWindowIsUpdated() {
        List<WindowCount> out = evs("a", 5, "b", 6, "c", 12, "d", 7, "e", 8)
                .transform(secs(10).approximate(12).lateRecords(LatePolicy.update(Duration.ofSeconds(15))).build())
                .collectList().block();
        assertThat(out).extracting(WindowCount::start, WindowCount::revision, WindowCount::uniqueUsers)
                .startsWith(tuple(0L, 0, 2L), tuple(0L, 1, 3L), tuple(0L, 2, 4L));
        // the window goes on counting after each result: each result's sketch is its own
        assertThat(out.get(0).sketch().orElseThrow().estimate()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(out.get(1).sketch().orElseThrow().estimate()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(out.get(2).sketch().orElseThrow().estimate()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void theTransformerIsReusableAcrossSubscriptions() {
        UniqueUsers<Ev> op = secs(10).build();
        Flux<WindowCount> f = evs("a", 1, "b", 2, "a", 11).transform(op);
        assertThat(f.collectList().block()).isEqualTo(f.collectList().block()).hasSize(2);
    }

    @Test
    void perPartitionWatermarkIsTheMinimumOverActivePartitions() {
        TestPublisher<Ev> tp = TestPublisher.create();
        TestSubscriber<WindowCount> ts = TestSubscriber.create();
        tp.flux().transform(secs(10).partitions(Ev::partition).build()).subscribe(ts);
        tp.next(new Ev("a", 1, 0, 0), new Ev("b", 2, 1, 0), new Ev("a", 25, 0, 1));
        assertThat(ts.getReceivedOnNext()).as("partition 1 is still at 2").isEmpty();
        tp.next(new Ev("c", 9, 1, 1));
        assertThat(ts.getReceivedOnNext()).as("partition 1's record at 9 is not late").isEmpty();
        tp.next(new Ev("c", 12, 1, 2));
        assertThat(ts.getReceivedOnNext()).extracting(WindowCount::start, WindowCount::uniqueUsers)
                .containsExactly(tuple(0L, 3L));
        ts.cancel();
    }

    @Test
    void anIdlePartitionStopsHoldingTheOthersBack() {
        TestPublisher<Ev> tp = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> tp.flux().transform(secs(10).partitions(Ev::partition)
                        .partitionIdleTimeout(Duration.ofSeconds(30)).build()))
                .expectSubscription()
                .then(() -> tp.next(new Ev("a", 1, 0, 0), new Ev("b", 2, 1, 0)))
                .thenAwait(Duration.ofSeconds(20))
                .then(() -> tp.next(new Ev("a", 25, 0, 1)))
                .expectNoEvent(Duration.ofSeconds(9))
                .thenAwait(Duration.ofSeconds(1))   // t=30: partition 1 idle, W = 25
                .assertNext(w -> assertThat(List.of(w.start(), w.uniqueUsers())).containsExactly(0L, 2L))
                .then(() -> tp.next(new Ev("late", 3, 1, 1)))   // partition 1 is back, but W never goes back
                .then(() -> tp.complete())
                .assertNext(w -> {
                    assertThat(w.start()).isEqualTo(20);
                    assertThat(w.stats().late()).isEqualTo(1);
                })
                .verifyComplete();
    }
}
