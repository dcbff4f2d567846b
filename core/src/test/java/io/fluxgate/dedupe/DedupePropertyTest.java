package io.fluxgate.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DedupePropertyTest {

    /** Reference model: a list of (key, firstSeen) scanned linearly. */
    @Property(tries = 400)
    void storeMatchesModel(@ForAll @Size(max = 80) List<@IntRange(min = 0, max = 9) Integer> keys,
                           @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 4) Integer> gaps,
                           @ForAll @IntRange(min = 1, max = 6) int maxKeys,
                           @ForAll @IntRange(min = 0, max = 10) int ttlUnits) {
        AtomicLong now = new AtomicLong();
        InMemoryIdempotencyStore.Builder b = InMemoryIdempotencyStore.builder().maxKeys(maxKeys).nanoClock(now::get);
        if (ttlUnits > 0) {
            b.ttl(Duration.ofNanos(ttlUnits));
        }
        InMemoryIdempotencyStore<Integer> store = b.build();
        List<long[]> model = new ArrayList<>(); // {key, seenAt}
        for (int i = 0; i < keys.size(); i++) {
            now.addAndGet(i < gaps.size() ? gaps.get(i) : 1);
            int key = keys.get(i);
            if (ttlUnits > 0) {
                model.removeIf(e -> now.get() - e[1] >= ttlUnits);
            }
            boolean seen = model.stream().anyMatch(e -> e[0] == key);
            if (!seen) {
                model.add(new long[] {key, now.get()});
                if (model.size() > maxKeys) {
                    model.remove(0);
                }
            }
            assertThat(store.contains(key)).as("contains %d at %d", key, now.get()).isEqualTo(seen);
            assertThat(store.tryMark(key)).as("key %d at %d", key, now.get()).isEqualTo(!seen);
            assertThat(store.size()).isLessThanOrEqualTo(maxKeys);
        }
    }
}
