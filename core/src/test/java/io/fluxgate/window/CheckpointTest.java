package io.fluxgate.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** The crash-safe checkpoint contract the Kafka source relies on, by example. */
class CheckpointTest {

    private static UniqueUsers.Builder<Ev> op(long size, long lateness) {
        return UniqueUsers.<Ev>perWindow(Duration.ofSeconds(size)).userId(Ev::uid).eventTimeSeconds(Ev::ts)
                .allowedLateness(Duration.ofSeconds(lateness)).positions(Ev::pos);
    }

    private static Checkpoint.Mark mark(WindowCount w) {
        return w.checkpoint().orElseThrow().mark(Checkpoint.SINGLE_PARTITION);
    }

    @Test
    void resumePositionIsTheFirstRecordStillHeldOrLastSeenPlusOne() {
        List<WindowCount> out = Flux.just(new Ev("a", 1, 0, 100), new Ev("b", 5, 0, 101), new Ev("c", 12, 0, 102),
                new Ev("d", 25, 0, 103)).transform(op(10, 0).build()).collectList().block();
        assertThat(out).hasSize(3);
        assertThat(mark(out.get(0))).isEqualTo(new Checkpoint.Mark(102, 5));
        assertThat(mark(out.get(1))).isEqualTo(new Checkpoint.Mark(103, 12));
        assertThat(mark(out.get(2))).isEqualTo(new Checkpoint.Mark(104, 25));
        assertThat(out.get(0).checkpoint().orElseThrow().emittedUpTo()).isEqualTo(Map.of(Duration.ofSeconds(10), 10L));
        assertThat(out.get(2).checkpoint().orElseThrow().emittedUpTo()).isEqualTo(Map.of(Duration.ofSeconds(10), 30L));
    }

    @Test
    void windowsClosedInTheSameStepButEmittedLaterStillHoldTheirRecords() {
        List<WindowCount> out = Flux.just(new Ev("a", 1, 0, 0), new Ev("b", 11, 0, 1), new Ev("c", 35, 0, 2))
                .transform(op(10, 0).build()).collectList().block();
        assertThat(out).extracting(WindowCount::start).containsExactly(0L, 10L, 30L);
        assertThat(mark(out.get(0))).isEqualTo(new Checkpoint.Mark(1, 1));
        assertThat(mark(out.get(1))).isEqualTo(new Checkpoint.Mark(2, 11));
    }

    @Test
    void lateRecordsAreAccountedForAtOnceAndRetainedUpdateWindowsAreHeld() {
        List<WindowCount> drop = Flux.just(new Ev("a", 1, 0, 0), new Ev("b", 11, 0, 1), new Ev("late", 2, 0, 2),
                new Ev("c", 25, 0, 3)).transform(op(10, 0).build()).collectList().block();
        assertThat(mark(drop.get(1))).as("the late record at 2 needs no replay").isEqualTo(new Checkpoint.Mark(3, 11));

        List<WindowCount> update = Flux.just(new Ev("a", 1, 0, 0), new Ev("b", 11, 0, 1), new Ev("c", 25, 0, 2))
                .transform(op(10, 0).lateRecords(LatePolicy.update(Duration.ofSeconds(60))).build()).collectList().block();
        assertThat(mark(update.get(0))).as("[0,10) is retained, so a is held").isEqualTo(new Checkpoint.Mark(0, Long.MIN_VALUE));
        assertThat(mark(update.get(1))).isEqualTo(new Checkpoint.Mark(0, Long.MIN_VALUE));
    }

    @Test
    void noCheckpointWithoutPositions() {
        assertThat(Flux.just(Ev.of("a", 1)).transform(UniqueUsers.<Ev>perWindow(Duration.ofSeconds(10)).userId(Ev::uid)
                .eventTimeSeconds(Ev::ts).build()).blockLast().checkpoint()).isEmpty();
    }

    @Test
    void twoPartitionsResumeFromEveryCheckpointReproducesTheUninterruptedRun() {
        Random rnd = new Random(42);
        List<Ev> events = new ArrayList<>();
        long[] ts = {1000, 1003};
        long[] pos = {0, 0};
        for (int i = 0; i < 400; i++) {
            int p = rnd.nextInt(3) == 0 ? 1 : 0;  // partition 0 gets twice the traffic
            ts[p] += rnd.nextInt(7) - 2;
            if (rnd.nextInt(40) == 0) {
                ts[p] += 30;
            }
            events.add(new Ev("u" + rnd.nextInt(15), ts[p], p, pos[p]++));
        }
        UniqueUsers.Builder<Ev> b = op(10, 3).alsoWindow(Duration.ofSeconds(30)).partitions(Ev::partition);
        List<WindowCount> full = Flux.fromIterable(events).transform(b.build()).collectList().block();
        assertThat(full).hasSizeGreaterThan(20);
        assertThat(full.get(full.size() - 1).stats().late()).as("the stream has late records").isPositive();

        for (int cut = 0; cut < full.size(); cut++) {
            Checkpoint cp = full.get(cut).checkpoint().orElseThrow();
            List<Ev> replay = events.stream().filter(e -> {
                Checkpoint.Mark m = cp.mark(e.partition());
                return m == null || e.pos() >= m.resumePosition();
            }).collect(Collectors.toList());
            List<WindowCount> resumed = Flux.fromIterable(replay)
                    .transform(op(10, 3).alsoWindow(Duration.ofSeconds(30)).partitions(Ev::partition)
                            .resumeFrom(cp.toResumeState()).build())
                    .collectList().block();
            Map<String, WindowCount> union = new LinkedHashMap<>();
            full.subList(0, cut + 1).forEach(w -> union.put(w.size() + "@" + w.start(), w));
            resumed.forEach(w -> union.put(w.size() + "@" + w.start(), w));
            Map<String, WindowCount> expected = new LinkedHashMap<>();
            full.forEach(w -> expected.put(w.size() + "@" + w.start(), w));
            assertThat(union).as("cut after result %d", cut).isEqualTo(expected);
        }
    }

    @Test
    void resumeStateRestoresLatenessAndSkipsEmittedWindowsAsReplayed() {
        ResumeState state = ResumeState.of(Map.of(Checkpoint.SINGLE_PARTITION, 25L), Map.of(Duration.ofSeconds(10), 20L));
        List<WindowCount> out = Flux.just(new Ev("a", 15, 0, 7), new Ev("b", 21, 0, 8), new Ev("c", 35, 0, 9))
                .transform(op(10, 0).resumeFrom(state).build()).collectList().block();
        assertThat(out).extracting(WindowCount::start).containsExactly(20L, 30L);
        assertThat(out.get(1).stats().replayedSkipped()).isEqualTo(1);
        assertThat(out.get(1).stats().late()).isZero();
    }

    @Test
    void resumeStateMustMatchTheConfiguration() {
        assertThatThrownBy(() -> op(10, 0).resumeFrom(ResumeState.of(Map.of(), Map.of(Duration.ofSeconds(60), 0L))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1M");
        assertThatThrownBy(() -> op(10, 0).resumeFrom(ResumeState.of(Map.of("p7", 1L), Map.of())).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p7");
    }
}
