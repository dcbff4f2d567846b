package io.fluxgate.benchmarks.window;

import java.util.SplittableRandom;

/**
 * The benchmark workload: {@value #USERS} users with 19-hex-char ids, picked with a Zipf-like (log-uniform) skew,
 * epoch-second event times advancing about {@value #EVENTS_PER_SECOND} events per second, 5% of the events moved up
 * to {@value #LATENESS_SECONDS} - 1 seconds into the past (out of order but within the allowed lateness).
 */
public final class WindowEvents {

    public static final int USERS = 100_000;
    public static final int EVENTS_PER_SECOND = 1000;
    public static final long LATENESS_SECONDS = 5;
    public static final long START_SECONDS = 1_700_000_000L;

    /** One input record, as a Kafka value deserializer would produce it. */
    public record Event(String uid, long ts) {
    }

    private final String[] uids = new String[USERS];
    private final SplittableRandom rnd;
    private final double lnUsers = Math.log(USERS);
    private long i;

    public WindowEvents(long seed) {
        SplittableRandom ids = new SplittableRandom(seed);
        for (int u = 0; u < USERS; u++) {
            uids[u] = String.format("%03x%016x", ids.nextInt(4096), ids.nextLong());
        }
        this.rnd = new SplittableRandom(seed + 1);
    }

    /** The next event; {@code freshUid} copies the id string, as decoding each record from bytes would. */
    public Event next(boolean freshUid) {
        int user = (int) Math.exp(rnd.nextDouble() * lnUsers) - 1;
        long ts = START_SECONDS + i++ / EVENTS_PER_SECOND;
        if (rnd.nextInt(20) == 0) {
            ts -= 1 + rnd.nextInt((int) LATENESS_SECONDS - 1);
        }
        String uid = uids[Math.min(Math.max(user, 0), USERS - 1)];
        return new Event(freshUid ? new String(uid.toCharArray()) : uid, ts);
    }

    /**
     * @param freshUids true: every event gets its own id string, as decoding each Kafka record does (the string sits
     *                  next to its event in memory and has no cached hashCode); false: events share the 100k id
     *                  strings (cached hashCode, one instance per user)
     */
    public static Event[] build(int n, long seed, boolean freshUids) {
        WindowEvents g = new WindowEvents(seed);
        Event[] out = new Event[n];
        for (int k = 0; k < n; k++) {
            out[k] = g.next(freshUids);
        }
        return out;
    }
}
