package io.fluxgate.window.frame.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The eight-bytes-at-a-time test of {@link FrameScanner#special}: its lowest flag must be the first byte of the
 * word that needs a look (quote, backslash, below 0x20, above 0x7F), whatever the bytes above it, since a borrow
 * or a missing term would show up only for some byte values at some positions.
 */
class FrameScannerWordTest {

    /** Plain bytes, including the neighbours of the special ones (a subtraction off by one would show there). */
    private static final int[] PLAIN = {0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 'a', '0'};

    @Test
    void theLowestFlagIsTheFirstByteThatNeedsALookForEveryByteAtEveryPosition() {
        for (int p = 0; p < 8; p++) {
            for (int x = 0; x < 256; x++) {
                for (int below : PLAIN) {
                    for (int above = 0; above < 256; above++) {
                        long w = 0;
                        for (int k = 0; k < 8; k++) {
                            long v = k < p ? below : k == p ? x : above;
                            w |= v << (8 * k);
                        }
                        assertThat(firstFlagged(w)).as("%016x", w).isEqualTo(firstSpecial(w));
                    }
                }
            }
        }
    }

    @Test
    void theLowestFlagIsTheFirstByteThatNeedsALookInRandomWords() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n = 0; n < 2_000_000; n++) {
            long w = rnd.nextLong();
            assertThat(firstFlagged(w)).as("%016x", w).isEqualTo(firstSpecial(w));
            // mostly plain bytes with one or two specials: the common case of real strings
            long plain = 0;
            for (int k = 0; k < 8; k++) {
                plain |= (long) (0x20 + rnd.nextInt(0x60)) << (8 * k);
            }
            assertThat(firstFlagged(plain)).as("%016x", plain).isEqualTo(firstSpecial(plain));
        }
    }

    private static int firstFlagged(long w) {
        return Long.numberOfTrailingZeros(FrameScanner.special(w)) >>> 3;
    }

    /** 8 if none. */
    private static int firstSpecial(long w) {
        for (int k = 0; k < 8; k++) {
            int b = (int) (w >>> (8 * k)) & 0xFF;
            if (b == '"' || b == '\\' || b < 0x20 || b > 0x7F) {
                return k;
            }
        }
        return 8;
    }
}
