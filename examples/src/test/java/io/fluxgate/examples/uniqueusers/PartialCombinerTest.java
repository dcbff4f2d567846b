package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.fluxgate.examples.uniqueusers.PartialCombiner.Combined;
import io.fluxgate.examples.uniqueusers.PartialCombiner.Partial;
import io.fluxgate.window.UniqueSketch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.junit.jupiter.api.Test;

class PartialCombinerTest {

    private static final long[] SIZES = {60, 120};

    /**
     * Reference model: the sum over partitions of each window's last count. Each partition emits its windows the
     * way its operator does (at each watermark step the windows it closes, by start then size); a worker may crash
     * and publish again from an earlier point (same counts); the partitions' publications interleave at random in
     * the partials topic, and each partition is marked done some time after its last partial. Every window must come
     * out exactly once, with the full sum: a window emitted before all its partitions' partials were read would lack
     * some of them.
     */
    @Property(tries = 300)
    void emitsEachWindowOnceWithTheSumOverPartitions(@ForAll Random random,
                                                     @ForAll @IntRange(min = 1, max = 5) int partitions,
                                                     @ForAll @IntRange(min = 1, max = 2) int sizes) {
        List<List<Partial>> emitted = new ArrayList<>();
        Map<String, Long> expected = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            List<Partial> windows = operatorOrder(random, p, sizes);
            windows.forEach(w -> expected.merge(w.start() + "/" + w.sizeSeconds(), w.users(), Long::sum));
            emitted.add(withRestarts(random, windows));
        }
        // the partials topic: partitions' publications interleaved, each partition's in order; null = done marker
        List<Object[]> topic = interleave(random, emitted);

        PartialCombiner combiner = new PartialCombiner(partitions, false);
        Map<String, Long> out = new TreeMap<>();
        for (Object[] entry : topic) {
            if (entry[1] == null) {
                combiner.partitionDone((Integer) entry[0]);
            } else {
                combiner.accept((Partial) entry[1]);
            }
            for (Combined c : combiner.drain()) {
                assertThat(out.put(c.start() + "/" + c.sizeSeconds(), c.users())).as("emitted twice: %s", c).isNull();
            }
        }
        assertThat(out).isEqualTo(expected);
        assertThat(combiner.finished()).isTrue();
    }

    @Test
    void aWindowWaitsForEveryPartitionToPassIt() {
        PartialCombiner c = new PartialCombiner(3, false);
        c.accept(partial(0, 60, 0, 5));
        c.accept(partial(120, 60, 0, 1));   // partition 0 passed [0,60) and [60,120) (it had no users in the latter)
        c.accept(partial(0, 60, 1, 7));
        assertThat(c.drain()).isEmpty();    // partition 2 has not passed [0,60)
        c.accept(partial(60, 60, 2, 4));    // ... now it has: it had no users in [0,60)
        assertThat(c.drain()).extracting(Combined::start, Combined::users).containsExactly(tuple(0L, 12L));
        c.accept(partial(0, 60, 1, 7));     // a replay after a restart: already combined, ignored
        assertThat(c.drain()).isEmpty();    // [60,120) waits for partition 1
        assertThat(c.replays()).isEqualTo(1);
        c.partitionDone(1);                  // partition 1's end: it passed every window
        assertThat(c.drain()).extracting(Combined::start, Combined::users).containsExactly(tuple(60L, 4L));
        c.partitionDone(2);
        assertThat(c.drain()).extracting(Combined::start, Combined::users).containsExactly(tuple(120L, 1L));
        assertThat(c.finished()).isFalse(); // partition 0 may still publish windows after [120,180)
        c.partitionDone(0);
        assertThat(c.drain()).isEmpty();
        assertThat(c.finished()).isTrue();
    }

    @Test
    void approximateModeMergesTheSketchesOfDisjointUsers() {
        PartialCombiner c = new PartialCombiner(3, true);
        for (int p = 0; p < 3; p++) {
            HllSketch s = new HllSketch(12, TgtHllType.HLL_4);
            for (int u = 0; u < 20_000; u++) {
                s.update("p" + p + "-u" + u);
            }
            c.accept(new Partial(0, 60, p, Math.round(s.getEstimate()), 20_000,
                    UniqueSketch.fromByteArray(s.toCompactByteArray()).toByteArray()));
            c.partitionDone(p);
        }
        Combined w = c.drain().get(0);
        assertThat((double) w.users()).isCloseTo(60_000, org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(w.sketch()).isNotNull();
        assertThat(w.events()).isEqualTo(60_000);
    }

    @Test
    void rejectsPartialsThatDoNotFit() {
        PartialCombiner exact = new PartialCombiner(2, false);
        assertThatThrownBy(() -> exact.accept(partial(0, 60, 2, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition 2").hasMessageContaining("2 partitions");
        assertThatThrownBy(() -> exact.accept(new Partial(0, 60, 0, 1, 1, new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("approximate");
        assertThatThrownBy(() -> new PartialCombiner(2, true).accept(partial(0, 60, 0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exact");
        assertThatThrownBy(() -> exact.accept(partial(0, 0, 0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size 0");
        assertThatThrownBy(() -> new PartialCombiner(0, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partialsRoundTripThroughTheirJson() {
        HllSketch s = new HllSketch(12, TgtHllType.HLL_4);
        s.update("a");
        io.fluxgate.window.WindowCount w = new io.fluxgate.window.WindowCount(120, 180, java.time.Duration.ofMinutes(1),
                java.time.temporal.ChronoUnit.SECONDS, 1, 3, 0, UniqueSketch.fromByteArray(s.toCompactByteArray()),
                io.fluxgate.window.WindowStats.Snapshot.EMPTY, null);
        byte[] json = Partials.json(w, 4, "g\"1").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Partials.parse(json, "g2")).as("another group's partial").isNull();
        Partial p = Partials.parse(json, "g\"1");
        assertThat(p.start()).isEqualTo(120);
        assertThat(p.sizeSeconds()).isEqualTo(60);
        assertThat(p.partition()).isEqualTo(4);
        assertThat(p.users()).isEqualTo(1);
        assertThat(p.events()).isEqualTo(3);
        assertThat(UniqueSketch.fromByteArray(p.sketch()).estimate()).isEqualTo(1.0);
        assertThat(Partials.key(w, 4, "g1")).isEqualTo("120@60@4@g1");
        assertThatThrownBy(() -> Partials.parse("{\"group\":\"g\",\"ts\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
        assertThatThrownBy(() -> Partials.parse("[1]".getBytes(java.nio.charset.StandardCharsets.UTF_8), "g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a partial count");
    }

    private static Partial partial(long start, long size, int partition, long users) {
        return new Partial(start, size, partition, users, users, null);
    }

    /** A partition's windows in the order its operator emits them, over random watermark steps. */
    private static List<Partial> operatorOrder(Random random, int partition, int sizes) {
        List<Partial> windows = new ArrayList<>();
        for (int s = 0; s < sizes; s++) {
            long size = SIZES[s];
            for (long start = 0; start < 1200; start += size) {
                if (random.nextInt(3) > 0) {
                    windows.add(new Partial(start, size, partition, 1 + random.nextInt(100), 1, null));
                }
            }
        }
        // the watermark jumps to random points; each jump emits the windows it closes, by start then size
        List<Partial> ordered = new ArrayList<>();
        long watermark = 0;
        while (ordered.size() < windows.size()) {
            watermark += 30 + random.nextInt(200);
            long w = watermark;
            windows.stream().filter(p -> p.end() <= w && !ordered.contains(p))
                    .sorted(Comparator.comparingLong(Partial::start).thenComparingLong(Partial::sizeSeconds))
                    .forEach(ordered::add);
        }
        return ordered;
    }

    /** What a worker publishes: its emissions, with crashes after which it publishes again from an earlier one. */
    private static List<Partial> withRestarts(Random random, List<Partial> windows) {
        List<Partial> published = new ArrayList<>();
        int next = 0;
        while (next < windows.size()) {
            int crash = next + random.nextInt(windows.size() - next + 1);
            published.addAll(windows.subList(next, crash));
            if (crash == windows.size()) {
                break;
            }
            next = random.nextInt(crash + 1); // resumes at or before the crash point
        }
        return published;
    }

    private static List<Object[]> interleave(Random random, List<List<Partial>> perPartition) {
        List<Object[]> topic = new ArrayList<>();
        Map<Integer, Integer> at = new HashMap<>();
        List<Integer> open = new ArrayList<>();
        for (int p = 0; p < perPartition.size(); p++) {
            at.put(p, 0);
            open.add(p);
        }
        while (!open.isEmpty()) {
            int p = open.get(random.nextInt(open.size()));
            int i = at.get(p);
            if (i < perPartition.get(p).size()) {
                topic.add(new Object[] {p, perPartition.get(p).get(i)});
                at.put(p, i + 1);
            } else {
                topic.add(new Object[] {p, null});
                open.remove(Integer.valueOf(p));
            }
        }
        return topic;
    }
}
