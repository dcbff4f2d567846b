package io.fluxgate.kafka.internal;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Wraps the user's deserializers so that a value that cannot be deserialized becomes a {@link Failure} carried to
 * the emitting side (and then to the dead-letter sink) instead of an exception thrown out of {@code poll()},
 * which would end the whole consumer. The wrappers also count their calls in a {@link Calls} (inside
 * {@code poll()}, on the consumer's thread), so that the owner can tell whether a poll read any record before a
 * rebalance callback of the same poll: the records of a poll carry the assignment generation of the poll as one
 * stamp per batch (see {@code SourceSession}), not one per record.
 */
public final class SafeDeserializers {

    private SafeDeserializers() {
    }

    /** A value that failed to deserialize: its raw bytes and the cause. */
    public record Failure(byte[] raw, RuntimeException cause) {
    }

    /**
     * Deserializer calls so far, by the one thread that polls (a plain field: Kafka deserializes on the thread that
     * calls {@code poll()}). Kafka calls no deserializer for null bytes, so a record with a null key and a null
     * value is not counted: the guard of {@code SourceSession} that uses this count does not see such a record.
     */
    public static final class Calls {
        private long count;

        /** {@return the calls so far; on the polling thread} */
        public long count() {
            return count;
        }
    }

    /**
     * @param delegate the user's deserializer
     * @param calls    counts each call
     * @return a deserializer giving the delegate's value, or a {@link Failure} for one it refused
     */
    public static Deserializer<Object> guarded(Deserializer<?> delegate, Calls calls) {
        return new Guarded(delegate, calls);
    }

    /** Calls the delegate and turns its exception into a {@link Failure}. */
    private static final class Guarded implements Deserializer<Object> {
        private final Deserializer<?> delegate;
        private final Calls calls;

        Guarded(Deserializer<?> delegate, Calls calls) {
            this.delegate = delegate;
            this.calls = calls;
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            delegate.configure(configs, isKey);
        }

        @Override
        public Object deserialize(String topic, byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public Object deserialize(String topic, Headers headers, byte[] data) {
            calls.count++;
            Object v;
            try {
                v = delegate.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                v = new Failure(data, e);
            }
            return v;
        }

        @Override
        public Object deserialize(String topic, Headers headers, ByteBuffer data) {
            calls.count++;
            // where the value lies, kept rather than a duplicate of the buffer: this runs once per record, and
            // only a failure needs the raw bytes
            int position = data == null ? 0 : data.position();
            int limit = data == null ? 0 : data.limit();
            Object v;
            try {
                v = delegate.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                ByteBuffer value = data == null ? null : data.duplicate().limit(limit).position(position);
                v = new Failure(Buffers.remaining(value), e);
            }
            return v;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
