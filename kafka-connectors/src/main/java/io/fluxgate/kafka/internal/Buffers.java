package io.fluxgate.kafka.internal;

import java.nio.ByteBuffer;

/** Copies out of Kafka's value buffers (views of a fetched batch), which must be left as they were. */
public final class Buffers {

    private Buffers() {
    }

    /** A copy of {@code b}'s remaining bytes, its position left where it was; null for null (a tombstone). */
    public static byte[] remaining(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }
}
