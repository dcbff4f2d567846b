package io.fluxgate.kafka;

import org.jspecify.annotations.Nullable;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Objects;

import io.fluxgate.kafka.internal.Buffers;
import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterSink;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A Kafka record refused as input, as raw as it came: its origin and its raw key and value bytes. It is the
 * element of the {@link DeadLetter}s that {@link KafkaSource} hands to its {@link DeadLetterSink} (the letter
 * carries the reason and when it was recorded), so any core sink can store Kafka rejections and the built-ins of
 * {@link DeadLetters} can write them back to a topic byte for byte.
 *
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 * @param timestamp source record timestamp, epoch milliseconds
 * @param key       raw key bytes, may be null
 * @param value     raw value bytes, may be null
 */
public record RejectedRecord(String topic, int partition, long offset, long timestamp, byte @Nullable [] key,
                             byte @Nullable [] value) {

    /** The {@link DeadLetter#stage()} of the letters {@link KafkaSource} records. */
    public static final String SOURCE_STAGE = "kafka-source";

    /**
     * Validates the record.
     *
     * @param topic source topic
     * @param partition source partition
     * @param offset source offset
     * @param timestamp source record timestamp, epoch milliseconds
     * @param key raw key bytes, or {@code null}
     * @param value raw value bytes, or {@code null}
     * @throws NullPointerException if {@code topic} is null
     */
    public RejectedRecord {
        Objects.requireNonNull(topic, "topic");
    }

    /**
     * A received record whose value is raw bytes (its key, already deserialized, is not kept).
     *
     * @param record the received record
     * @return the rejected record, sharing the value array
     */
    public static RejectedRecord of(KafkaRecord<?, byte[]> record) {
        return new RejectedRecord(record.topic(), record.partition(), record.offset(), record.timestamp(), null,
                record.value());
    }

    /**
     * A received record whose value is a buffer (Kafka's {@code ByteBufferDeserializer}): its remaining bytes are
     * copied, its position is left as it was (its key, already deserialized, is not kept).
     *
     * @param record the received record
     * @return the rejected record, with a copy of the value's remaining bytes
     */
    public static RejectedRecord ofBuffer(KafkaRecord<?, ByteBuffer> record) {
        return new RejectedRecord(record.topic(), record.partition(), record.offset(), record.timestamp(), null,
                Buffers.remaining(record.value()));
    }

    /**
     * A dead letter for this record, recorded now (UTC system clock) by {@code stage}; its cause is a
     * {@link SerializationException} whose message is {@code reason}, caused by {@code cause} when there is one.
     *
     * @param reason a short human-readable reason, e.g. {@code "ts is a float, not an integer"}
     * @param cause  what the reason was derived from (the deserializer's exception), or null
     * @param stage the stage that refused the record, e.g. {@link #SOURCE_STAGE}
     * @return the letter
     * @throws NullPointerException if {@code stage} or {@code reason} is null
     */
    public DeadLetter<RejectedRecord> letter(String stage, String reason, @Nullable Throwable cause) {
        Objects.requireNonNull(reason, "reason");
        return new DeadLetter<>(this, new Refusal(reason, cause), Clock.systemUTC().instant(), stage);
    }

    /**
     * As {@link #letter(String, String, Throwable)} without an underlying exception.
     *
     * @param stage the stage that refused the record, e.g. {@link #SOURCE_STAGE}
     * @param reason a short human-readable reason
     * @return the letter
     * @throws NullPointerException if {@code stage} or {@code reason} is null
     */
    public DeadLetter<RejectedRecord> letter(String stage, String reason) {
        return letter(stage, reason, null);
    }

    /** {@code topic-partition@offset}; the raw bytes are left out. */
    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }

    /**
     * A letter's cause: a {@link SerializationException} without a stack trace of its own. Its frames would be the
     * pipeline's (which stage saw the record), not the record's fault, which the reason and the cause say; and filling
     * them in, through Reactor's deep stacks, cost more than the rest of a letter (issue #17: a burst of malformed
     * frames must run at stream speed).
     */
    private static final class Refusal extends SerializationException {
        private static final long serialVersionUID = 1L;

        Refusal(String reason, @Nullable Throwable cause) {
            super(reason, cause);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
