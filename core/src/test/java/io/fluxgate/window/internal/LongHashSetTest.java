package io.fluxgate.window.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LongHashSetTest {

    @Test
    void behavesLikeAHashSetIncludingZeroNegativeAndExtremeKeys() {
        LongHashSet set = new LongHashSet();
        Set<Long> ref = new HashSet<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            long k = switch (rnd.nextInt(6)) {
                case 0 -> 0L;
                case 1 -> Long.MIN_VALUE;
                case 2 -> Long.MAX_VALUE;
                case 3 -> rnd.nextInt(1000) - 500;   // small, clustered keys
                case 4 -> (long) rnd.nextInt(50_000) << 20;   // keys differing only in high bits
                default -> rnd.nextLong();
            };
            assertThat(set.add(k)).isEqualTo(ref.add(k));
        }
        assertThat(set.size()).isEqualTo(ref.size());
        for (long k : ref) {
            assertThat(set.contains(k)).isTrue();
        }
        assertThat(set.contains(123_456_789_123L)).isEqualTo(ref.contains(123_456_789_123L));
        assertThat(set.capacity()).isGreaterThanOrEqualTo(set.size() * 2 - 2).isLessThanOrEqualTo(Math.max(16, set.size() * 4));
    }

    @Test
    void clearEmptiesAndTheSetIsReusable() {
        LongHashSet set = new LongHashSet(10);
        for (long i = -5; i < 5; i++) {
            set.add(i);
        }
        assertThat(set.size()).isEqualTo(10);
        set.clear();
        assertThat(set.size()).isZero();
        assertThat(set.contains(0)).isFalse();
        assertThat(set.contains(3)).isFalse();
        assertThat(set.add(3)).isTrue();
        assertThat(set.add(3)).isFalse();
    }

    @Test
    void presizingAvoidsGrowth() {
        LongHashSet set = new LongHashSet(1000);
        int cap = set.capacity();
        for (long i = 1; i <= 1000; i++) {
            set.add(i * 31);
        }
        assertThat(set.capacity()).isEqualTo(cap);
        assertThatThrownBy(() -> new LongHashSet(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
