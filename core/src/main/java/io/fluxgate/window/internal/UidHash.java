package io.fluxgate.window.internal;

/**
 * The 64-bit hash of a user id used by the exact counting mode (and fed to the approximate mode's sketches).
 *
 * <p>An xxHash64-style construction over UTF-16 chars: four chars are packed into one 64-bit lane; ids of 8 chars
 * or more are consumed in stripes of two lanes by two independent accumulators (xxHash64 uses four accumulators
 * over 32-byte stripes, which would leave a 19-char id all tail), each lane multiplied, added, rotated and
 * multiplied into its accumulator ({@code acc = rotl(acc + lane * P2, 31) * P1}); the accumulators are merged by rotate-and-add, the length is
 * added, the remaining full lane and the last 1-3 chars (packed into one more lane) are folded in one lane per
 * step, and a final avalanche spreads every input bit over the whole result. The two accumulators do not wait on
 * each other, and the tail costs one step instead of one per char: a 19-char id takes 13 multiplications instead
 * of the 20 of the one-accumulator, char-per-step version this replaced.
 *
 * <p>Every step is a bijection of the state for a fixed lane and every lane step a bijection of the lane for a fixed
 * state, so two ids of the same length that differ in one lane only never share a hash.
 *
 * <p>It is deterministic across JVMs (it does not depend on {@link String#hashCode()}), so hashes computed by
 * different instances of the same version can be compared and the same id always lands on the same key. It is not
 * stable across every version: approximate-mode sketches ({@code UniqueSketch}) built by a version with a different
 * hash must not be merged with this version's, or users seen by both would be counted twice. The pinned values in
 * the tests catch an accidental change.
 *
 * <p>Collisions: for n distinct ids in one window the probability that any two share a hash is about
 * {@code n^2 / 2^65} (1e5 ids: ~2.7e-10; 1e7 ids: ~2.7e-6), and a collision undercounts that window by one. Ids with
 * more than 64 bits of information (e.g. 19 hex chars = 76 bits) cannot be mapped injectively, so this bound, not
 * zero, is the best any 64-bit exact mode can offer; pass a true 64-bit key with {@code userKey(...)} to avoid it.
 */
public final class UidHash {

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private UidHash() {
    }

    public static long hash(CharSequence s) {
        int len = s.length();
        int i = 0;
        long h;
        if (len >= 8) {
            long a = P1 + P2;
            long b = P2;
            do {
                a = round(a, lane(s, i));
                b = round(b, lane(s, i + 4));
                i += 8;
            } while (i + 8 <= len);
            h = Long.rotateLeft(a, 1) + Long.rotateLeft(b, 18);
        } else {
            h = P5;
        }
        h += len;
        if (i + 4 <= len) {
            h = fold(h, lane(s, i));
            i += 4;
        }
        if (i < len) {
            // 1-3 chars: zero-padded, which cannot be confused with a trailing '\0' because the length was added.
            long t = s.charAt(i);
            if (i + 1 < len) {
                t |= (long) s.charAt(i + 1) << 16;
                if (i + 2 < len) {
                    t |= (long) s.charAt(i + 2) << 32;
                }
            }
            h = fold(h, t);
        }
        return avalanche(h);
    }

    private static long lane(CharSequence s, int i) {
        return s.charAt(i)
                | ((long) s.charAt(i + 1) << 16)
                | ((long) s.charAt(i + 2) << 32)
                | ((long) s.charAt(i + 3) << 48);
    }

    private static long round(long acc, long lane) {
        return Long.rotateLeft(acc + lane * P2, 31) * P1;
    }

    private static long fold(long h, long lane) {
        h ^= round(0, lane);
        return Long.rotateLeft(h, 27) * P1 + P4;
    }

    static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }
}
