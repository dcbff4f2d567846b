package io.fluxgate.window;

import static io.fluxgate.window.UniqueUsersTest.secs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxgate.heartbeat.Heartbeat;
import io.fluxgate.heartbeat.Pulse;
import io.fluxgate.window.internal.WindowEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Heartbeat ticks drive the window operator's idle flush ({@code Heartbeat...ticks()} then
 * {@code UniqueUsers...buildForPulses()}), both on one virtual clock.
 */
class HeartbeatIdleFlushTest {

    private static Function<Flux<Ev>, Flux<WindowCount>> heartbeatThenWindow(long heartbeatSecs, long windowSecs,
                                                                           VirtualTimeScheduler vts) {
        Function<Flux<Ev>, Flux<Pulse<Ev>>> ticks = Heartbeat.every(Duration.ofSeconds(heartbeatSecs)).scheduler(vts).ticks();
        Function<Flux<Pulse<Ev>>, Flux<WindowCount>> window = secs(windowSecs).scheduler(vts).buildForPulses();
        return f -> f.transform(ticks).transform(window);
    }

    @Test
    void aQuietStreamClosesItsLastWindowThroughHeartbeatTicks() {
        StepVerifier.withVirtualTime(() -> UniqueUsersTest.evs("a", 1, "b", 5).concatWith(Flux.never())
                        .transform(heartbeatThenWindow(5, 10, VirtualTimeScheduler.get())))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(4))
                .thenAwait(Duration.ofSeconds(1))              // t=5: tick (silence 5 s), W = 5 + 5 = 10 closes [0, 10)
                .assertNext(w -> {
                    assertThat(List.of(w.start(), w.uniqueUsers())).containsExactly(0L, 2L);
                    assertThat(w.stats().events()).as("ticks are not records").isEqualTo(2);
                })
                .expectNoEvent(Duration.ofHours(1))            // nothing else is open: ticks close nothing more
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void consecutiveTickSilencesAddUpSinceTheLastRecord() {
        TestPublisher<Ev> tp = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> tp.flux().transform(heartbeatThenWindow(10, 60, VirtualTimeScheduler.get())))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(25))         // ticks before the first record advance nothing
                .then(() -> tp.next(Ev.of("a", 30)))           // t=25, W = 30
                .expectNoEvent(Duration.ofSeconds(29))         // ticks at 35 (W 40), 45 (W 50): each reports 10 s
                .thenAwait(Duration.ofSeconds(1))              // t=55: 30 s of silence in three ticks, W = 60
                .assertNext(w -> assertThat(List.of(w.start(), w.uniqueUsers())).containsExactly(0L, 1L))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void noEarlyCloseWhileRecordsKeepArriving() {
        // Records every 3 s, all in [0, 10) (a backlog replay): processing time runs for a minute, the heartbeat
        // never fires, so the window stays open however long the stream runs; once quiet, two ticks close it.
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ZERO, Duration.ofSeconds(3)).take(21)
                        .map(i -> Ev.of("u" + i, 1)).concatWith(Flux.never())
                        .transform(heartbeatThenWindow(5, 10, VirtualTimeScheduler.get())))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(69))         // last record at t=60; ticks at 65 (W 6), 70 (W 11)
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(w -> assertThat(List.of(w.start(), w.uniqueUsers())).containsExactly(0L, 21L))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void heartbeatDrivenFlushEmitsWhatTheBuiltInIdleFlushEmitsAndWhen() {
        // gaps (s) before each record, event times (s): quiet spells shorter and longer than the interval; windows
        // close by event time ([0,10) at t=12) and by quiet ([10,20) at t=22), and records behind a flush are late.
        long[][] script = {{0, 1}, {2, 3}, {7, 4}, {3, 12}, {12, 15}, {1, 14}, {30, 40}, {4, 41}, {16, 75}};
        List<String> own = run(script, (vts, f) -> f.transform(secs(10).idleFlush(Duration.ofSeconds(5)).scheduler(vts).build()));
        List<String> viaHeartbeat = run(script, (vts, f) -> f.transform(heartbeatThenWindow(5, 10, vts)));
        assertThat(own).containsExactly("t=12 [0,10) 3 late=0", "t=22 [10,20) 1 late=0", "t=64 [40,50) 2 late=2",
                "t=80 [70,80) 1 late=2");
        assertThat(viaHeartbeat).isEqualTo(own);
    }

    private static List<String> run(long[][] script, java.util.function.BiFunction<VirtualTimeScheduler, Flux<Ev>, Flux<WindowCount>> op) {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        List<Mono<Ev>> steps = new ArrayList<>();
        for (int i = 0; i < script.length; i++) {
            steps.add(Mono.just(Ev.of("u" + i, script[i][1])).delayElement(Duration.ofSeconds(script[i][0]), vts));
        }
        List<String> out = new ArrayList<>();
        Disposable d = op.apply(vts, Flux.concat(steps).concatWith(Flux.never()))
                .subscribe(w -> out.add("t=" + vts.now(TimeUnit.SECONDS) + " [" + w.start() + "," + w.end() + ") "
                        + w.uniqueUsers() + " late=" + w.stats().late()));
        vts.advanceTimeBy(Duration.ofMinutes(10));
        d.dispose();
        return out;
    }

    @Test
    void engineAddsReportedSilenceToTheWatermarkAtTheLastRecordAndIgnoresItBeforeOne() {
        AtomicLong nanos = new AtomicLong();
        WindowEngine<Ev> e = new WindowEngine<>(secs(60).build().spec(), nanos::get);
        e.onSilence(Duration.ofHours(1));
        assertThat(e.hasWatermark()).as("no record yet").isFalse();
        e.onNext(Ev.of("a", 30));
        e.onSilence(Duration.ofMillis(10_999));
        assertThat(e.watermark()).as("whole event-time units only").isEqualTo(40);
        e.onSilence(Duration.ofMillis(9_001));
        assertThat(e.watermark()).as("silences add up: 20 s since the record").isEqualTo(50);
        e.onNext(Ev.of("b", 31));
        e.onSilence(Duration.ofSeconds(5));
        assertThat(e.watermark()).as("a record restarts the silence; the watermark never goes back").isEqualTo(55);
        e.onSilence(Duration.ofSeconds(5));
        assertThat(e.results()).extracting(WindowCount::start, WindowCount::uniqueUsers)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 2L));
    }

    @Test
    void pulseFormValidatesLikeBuild() {
        assertThatThrownBy(() -> UniqueUsers.<Ev>perWindow(Duration.ofSeconds(1)).userId(Ev::uid).buildForPulses())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event time");
    }

    @Test
    void pulseFormPropagatesErrorsAndDiscardsPendingResultsOnCancel() {
        StepVerifier.create(Flux.<Pulse<Ev>>error(new IllegalStateException("boom")).transform(secs(10).buildForPulses()))
                .expectErrorMessage("boom")
                .verify(Duration.ofSeconds(5));
        List<Object> discarded = new ArrayList<>();
        TestPublisher<Pulse<Ev>> tp = TestPublisher.create();
        StepVerifier.create(tp.flux().transform(secs(10).buildForPulses())
                        .doOnDiscard(Object.class, discarded::add), 0)
                .then(() -> tp.next(new Pulse.Item<>(Ev.of("a", 1)), new Pulse.Tick<>(1, Duration.ofSeconds(20))))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        tp.assertCancelled();
        assertThat(discarded).as("the window the tick closed, still waiting for demand")
                .singleElement().isInstanceOfSatisfying(WindowCount.class, w -> assertThat(w.start()).isZero());
    }
}
