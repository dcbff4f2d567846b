package io.fluxgate.window.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UidHashTest {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Test
    void isDeterministicAndIndependentOfTheCharSequenceType() {
        String s = "0a1b2c3d4e5f67890ab";
        assertThat(UidHash.hash(s)).isEqualTo(UidHash.hash(new StringBuilder(s)));
        assertThat(UidHash.hash("")).isEqualTo(UidHash.hash(new String("")));
        assertThat(UidHash.hash(s)).isNotEqualTo(UidHash.hash("0a1b2c3d4e5f67890ac"));
    }

    @Test
    void valuesArePinned() {
        // Approximate-mode sketches hold these hashes and are merged across instances: a change of the function must
        // be deliberate (and announced), never a side effect. One id per code path: empty, tail only, one lane plus
        // tail, one stripe, stripes plus lane plus tail (the 19-hex-char id), and a char beyond Latin-1.
        // The empty id hashes as xxHash64 of empty input with seed 0 does (same primes, same avalanche).
        assertThat(UidHash.hash("")).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(UidHash.hash("a")).isEqualTo(0xA563C3D1B633E001L);
        assertThat(UidHash.hash("abcdX")).isEqualTo(0x19C27989C9764A03L);
        assertThat(UidHash.hash("01234567")).isEqualTo(0x51E752910BB7AB29L);
        assertThat(UidHash.hash("0a1b2c3d4e5f67890ab")).isEqualTo(0x7B2E75CD9A153875L);
        assertThat(UidHash.hash("user-\u00e9\u4e2d\u6587-42")).isEqualTo(0x0322EA1F35A62FBEL);
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

    /** 19-hex-char ids as the unique-users workload has them ({@code %03x%016x}), distinct by construction. */
    private static long[] hashesOfDistinctHexIds(int n) {
        SplittableRandom rnd = new SplittableRandom(7);
        long base = rnd.nextLong();
        long[] h = new long[n];
        char[] c = new char[19];
        for (int k = 0; k < n; k++) {
            // The low 16 hex chars are a bijective scramble of k (odd multiplier, xor-shift), so no two ids repeat;
            // the top 3 are random.
            long lo = (k + base) * 0x9E3779B97F4A7C15L;
            lo ^= lo >>> 29;
            int hi = rnd.nextInt(4096);
            for (int i = 2; i >= 0; i--, hi >>>= 4) {
                c[i] = HEX[hi & 15];
            }
            for (int i = 18; i >= 3; i--, lo >>>= 4) {
                c[i] = HEX[(int) (lo & 15)];
            }
            h[k] = UidHash.hash(new String(c));
        }
        return h;
    }

    @Test
    void fiveMillionDistinctNineteenHexCharIdsHaveDistinctAndEvenlySpreadHashes() {
        int n = 5_000_000;
        long[] h = hashesOfDistinctHexIds(n);
        // Low 16 and high 16 bits: chi-square over 65536 buckets (65535 degrees of freedom, mean 65535, sd 362).
        assertThat(chiSquare(h, 0)).isBetween(65535 - 5 * 362.0, 65535 + 5 * 362.0);
        assertThat(chiSquare(h, 48)).isBetween(65535 - 5 * 362.0, 65535 + 5 * 362.0);
        Arrays.sort(h);
        for (int i = 1; i < n; i++) {
            // Expected collisions n^2/2^65 = 7e-7.
            assertThat(h[i]).as("collision among %d distinct ids", n).isNotEqualTo(h[i - 1]);
        }
    }

    private static double chiSquare(long[] h, int shift) {
        int[] count = new int[1 << 16];
        for (long x : h) {
            count[(int) (x >>> shift) & 0xFFFF]++;
        }
        double expected = (double) h.length / count.length;
        double chi = 0;
        for (int c : count) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
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
    void everyCharOfANineteenHexCharIdFlipsEveryOutputBitHalfTheTime() {
        // Strict avalanche: for each input position and output bit, the share of single-char changes that flip the
        // bit; 20k samples give a standard error of 0.0035, so 0.5 +- 0.03 is 8.5 standard errors.
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 20_000;
        int[][] flips = new int[19][64];
        char[] c = new char[19];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < 19; i++) {
                c[i] = HEX[rnd.nextInt(16)];
            }
            long a = UidHash.hash(new String(c));
            for (int pos = 0; pos < 19; pos++) {
                char was = c[pos];
                c[pos] = HEX[(Character.digit(was, 16) + 1 + rnd.nextInt(15)) & 15];
                long d = a ^ UidHash.hash(new String(c));
                c[pos] = was;
                for (int bit = 0; bit < 64; bit++) {
                    flips[pos][bit] += (int) (d >>> bit) & 1;
                }
            }
        }
        for (int pos = 0; pos < 19; pos++) {
            for (int bit = 0; bit < 64; bit++) {
                assertThat((double) flips[pos][bit] / n).as("char %d, output bit %d", pos, bit).isBetween(0.47, 0.53);
            }
        }
    }

    @Test
    void lengthMattersAndTrailingCharsAreMixed() {
        assertThat(UidHash.hash("a")).isNotEqualTo(UidHash.hash("a\0"));
        assertThat(UidHash.hash("abcd")).isNotEqualTo(UidHash.hash("abcde"));
        assertThat(UidHash.hash("abcdX")).isNotEqualTo(UidHash.hash("abcdY"));
        assertThat(UidHash.hash("")).isNotEqualTo(UidHash.hash("\0"));
    }

    @Test
    void idsThatDifferOnlyInTrailingZeroCharsAreDistinct() {
        // Every length from 0 to 40 on both sides of the stripe, lane and tail boundaries, all-'\0' and 'x' + '\0's.
        Set<Long> seen = new HashSet<>();
        for (int len = 0; len <= 40; len++) {
            char[] z = new char[len];
            assertThat(seen.add(UidHash.hash(new String(z)))).as("zeros, length %d", len).isTrue();
            if (len > 0) {
                z[0] = 'x';
                assertThat(seen.add(UidHash.hash(new String(z)))).as("x then zeros, length %d", len).isTrue();
            }
        }
    }

    @Test
    void noCollisionsAmongShortAndLongIdsOfEveryLength() {
        // Covers the short path (< 8 chars), one and several stripes, with and without a full lane and tail after them.
        Random rnd = new Random(5);
        Set<Long> hashes = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int len = 1; len <= 40; len++) {
            for (int k = 0; k < 5_000; k++) {
                char[] c = new char[len];
                for (int i = 0; i < len; i++) {
                    c[i] = (char) (rnd.nextBoolean() ? 'a' + rnd.nextInt(26) : rnd.nextInt(0x3000));
                }
                String id = new String(c);
                if (ids.add(id)) {
                    assertThat(hashes.add(UidHash.hash(id))).as("collision at %s", id).isTrue();
                }
            }
        }
    }
}
