package io.fluxgate.aggregate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.fluxgate.aggregate.AggregateStats.Counter;
import io.fluxgate.aggregate.Aggregated;
import io.fluxgate.aggregate.DuplicatePartException;
import io.fluxgate.aggregate.DuplicatePolicy;
import io.fluxgate.aggregate.IncompleteGroupException;
import io.fluxgate.aggregate.IncompletePolicy;
import io.fluxgate.aggregate.LatePart;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link GroupTable} against a reference model written as plainly as possible (lists scanned linearly), driven by a
 * manual clock and explicit {@code expire()} calls instead of timers. After every step both must have emitted the
 * same results, late parts, discards and counters, hold the same number of open groups, and fail alike.
 */
class GroupTablePropertyTest {

    private static final String PARTS = "abcd";

    @Property(tries = 600)
    void tableMatchesModel(
            @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 29) Integer> ops,
            @ForAll @IntRange(min = 0, max = 3) int completionCode,
            @ForAll @IntRange(min = 1, max = 10) int timeout,
            @ForAll @IntRange(min = 1, max = 4) int maxKeys,
            @ForAll IncompletePolicy incomplete,
            @ForAll DuplicatePolicy duplicates,
            @ForAll boolean lateToSideOutput,
            @ForAll @IntRange(min = 1, max = 4) int closedKeys,
            @ForAll @IntRange(min = 1, max = 20) int closedTtl,
            @ForAll boolean finishAtEnd) {
        // 0: parts a and b present; 1..3: that many distinct parts
        Predicate<Map<String, Integer>> completion = completionCode == 0
                ? ps -> ps.containsKey("a") && ps.containsKey("b")
                : ps -> ps.size() >= completionCode;
        Rules<Integer, Integer> rules = new Rules<>(completion, timeout, maxKeys, incomplete, duplicates,
                lateToSideOutput ? p -> { } : null, closedKeys, closedTtl, 16);
        AtomicLong now = new AtomicLong(1_000);
        EnumMap<Counter, Long> counts = new EnumMap<>(Counter.class);
        List<Object> discarded = new ArrayList<>();
        GroupTable<Integer, Integer> table = new GroupTable<>(rules, now::get,
                c -> counts.merge(c, 1L, Long::sum), discarded::add);
        Model model = new Model(completion, timeout, maxKeys, incomplete, duplicates, lateToSideOutput, closedKeys,
                closedTtl);

        int seq = 0;
        for (int i = 0; i <= ops.size(); i++) {
            String step;
            Class<?> actualError = null;
            Class<?> modelError = null;
            if (i == ops.size()) {
                if (!finishAtEnd) {
                    break;
                }
                step = "finish at " + now.get();
                try {
                    table.finish();
                } catch (RuntimeException e) {
                    actualError = e.getClass();
                }
                try {
                    model.finish(now.get());
                } catch (RuntimeException e) {
                    modelError = e.getClass();
                }
            } else if (ops.get(i) < 24) {
                int key = ops.get(i) / 4;
                String part = String.valueOf(PARTS.charAt(ops.get(i) % 4));
                int value = seq++;
                step = "offer " + key + "/" + part + "=" + value + " at " + now.get();
                try {
                    table.offer(key, part, value);
                } catch (RuntimeException e) {
                    actualError = e.getClass();
                }
                try {
                    model.offer(key, part, value, now.get());
                } catch (RuntimeException e) {
                    modelError = e.getClass();
                }
            } else {
                now.addAndGet(ops.get(i) - 24);
                step = "expire at " + now.get();
                try {
                    table.expire();
                } catch (RuntimeException e) {
                    actualError = e.getClass();
                }
                try {
                    model.expire(now.get());
                } catch (RuntimeException e) {
                    modelError = e.getClass();
                }
            }
            assertThat(actualError).as("error after %s", step).isEqualTo(modelError);
            List<Aggregated<Integer, Integer>> out = new ArrayList<>();
            for (Aggregated<Integer, Integer> a = table.poll(); a != null; a = table.poll()) {
                out.add(a);
            }
            List<LatePart<Integer, Integer>> late = new ArrayList<>();
            for (LatePart<Integer, Integer> p = table.pollLate(); p != null; p = table.pollLate()) {
                late.add(p);
            }
            assertThat(out).as("results after %s", step).isEqualTo(model.out);
            assertThat(late).as("late parts after %s", step).isEqualTo(model.late);
            assertThat(discarded).as("discards after %s", step).isEqualTo(model.discarded);
            assertThat(counts).as("counters after %s", step).isEqualTo(model.counts);
            assertThat(table.openCount()).as("open groups after %s", step).isEqualTo(model.open.size())
                    .isLessThanOrEqualTo(maxKeys);
            model.out.clear();
            model.late.clear();
            if (actualError != null) {
                return;
            }
        }
    }

    /** The rules of {@code Aggregate}'s javadoc, with no cleverness: linear scans over lists. */
    private static final class Model {
        final Predicate<Map<String, Integer>> completion;
        final int timeout;
        final int maxKeys;
        final IncompletePolicy incomplete;
        final DuplicatePolicy duplicates;
        final boolean lateToSideOutput;
        final int closedKeys;
        final int closedTtl;

        record Open(int key, long start, LinkedHashMap<String, Integer> parts) {
        }

        final List<Open> open = new ArrayList<>();
        final List<long[]> closed = new ArrayList<>(); // {key, closedAt}, oldest first
        final List<Aggregated<Integer, Integer>> out = new ArrayList<>();
        final List<LatePart<Integer, Integer>> late = new ArrayList<>();
        final List<Object> discarded = new ArrayList<>();
        final EnumMap<Counter, Long> counts = new EnumMap<>(Counter.class);

        Model(Predicate<Map<String, Integer>> completion, int timeout, int maxKeys, IncompletePolicy incomplete,
              DuplicatePolicy duplicates, boolean lateToSideOutput, int closedKeys, int closedTtl) {
            this.completion = completion;
            this.timeout = timeout;
            this.maxKeys = maxKeys;
            this.incomplete = incomplete;
            this.duplicates = duplicates;
            this.lateToSideOutput = lateToSideOutput;
            this.closedKeys = closedKeys;
            this.closedTtl = closedTtl;
        }

        void count(Counter c) {
            counts.merge(c, 1L, Long::sum);
        }

        void forgetExpired(long now) {
            closed.removeIf(c -> now - c[1] >= closedTtl);
        }

        void remember(int key, long now) {
            forgetExpired(now);
            closed.add(new long[] {key, now});
            if (closed.size() > closedKeys) {
                closed.remove(0);
            }
        }

        void offer(int key, String part, int value, long now) {
            count(Counter.PARTS);
            Open g = null;
            for (Open o : open) {
                if (o.key == key) {
                    g = o;
                }
            }
            if (g == null) {
                forgetExpired(now);
                boolean wasClosed = closed.stream().anyMatch(c -> c[0] == key);
                if (wasClosed) {
                    count(Counter.LATE);
                    if (lateToSideOutput) {
                        late.add(new LatePart<>(key, part, value));
                    } else {
                        discarded.add(value);
                    }
                    return;
                }
                if (open.size() == maxKeys) {
                    Open oldest = open.remove(0);
                    try {
                        closeIncomplete(oldest, Aggregated.Reason.EVICTED, now);
                    } catch (IncompleteGroupException e) {
                        discarded.add(value);
                        throw e;
                    }
                }
                g = new Open(key, now, new LinkedHashMap<>());
                open.add(g);
            } else if (g.parts.containsKey(part)) {
                count(Counter.DUPLICATES);
                if (duplicates == DuplicatePolicy.KEEP_FIRST) {
                    discarded.add(value);
                    return;
                }
                if (duplicates == DuplicatePolicy.ERROR) {
                    discarded.add(value);
                    throw new DuplicatePartException(key, part);
                }
                discarded.add(g.parts.get(part));
            }
            g.parts.put(part, value);
            if (completion.test(g.parts)) {
                open.remove(g);
                remember(key, now);
                count(Counter.COMPLETED);
                out.add(new Aggregated.Complete<>(key, g.parts));
            }
        }

        void expire(long now) {
            while (!open.isEmpty() && now - open.get(0).start >= timeout) {
                closeIncomplete(open.remove(0), Aggregated.Reason.TIMED_OUT, now);
            }
        }

        void finish(long now) {
            while (!open.isEmpty()) {
                closeIncomplete(open.remove(0), Aggregated.Reason.SOURCE_COMPLETED, now);
            }
        }

        void closeIncomplete(Open g, Aggregated.Reason reason, long now) {
            remember(g.key, now);
            count(switch (reason) {
                case TIMED_OUT -> Counter.TIMED_OUT;
                case EVICTED -> Counter.EVICTED;
                case SOURCE_COMPLETED -> Counter.SOURCE_COMPLETED;
            });
            switch (incomplete) {
                case EMIT_PARTIAL -> out.add(new Aggregated.Partial<>(g.key, g.parts, reason));
                case DROP -> {
                    count(Counter.INCOMPLETE_DROPPED);
                    discarded.addAll(g.parts.values());
                }
                case ERROR -> {
                    discarded.addAll(g.parts.values());
                    throw new IncompleteGroupException(g.key, List.copyOf(g.parts.keySet()), reason);
                }
            }
        }
    }
}
