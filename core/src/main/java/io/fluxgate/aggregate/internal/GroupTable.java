package io.fluxgate.aggregate.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.fluxgate.aggregate.AggregateStats.Counter;
import io.fluxgate.aggregate.Aggregated;
import io.fluxgate.aggregate.DuplicatePartException;
import io.fluxgate.aggregate.IncompleteGroupException;
import io.fluxgate.aggregate.LatePart;
import io.fluxgate.dedupe.InMemoryIdempotencyStore;
import reactor.util.annotation.Nullable;

/**
 * The aggregation state machine: open groups by key, closed groups waiting to be emitted, closed keys remembered
 * for late parts. Plain Java, single-threaded (the subscriber serialises calls), time read from an injected clock
 * and no timers: the caller asks for {@link #nextDeadline()} and calls {@link #expire()} when it has passed.
 *
 * <p>Open groups are kept in first-part order; every group has the same timeout, so that is also deadline order and
 * "oldest" for eviction. Errors of the {@code ERROR} policies are thrown ({@link DuplicatePartException},
 * {@link IncompleteGroupException}) after the values concerned went to {@code discard}; the table stays consistent,
 * the caller then fails the stream and {@link #clear()}s.
 */
public final class GroupTable<K, T> {

    private final Rules<K, T> rules;
    private final LongSupplier clock;
    private final Consumer<Counter> counters;
    private final Consumer<Object> discard;
    private final LinkedHashMap<K, Group<T>> open = new LinkedHashMap<>();
    private final ArrayDeque<Aggregated<K, T>> ready = new ArrayDeque<>();
    private final ArrayDeque<LatePart<K, T>> late = new ArrayDeque<>();
    private final InMemoryIdempotencyStore<K> closed;

    private static final class Group<T> {
        final long deadline;
        final LinkedHashMap<String, T> parts = new LinkedHashMap<>(8);

        Group(long deadline) {
            this.deadline = deadline;
        }
    }

    /**
     * @param counters told of every counted event
     * @param discard  receives every value the table lets go of without emitting it
     */
    public GroupTable(Rules<K, T> rules, LongSupplier clock, Consumer<Counter> counters, Consumer<Object> discard) {
        this.rules = rules;
        this.clock = clock;
        this.counters = counters;
        this.discard = discard;
        this.closed = InMemoryIdempotencyStore.builder().maxKeys(rules.closedKeys())
                .ttl(Duration.ofNanos(rules.closedKeysTtlNanos())).nanoClock(clock).build();
    }

    /**
     * Adds one part: to its key's open group (completing it if the condition now holds), or to a new group (evicting
     * the oldest if {@code maxKeys} are open), or, if the key was closed and is still remembered, to the late parts.
     *
     * @throws DuplicatePartException   under {@code DuplicatePolicy.ERROR}
     * @throws IncompleteGroupException when an eviction closes a group under {@code IncompletePolicy.ERROR}
     * @throws RuntimeException         what the completion predicate throws
     */
    public void offer(K key, String part, T value) {
        counters.accept(Counter.PARTS);
        Group<T> g = open.get(key);
        if (g == null) {
            if (closed.contains(key)) {
                counters.accept(Counter.LATE);
                if (rules.lateSink() != null) {
                    late.add(new LatePart<>(key, part, value));
                } else {
                    discard.accept(value);
                }
                return;
            }
            if (open.size() >= rules.maxKeys()) {
                Iterator<Map.Entry<K, Group<T>>> oldest = open.entrySet().iterator();
                Map.Entry<K, Group<T>> e = oldest.next();
                oldest.remove();
                try {
                    closeIncomplete(e.getKey(), e.getValue(), Aggregated.Reason.EVICTED);
                } catch (IncompleteGroupException ex) {
                    discard.accept(value);
                    throw ex;
                }
            }
            long now = clock.getAsLong();
            long deadline = rules.timeoutNanos() == Long.MAX_VALUE || now > Long.MAX_VALUE - rules.timeoutNanos()
                    ? Long.MAX_VALUE : now + rules.timeoutNanos();
            g = new Group<>(deadline);
            open.put(key, g);
        } else if (g.parts.containsKey(part)) {
            counters.accept(Counter.DUPLICATES);
            switch (rules.duplicates()) {
                case KEEP_FIRST -> {
                    discard.accept(value);
                    return;
                }
                case KEEP_LAST -> discard.accept(g.parts.get(part));
                case ERROR -> {
                    discard.accept(value);
                    throw new DuplicatePartException(key, part);
                }
            }
        }
        g.parts.put(part, value);
        if (rules.completion().test(Collections.unmodifiableMap(g.parts))) {
            open.remove(key);
            closed.tryMark(key);
            counters.accept(Counter.COMPLETED);
            ready.add(new Aggregated.Complete<>(key, Collections.unmodifiableMap(g.parts)));
        }
    }

    /**
     * Closes every open group whose deadline has passed, oldest first, under the incomplete policy.
     *
     * @throws IncompleteGroupException under {@code IncompletePolicy.ERROR}
     */
    public void expire() {
        long now = clock.getAsLong();
        Iterator<Map.Entry<K, Group<T>>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<K, Group<T>> e = it.next();
            if (e.getValue().deadline > now) {
                return;
            }
            it.remove();
            closeIncomplete(e.getKey(), e.getValue(), Aggregated.Reason.TIMED_OUT);
        }
    }

    /**
     * The source completed: closes every open group, oldest first, under the incomplete policy.
     *
     * @throws IncompleteGroupException under {@code IncompletePolicy.ERROR}
     */
    public void finish() {
        Iterator<Map.Entry<K, Group<T>>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<K, Group<T>> e = it.next();
            it.remove();
            closeIncomplete(e.getKey(), e.getValue(), Aggregated.Reason.SOURCE_COMPLETED);
        }
    }

    private void closeIncomplete(K key, Group<T> g, Aggregated.Reason reason) {
        closed.tryMark(key);
        counters.accept(switch (reason) {
            case TIMED_OUT -> Counter.TIMED_OUT;
            case EVICTED -> Counter.EVICTED;
            case SOURCE_COMPLETED -> Counter.SOURCE_COMPLETED;
        });
        switch (rules.incomplete()) {
            case EMIT_PARTIAL -> ready.add(new Aggregated.Partial<>(key, Collections.unmodifiableMap(g.parts), reason));
            case DROP -> {
                counters.accept(Counter.INCOMPLETE_DROPPED);
                g.parts.values().forEach(discard);
            }
            case ERROR -> {
                g.parts.values().forEach(discard);
                throw new IncompleteGroupException(key, new ArrayList<>(g.parts.keySet()), reason);
            }
        }
    }

    /** The earliest deadline of an open group, or {@code Long.MAX_VALUE} if none is open. */
    public long nextDeadline() {
        if (open.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return open.values().iterator().next().deadline;
    }

    /** The next closed group to emit, or null. */
    @Nullable
    public Aggregated<K, T> poll() {
        return ready.poll();
    }

    /** The next late part for the side output, or null. */
    @Nullable
    public LatePart<K, T> pollLate() {
        return late.poll();
    }

    /** Closed groups waiting to be emitted. */
    public int readyCount() {
        return ready.size();
    }

    /** Open groups. */
    public int openCount() {
        return open.size();
    }

    /** Part values held (open and waiting groups). */
    public int heldParts() {
        int n = 0;
        for (Group<T> g : open.values()) {
            n += g.parts.size();
        }
        for (Aggregated<K, T> a : ready) {
            n += a.parts().size();
        }
        return n;
    }

    /** Lets go of everything held (cancel, error): every value goes to {@code discard}. */
    public void clear() {
        for (Group<T> g : open.values()) {
            g.parts.values().forEach(discard);
        }
        open.clear();
        for (Aggregated<K, T> a : ready) {
            a.parts().values().forEach(discard);
        }
        ready.clear();
        for (LatePart<K, T> p : late) {
            discard.accept(p.value());
        }
        late.clear();
    }
}
