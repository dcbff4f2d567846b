package io.fluxgate.kafka.share;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.jspecify.annotations.Nullable;

/**
 * One record acquired by a share group through {@link KafkaShareSource}, with its acknowledgement handle: the
 * broker keeps the record locked for this consumer until it is acknowledged.
 *
 * <ul>
 *   <li>{@link #accept()}: processed; the broker marks it done.</li>
 *   <li>{@link #release()}: not processed; the broker hands it out again (to any consumer of the group) with its
 *       {@link #deliveryCount()} one higher, until the broker's {@code group.share.delivery.count.limit}
 *       archives it.</li>
 *   <li>{@link #reject()}: unprocessable; the broker archives it and never hands it out again.</li>
 *   <li>{@link #renew()}: still being processed; the broker extends the acquisition lock. The source also renews
 *       held records by itself (see {@link KafkaShareSourceOptions#renewAfter()}), so calling it is only needed
 *       to renew sooner.</li>
 * </ul>
 *
 * <p>The first of accept, release and reject wins; later calls (and {@link #renew()} after one) return
 * {@code false} and do nothing. Any thread may call them: they are queued to the consumer's thread and sent to the
 * broker in batches ({@link KafkaShareSourceOptions#commitBatchSize()}, {@link KafkaShareSourceOptions#commitInterval()}).
 * A record still unacknowledged when its subscription ends is released by the source; acknowledging it afterwards
 * does nothing.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ShareRecord<K, V> {

    /**
     * Where a record's acknowledgements go: the source's handle of this one record, carried by the element.
     */
    @FunctionalInterface
    public interface Acknowledger {
        /**
         * Queues an acknowledgement of the record; called at most once with a final type, and with
         * {@link AcknowledgeType#RENEW} only before that.
         *
         * @param type what to tell the broker
         */
        void acknowledge(AcknowledgeType type);
    }

    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final int deliveryCount;
    private final @Nullable K key;
    private final @Nullable V value;
    private final Acknowledger acknowledger;
    private final AtomicReference<@Nullable AcknowledgeType> acknowledged = new AtomicReference<>();

    /**
     * A record whose acknowledgements go to {@code acknowledger} (for tests and adapters; the source builds its
     * own).
     *
     * @param topic the topic it was read from
     * @param partition its partition
     * @param offset its offset in the partition
     * @param timestamp its timestamp, epoch milliseconds
     * @param deliveryCount how many times the broker has handed it out, this time included; at least 1
     * @param key the deserialized key, or {@code null}
     * @param value the deserialized value, or {@code null}
     * @param acknowledger receives this record's acknowledgements
     * @throws NullPointerException if {@code topic} or {@code acknowledger} is null
     * @throws IllegalArgumentException if {@code deliveryCount < 1}
     */
    public ShareRecord(String topic, int partition, long offset, long timestamp, int deliveryCount, @Nullable K key,
                       @Nullable V value, Acknowledger acknowledger) {
        this.topic = Objects.requireNonNull(topic, "topic");
        if (deliveryCount < 1) {
            throw new IllegalArgumentException("deliveryCount must be >= 1: " + deliveryCount);
        }
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.deliveryCount = deliveryCount;
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

    /** {@return the record's Kafka timestamp in epoch milliseconds} */
    public long timestamp() {
        return timestamp;
    }

    /**
     * How many times the broker has handed this record out to the group, this delivery included (Kafka's
     * {@code ConsumerRecord.deliveryCount()}): 1 the first time, one more after each release or lock expiry.
     *
     * @return at least 1
     */
    public int deliveryCount() {
        return deliveryCount;
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

    /**
     * Processed: the broker marks the record done.
     *
     * @return true if this call acknowledged the record, false if it was acknowledged before
     */
    public boolean accept() {
        return finish(AcknowledgeType.ACCEPT);
    }

    /**
     * Not processed: the broker delivers the record again (its delivery count one higher), to this or another
     * consumer of the group, unless the delivery count limit archives it.
     *
     * @return true if this call acknowledged the record, false if it was acknowledged before
     */
    public boolean release() {
        return finish(AcknowledgeType.RELEASE);
    }

    /**
     * Unprocessable: the broker archives the record; it is not delivered again.
     *
     * @return true if this call acknowledged the record, false if it was acknowledged before
     */
    public boolean reject() {
        return finish(AcknowledgeType.REJECT);
    }

    /**
     * Still processing: asks the broker to extend the record's acquisition lock by the group's lock duration (Kafka
     * 4.2's {@code AcknowledgeType.RENEW}, sent at once). The record stays held; accept, release or reject it later.
     *
     * @return true if the renewal was queued, false if the record is already acknowledged
     */
    public boolean renew() {
        if (acknowledged.get() != null) {
            return false;
        }
        acknowledger.acknowledge(AcknowledgeType.RENEW);
        return true;
    }

    /**
     * How the record was acknowledged.
     *
     * @return {@code ACCEPT}, {@code RELEASE} or {@code REJECT}; null while it is held
     */
    public @Nullable AcknowledgeType acknowledgement() {
        return acknowledged.get();
    }

    private boolean finish(AcknowledgeType type) {
        if (!acknowledged.compareAndSet(null, type)) {
            return false;
        }
        acknowledger.acknowledge(type);
        return true;
    }

    @Override
    public String toString() {
        return "ShareRecord{" + topic + "-" + partition + "@" + offset + ", delivery " + deliveryCount + ", key=" + key
                + "}";
    }
}
