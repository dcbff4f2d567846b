package io.fluxgate.kafka.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Wraps the user's deserializers so that a value that cannot be deserialized becomes a {@link Failure} carried to
 * the emitting side (and then to the dead-letter handler) instead of an exception thrown out of {@code poll()},
 * which would end the whole consumer. The value wrapper also stamps each value with the assignment generation
 * current when it was read (deserialization runs inside {@code poll()}, after any rebalance callback of that
 * poll), so records read before a revocation can be told from records read after it.
 */
public final class SafeDeserializers {

    private SafeDeserializers() {
    }

    /** A value that failed to deserialize: its raw bytes and the cause. */
    public record Failure(byte[] raw, RuntimeException cause) {
    }

    /** A deserialized value (or {@link Failure}) and the generation it was read in. */
    public record Envelope(Object value, long generation) {
    }

    public static Deserializer<Object> key(Deserializer<?> delegate) {
        return new Deserializer<>() {
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
                try {
                    return delegate.deserialize(topic, headers, data);
                } catch (RuntimeException e) {
                    return new Failure(data, e);
                }
            }

            @Override
            public Object deserialize(String topic, Headers headers, ByteBuffer data) {
                ByteBuffer copy = data == null ? null : data.duplicate();
                try {
                    return delegate.deserialize(topic, headers, data);
                } catch (RuntimeException e) {
                    return new Failure(bytes(copy), e);
                }
            }

            @Override
            public void close() {
                delegate.close();
            }
        };
    }

    public static Deserializer<Envelope> value(Deserializer<?> delegate, LongSupplier generation) {
        return new Deserializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                delegate.configure(configs, isKey);
            }

            @Override
            public Envelope deserialize(String topic, byte[] data) {
                return deserialize(topic, null, data);
            }

            @Override
            public Envelope deserialize(String topic, Headers headers, byte[] data) {
                Object v;
                try {
                    v = delegate.deserialize(topic, headers, data);
                } catch (RuntimeException e) {
                    v = new Failure(data, e);
                }
                return new Envelope(v, generation.getAsLong());
            }

            @Override
            public Envelope deserialize(String topic, Headers headers, ByteBuffer data) {
                ByteBuffer copy = data == null ? null : data.duplicate();
                Object v;
                try {
                    v = delegate.deserialize(topic, headers, data);
                } catch (RuntimeException e) {
                    v = new Failure(bytes(copy), e);
                }
                return new Envelope(v, generation.getAsLong());
            }

            @Override
            public void close() {
                delegate.close();
            }
        };
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
