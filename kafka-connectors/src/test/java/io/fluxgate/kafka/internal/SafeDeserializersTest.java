package io.fluxgate.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class SafeDeserializersTest {

    /** Reads some of the value, moves the limit too, then refuses it. */
    private static final Deserializer<String> CONSUMING = new Deserializer<>() {
        @Override
        public String deserialize(String topic, byte[] data) {
            throw new IllegalArgumentException("refused");
        }

        @Override
        public String deserialize(String topic, Headers headers, ByteBuffer data) {
            data.get(new byte[3]);
            data.limit(data.position() + 1);
            throw new IllegalArgumentException("refused after reading");
        }
    };

    @Test
    void aRefusedValueKeepsItsWholeRawBytesWhateverTheDelegateDidToTheBuffer() {
        byte[] batch = "..value..".getBytes(StandardCharsets.UTF_8);
        ByteBuffer value = ByteBuffer.wrap(batch, 2, 5).slice();

        Object v = SafeDeserializers.guarded(CONSUMING, new SafeDeserializers.Calls())
                .deserialize("t", new RecordHeaders(), value);

        SafeDeserializers.Failure f = (SafeDeserializers.Failure) v;
        assertThat(new String(f.raw(), StandardCharsets.UTF_8)).isEqualTo("value");
        assertThat(f.cause()).hasMessage("refused after reading");
    }

    @Test
    void aRefusedTombstoneHasNoRawBytes() {
        Object v = SafeDeserializers.guarded(CONSUMING, new SafeDeserializers.Calls())
                .deserialize("t", new RecordHeaders(), (ByteBuffer) null);
        // the delegate's ByteBuffer method got null and failed on it
        assertThat(v).isInstanceOfSatisfying(SafeDeserializers.Failure.class, f -> assertThat(f.raw()).isNull());
    }

    @Test
    void anAcceptedValueIsPassedOnAsItIsAndEveryCallIsCounted() {
        Deserializer<String> text = (topic, data) -> new String(data, StandardCharsets.UTF_8);
        SafeDeserializers.Calls calls = new SafeDeserializers.Calls();
        Deserializer<Object> guarded = SafeDeserializers.guarded(text, calls);
        assertThat(guarded.deserialize("t", new RecordHeaders(), ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("ok");
        assertThat(guarded.deserialize("t", "ok".getBytes(StandardCharsets.UTF_8))).isEqualTo("ok");
        SafeDeserializers.guarded(CONSUMING, calls).deserialize("t", new byte[1]);
        assertThat(calls.count()).isEqualTo(3);
    }
}
