package io.fluxgate.window;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The semantics written the obvious way: a TreeMap of (start, size) to a HashSet of user ids, the watermark
 * recomputed per record, every closable window emitted in (start, size) order. Single partition, DROP policy.
 */
final class ReferenceModel {

    /** One expected result. */
    record Out(long start, long size, long users, long events) {
    }

    record Result(List<Out> outputs, long late) {
    }

    private record Key(long start, long size) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(start, o.start);
            return c != 0 ? c : Long.compare(size, o.size);
        }
    }

    private static final class Acc {
        final Set<String> users = new HashSet<>();
        long events;
    }

    static Result run(List<Ev> events, long[] sizes, long lateness) {
        TreeMap<Key, Acc> open = new TreeMap<>();
        List<Out> out = new ArrayList<>();
        Long maxTs = null;
        long late = 0;
        for (Ev e : events) {
            long max = maxTs == null ? e.ts() : Math.max(maxTs, e.ts());
            long w = max - lateness;
            for (long size : sizes) {
                long start = Math.floorDiv(e.ts(), size) * size;
                if (w >= start + size) {
                    late++;
                    continue;
                }
                Acc acc = open.computeIfAbsent(new Key(start, size), k -> new Acc());
                acc.users.add(e.uid());
                acc.events++;
            }
            maxTs = max;
            while (!open.isEmpty()) {
                Key first = null;
                for (Key k : open.keySet()) {
                    if (k.start() + k.size() <= w) {
                        first = k;
                        break;
                    }
                }
                if (first == null) {
                    break;
                }
                Acc acc = open.remove(first);
                out.add(new Out(first.start(), first.size(), acc.users.size(), acc.events));
            }
        }
        for (Map.Entry<Key, Acc> en : open.entrySet()) {
            out.add(new Out(en.getKey().start(), en.getKey().size(), en.getValue().users.size(), en.getValue().events));
        }
        return new Result(out, late);
    }

    private ReferenceModel() {
    }
}
