package io.fluxgate.kafka.json;

import java.nio.ByteBuffer;
import java.util.Objects;

import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

/**
 * Core's {@link RootFrameReader} as a Kafka value {@link Deserializer}, so the {@code {"uid": ..., "ts": ...}} frame
 * is read inside the consumer's {@code poll()}, straight from the fetched bytes: a heap buffer (Kafka's) is read in
 * place, with no {@code byte[]} copy of the value, and the bytes are read once, while they are still in the CPU's
 * cache, on the thread that fetched them. It is the simplest way to typed frames with malformed ones dead-lettered
 * by the source, and among the cheapest in CPU per frame; but the parse then runs on the consumer's thread. For
 * {@code CrashSafeWindows} the fastest is Kafka's {@code ByteBufferDeserializer} with
 * {@link RootFrameReader#read(ByteBuffer)} in the parse function: no copy either, and the parse on a thread of the
 * run (see BENCHMARKS.md).
 *
 * <p>Returns a {@link FrameResult.Frame} or {@link FrameResult.Blank}, never a {@link FrameResult.Malformed}: a
 * malformed value (a {@code null} one, a tombstone, included) throws a {@link SerializationException} whose message
 * is {@code "malformed frame: "} and the reason, so that {@code KafkaSource} and {@code CrashSafeWindows} count it
 * and send it, raw bytes, partition and offset, to their dead-letter sink instead of failing the consumer.
 * Stateless and thread-safe; {@code configure} and {@code close} do nothing. The no-argument constructor (the
 * {@code uid} and {@code ts} fields) lets Kafka create it from the {@code value.deserializer} class name.
 */
public final class FrameDeserializer implements Deserializer<FrameResult> {

    private final RootFrameReader reader;

    /** A deserializer of the {@code uid} and {@code ts} fields ({@link RootFrameReader#ofDefaults()}). */
    public FrameDeserializer() {
        this(RootFrameReader.ofDefaults());
    }

    /**
     * A deserializer reading with {@code reader} (e.g. {@link RootFrameReader#of(String, String)} for other names).
     *
     * @param reader the reader of each value
     * @throws NullPointerException if {@code reader} is null
     */
    public FrameDeserializer(RootFrameReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /**
     * Reads a value given as an array.
     *
     * @throws SerializationException if the value is malformed or {@code null}
     */
    @Override
    public FrameResult deserialize(String topic, byte @Nullable [] data) {
        return checked(reader.read(data));
    }

    /**
     * Reads a value given as an array; the headers are not looked at.
     *
     * @throws SerializationException if the value is malformed or {@code null}
     */
    @Override
    public FrameResult deserialize(String topic, @Nullable Headers headers, byte @Nullable [] data) {
        return deserialize(topic, data);
    }

    /**
     * The one the consumer calls: {@code data} is a view of the fetched batch, read where it lies (the default
     * would first copy it into a new array). Its position is left as it was.
     *
     * @throws SerializationException if the value is malformed or {@code null}
     */
    @Override
    public FrameResult deserialize(String topic, @Nullable Headers headers, @Nullable ByteBuffer data) {
        return checked(reader.read(data));
    }

    private static FrameResult checked(FrameResult r) {
        if (r instanceof FrameResult.Malformed m) {
            throw new SerializationException("malformed frame: " + m.reason());
        }
        return r;
    }
}
