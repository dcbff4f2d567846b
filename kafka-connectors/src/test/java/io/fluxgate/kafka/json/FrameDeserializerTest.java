package io.fluxgate.kafka.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class FrameDeserializerTest {

    private final Deserializer<FrameResult> frames = new FrameDeserializer();

    @Test
    void readsTheValueWhereItLiesInsideALargerBufferAndLeavesItsPosition() {
        byte[] around = "garbage{\"uid\":\"x\",\"ts\":1}{\"uid\":\"a1\",\"ts\":17,\"d\":{\"uid\":\"n\",\"ts\":9}}trailing"
                .getBytes(StandardCharsets.UTF_8);
        int from = "garbage{\"uid\":\"x\",\"ts\":1}".length();
        int len = "{\"uid\":\"a1\",\"ts\":17,\"d\":{\"uid\":\"n\",\"ts\":9}}".length();
        // as the consumer hands it over: a slice of the fetched batch, with an array offset of its own
        ByteBuffer batch = ByteBuffer.wrap(around);
        ByteBuffer value = batch.position(3).slice().position(from - 3).limit(from - 3 + len);

        assertThat(frames.deserialize("t", new RecordHeaders(), value)).isEqualTo(new FrameResult.Frame("a1", 17));
        assertThat(value.position()).isEqualTo(from - 3);
        assertThat(value.remaining()).isEqualTo(len);
    }

    @Test
    void readsDirectBuffersAndArrays() {
        byte[] v = "{\"ts\":5,\"uid\":\"b\"}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(v.length).put(v).flip();
        assertThat(frames.deserialize("t", new RecordHeaders(), direct)).isEqualTo(new FrameResult.Frame("b", 5));
        assertThat(direct.remaining()).isEqualTo(v.length);
        assertThat(frames.deserialize("t", v)).isEqualTo(new FrameResult.Frame("b", 5));
        assertThat(frames.deserialize("t", new RecordHeaders(), v)).isEqualTo(new FrameResult.Frame("b", 5));
    }

    @Test
    void blankValuesAreBlank() {
        assertThat(frames.deserialize("t", new RecordHeaders(), ByteBuffer.wrap(" \n".getBytes(StandardCharsets.UTF_8))))
                .isSameAs(FrameResult.blank());
        assertThat(frames.deserialize("t", new byte[0])).isSameAs(FrameResult.blank());
    }

    @Test
    void malformedValuesAndTombstonesThrowWithTheReason() {
        assertThatThrownBy(() -> frames.deserialize("t", new RecordHeaders(),
                ByteBuffer.wrap("{\"uid\":\"a\",\"ts\":1.5}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(SerializationException.class)
                .hasMessage("malformed frame: ts is a float, not an integer");
        assertThatThrownBy(() -> frames.deserialize("t", new RecordHeaders(), (ByteBuffer) null))
                .isInstanceOf(SerializationException.class)
                .hasMessage("malformed frame: null value");
        assertThatThrownBy(() -> frames.deserialize("t", "{\"d\":{\"uid\":\"n\",\"ts\":1}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessage("malformed frame: missing uid");
    }

    @Test
    void otherFieldNamesAreHonoured() {
        Deserializer<FrameResult> other = new FrameDeserializer(RootFrameReader.of("user", "time"));
        assertThat(other.deserialize("t", "{\"uid\":\"x\",\"user\":\"u\",\"time\":3}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new FrameResult.Frame("u", 3));
    }

    @Test
    void kafkaCreatesItFromItsClassName() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, FrameDeserializer.class.getName());
        Deserializer<?> created = new ConsumerConfig(config)
                .getConfiguredInstance(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, Deserializer.class);
        assertThat(created).isInstanceOf(FrameDeserializer.class);
        assertThat(created.deserialize("t", "{\"uid\":\"k\",\"ts\":4}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new FrameResult.Frame("k", 4));
    }
}
