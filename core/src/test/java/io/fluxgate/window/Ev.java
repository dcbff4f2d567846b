package io.fluxgate.window;

/** A test record: user id, event time, partition and position within it. */
record Ev(String uid, long ts, int partition, long pos) {
    Ev(String uid, long ts) {
        this(uid, ts, 0, 0);
    }

    static Ev of(String uid, long ts) {
        return new Ev(uid, ts);
    }
}
