package io.fluxgate.kafka.json;

import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/** {@link RootFrameReader#deserializer()}. */
final class FrameDeserializer implements Deserializer<FrameResult> {

    private final RootFrameReader reader;

    FrameDeserializer(RootFrameReader reader) {
        this.reader = reader;
    }

    @Override
    public FrameResult deserialize(String topic, byte[] data) {
        return checked(reader.read(data));
    }

    @Override
    public FrameResult deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    /**
     * The one the consumer calls: {@code data} is a view of the fetched batch, read where it lies (the default
     * would first copy it into a new array). Its position is left as it was.
     */
    @Override
    public FrameResult deserialize(String topic, Headers headers, ByteBuffer data) {
        return checked(reader.read(data));
    }

    private static FrameResult checked(FrameResult r) {
        if (r instanceof FrameResult.Malformed m) {
            throw new SerializationException("malformed frame: " + m.reason());
        }
        return r;
    }
}
