package io.fluxgate.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import reactor.core.publisher.Flux;

/**
 * The operator against {@link ReferenceModel} over random disordered streams (duplicates, gaps, late records,
 * negative times), several window sizes and lateness values; and the crash-safe checkpoint contract: cutting a run
 * at any emitted window and resuming from its checkpoint reproduces the uninterrupted output.
 */
class UniqueUsersPropertyTest {

    @Property(tries = 300)
    void exactModeMatchesTheReferenceModel(@ForAll("streams") List<Ev> events, @ForAll("sizes") long[] sizes,
                                           @ForAll @IntRange(min = 0, max = 12) int lateness) {
        ReferenceModel.Result expected = ReferenceModel.run(events, sizes, lateness);

        List<WindowCount> actual = Flux.fromIterable(events).transform(operator(sizes, lateness).build())
                .collectList().block();

        assertThat(actual).extracting(w -> new ReferenceModel.Out(w.start(), w.size().getSeconds(), w.uniqueUsers(),
                w.events())).containsExactlyElementsOf(expected.outputs());
        if (!actual.isEmpty()) {
            WindowStats.Snapshot last = actual.get(actual.size() - 1).stats();
            assertThat(last.late()).isEqualTo(expected.late());
            assertThat(last.dropped()).isEqualTo(expected.late());
            assertThat(last.events()).isEqualTo(events.size());
        }
        assertThat(actual).allSatisfy(w -> assertThat(w.revision()).isZero());
    }

    @Property(tries = 300)
    void resumingFromAnyCheckpointReproducesTheUninterruptedRun(
            @ForAll("streams") List<Ev> events, @ForAll("sizes") long[] sizes,
            @ForAll @IntRange(min = 0, max = 12) int lateness, @ForAll @IntRange(min = 0, max = 1000) int cutSeed) {
        List<WindowCount> full = Flux.fromIterable(events)
                .transform(operator(sizes, lateness).positions(Ev::pos).build()).collectList().block();
        if (full.isEmpty()) {
            return;
        }
        int cut = cutSeed % full.size();
        Checkpoint cp = full.get(cut).checkpoint().orElseThrow();
        long resumeAt = cp.mark(Checkpoint.SINGLE_PARTITION).resumePosition();
        List<Ev> replay = events.stream().filter(e -> e.pos() >= resumeAt).collect(Collectors.toList());

        List<WindowCount> resumed = Flux.fromIterable(replay)
                .transform(operator(sizes, lateness).positions(Ev::pos).resumeFrom(cp.toResumeState()).build())
                .collectList().block();

        Map<String, WindowCount> union = new LinkedHashMap<>();
        full.subList(0, cut + 1).forEach(w -> union.put(key(w), w));
        resumed.forEach(w -> union.put(key(w), w));
        Map<String, WindowCount> expected = new LinkedHashMap<>();
        full.forEach(w -> expected.put(key(w), w));
        assertThat(union).isEqualTo(expected);
        // Nothing emitted before the cut is emitted again.
        assertThat(resumed).allSatisfy(w -> assertThat(w.end())
                .isGreaterThan(cp.emittedUpTo().getOrDefault(w.size(), Long.MIN_VALUE)));
    }

    private static String key(WindowCount w) {
        return w.size() + "@" + w.start();
    }

    static UniqueUsers.Builder<Ev> operator(long[] sizes, long lateness) {
        UniqueUsers.Builder<Ev> b = UniqueUsers.<Ev>perWindow(Duration.ofSeconds(sizes[0]));
        for (int i = 1; i < sizes.length; i++) {
            b.alsoWindow(Duration.ofSeconds(sizes[i]));
        }
        return b.userId(Ev::uid).eventTimeSeconds(Ev::ts).allowedLateness(Duration.ofSeconds(lateness));
    }

    @Provide
    Arbitrary<long[]> sizes() {
        return Arbitraries.of(1L, 2L, 3L, 5L, 7L, 10L, 60L).set().ofMinSize(1).ofMaxSize(3)
                .map(s -> s.stream().mapToLong(Long::longValue).toArray())
                .map(a -> {
                    long[] copy = a.clone();
                    Arrays.sort(copy);
                    return copy;
                });
    }

    @Provide
    Arbitrary<List<Ev>> streams() {
        Arbitrary<int[]> step = Combinators.combine(
                Arbitraries.integers().between(-8, 12),
                Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(0, 25)).as((d, u, g) -> new int[] {d, u, g});
        return Combinators.combine(Arbitraries.longs().between(-200, 200), step.list().ofMaxSize(150))
                .as((base, steps) -> {
                    List<Ev> out = new ArrayList<>();
                    long ts = base;
                    long pos = 0;
                    for (int[] s : steps) {
                        ts += s[0];
                        if (s[2] == 0) {
                            ts += 40;
                        }
                        out.add(new Ev("u" + s[1], ts, 0, pos++));
                    }
                    return out;
                });
    }
}
