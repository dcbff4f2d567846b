package io.fluxgate.kafka;

import java.util.Objects;

/**
 * A rejected input record: its origin, its raw value bytes (null if it had none) and why it was rejected.
 *
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 * @param timestamp source record timestamp, epoch milliseconds
 * @param key       raw key bytes, may be null
 * @param value     raw value bytes, may be null
 * @param reason    a short human-readable reason, e.g. {@code "ts is a float, not an integer"}
 */
public record DeadLetter(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, String reason) {

    public DeadLetter {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(reason, "reason");
    }

    /** A dead letter for a received record whose value is raw bytes. */
    public static DeadLetter of(KafkaRecord<?, byte[]> record, String reason) {
        return new DeadLetter(record.topic(), record.partition(), record.offset(), record.timestamp(), null,
                record.value(), reason);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + topic + "-" + partition + "@" + offset + ": " + reason + "}";
    }
}
