package io.fluxgate.kafka;

import org.jspecify.annotations.Nullable;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * One record received by {@link KafkaSource}: where it came from, its key and value, and its commit handle.
 *
 * <p>Call {@link #ack()} once the record's effect is complete downstream (written, counted, forwarded). The source
 * commits a partition's offset only up to the first record not yet acknowledged, so an acknowledgement out of
 * order is kept until every earlier record of the partition is acknowledged too. Acknowledging twice, or after
 * the partition was revoked from this consumer, does nothing.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KafkaRecord<K, V> {

    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final @Nullable K key;
    private final @Nullable V value;
    private final LongConsumer acknowledger;

    /**
     * A record whose {@link #ack()} calls {@code acknowledger} with its offset (useful for tests and adapters; the
     * source builds its own).
     *
     * @param topic the topic it was read from
     * @param partition its partition
     * @param offset its offset in the partition
     * @param timestamp its timestamp, epoch milliseconds
     * @param key the deserialized key, or {@code null}
     * @param value the deserialized value, or {@code null}
     * @param acknowledger called with {@code offset} on the first {@link #ack()}
     * @throws NullPointerException if {@code topic} or {@code acknowledger} is null
     */
    public KafkaRecord(String topic, int partition, long offset, long timestamp, @Nullable K key, @Nullable V value,
                       LongConsumer acknowledger) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.acknowledger = Objects.requireNonNull(acknowledger, "acknowledger");
    }

    /** {@return the topic the record was read from} */
    public String topic() {
        return topic;
    }

    /** {@return the partition the record was read from} */
    public int partition() {
        return partition;
    }

    /** {@return the record's offset in its partition} */
    public long offset() {
        return offset;
    }

    /** {@return the record's Kafka timestamp in epoch milliseconds (create or log-append time, per topic config)} */
    public long timestamp() {
        return timestamp;
    }

    /**
     * The key, null if the record has none.
     *
     * @return the key, or {@code null}
     */
    public @Nullable K key() {
        return key;
    }

    /**
     * The value, null for a tombstone.
     *
     * @return the value, or {@code null}
     */
    public @Nullable V value() {
        return value;
    }

    /** Marks this record done; see the class documentation for when its offset is committed. */
    public void ack() {
        acknowledger.accept(offset);
    }

    @Override
    public String toString() {
        return "KafkaRecord{" + topic + "-" + partition + "@" + offset + ", key=" + key + "}";
    }
}
