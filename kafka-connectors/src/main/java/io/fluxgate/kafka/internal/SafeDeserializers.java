package io.fluxgate.kafka.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Wraps the user's deserializers so that a value that cannot be deserialized becomes a {@link Failure} carried to
 * the emitting side (and then to the dead-letter sink) instead of an exception thrown out of {@code poll()},
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
        return new Guarded<>(delegate, v -> v);
    }

    public static Deserializer<Envelope> value(Deserializer<?> delegate, LongSupplier generation) {
        return new Guarded<>(delegate, v -> new Envelope(v, generation.getAsLong()));
    }

    /** Calls the delegate, turns its exception into a {@link Failure}, and wraps the outcome. */
    private static final class Guarded<R> implements Deserializer<R> {
        private final Deserializer<?> delegate;
        private final Function<Object, R> wrap;

        Guarded(Deserializer<?> delegate, Function<Object, R> wrap) {
            this.delegate = delegate;
            this.wrap = wrap;
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            delegate.configure(configs, isKey);
        }

        @Override
        public R deserialize(String topic, byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public R deserialize(String topic, Headers headers, byte[] data) {
            Object v;
            try {
                v = delegate.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                v = new Failure(data, e);
            }
            return wrap.apply(v);
        }

        @Override
        public R deserialize(String topic, Headers headers, ByteBuffer data) {
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
            return wrap.apply(v);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
