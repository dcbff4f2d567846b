package io.fluxgate.window.internal;

/**
 * The 64-bit hash of a user id used by the exact counting mode.
 *
 * <p>An xxHash64-style mix: four UTF-16 chars are packed into one 64-bit lane per round, each lane is multiplied,
 * rotated and folded into the state, and a final avalanche spreads every input bit over the whole result. It is
 * deterministic across JVMs and versions (it does not depend on {@link String#hashCode()}), so hashes computed by
 * different instances can be compared and the same id always lands on the same key.
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
        long h = P5 + (len * P1);
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            long k = s.charAt(i)
                    | ((long) s.charAt(i + 1) << 16)
                    | ((long) s.charAt(i + 2) << 32)
                    | ((long) s.charAt(i + 3) << 48);
            h ^= Long.rotateLeft(k * P2, 31) * P1;
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        for (; i < len; i++) {
            h ^= s.charAt(i) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        return avalanche(h);
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
