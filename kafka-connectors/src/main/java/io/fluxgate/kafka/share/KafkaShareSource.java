package io.fluxgate.kafka.share;

import java.util.Objects;

import io.fluxgate.kafka.share.internal.ShareLoop;
import io.fluxgate.kafka.share.internal.ShareStats;
import reactor.core.publisher.Flux;

/**
 * A Kafka share group (KIP-932, "queues for Kafka", Kafka 4.2+ on client and broker) as a
 * {@code Flux<ShareRecord<K, V>>}: the members of a share group divide the records of the same partitions among
 * themselves record by record, so there can be more consumers (and workers) than partitions. Each element carries
 * its own acknowledgement: {@link ShareRecord#accept()}, {@link ShareRecord#release() release()} (deliver again),
 * {@link ShareRecord#reject() reject()} (archive) or {@link ShareRecord#renew() renew()} (extend the lock);
 * {@link ShareOutcomes} maps {@code Outcome}s onto them.
 *
 * <pre>{@code
 * KafkaShareSource<String, String> source = KafkaShareSource.create(KafkaShareSourceOptions
 *         .builder(new StringDeserializer(), new StringDeserializer())
 *         .bootstrapServers("localhost:9092").topics("jobs").groupId("workers")
 *         .build());
 * source.receive()
 *       .flatMap(r -> run(r.value()).doOnSuccess(v -> r.accept()).doOnError(e -> r.release()), 16)
 *       .subscribe();
 * }</pre>
 *
 * <ul>
 *   <li><b>Subscription:</b> each subscription to {@link #receive()} is a new member of the share group, with a
 *       share consumer in explicit acknowledgement mode driven by a thread of its own; every call on the consumer
 *       happens on that thread, acknowledgements made on other threads are queued to it.</li>
 *   <li><b>Backpressure:</b> records are emitted within demand. A poll acquires at most
 *       {@link KafkaShareSourceOptions#maxPollRecords()} records, and the next poll comes only once all of them are
 *       acknowledged and downstream asks for more (Kafka's explicit mode requires the former), so one subscription
 *       never holds more than that many records and does not poll while downstream asks for nothing. Heartbeats go on
 *       (the share consumer sends them from its own background thread); records held meanwhile are renewed (see
 *       Locks), which polls too; a member that holds nothing and gets no demand for longer than
 *       {@code max.poll.interval.ms} (5 min) leaves the group and joins again with the next demand, losing
 *       nothing.</li>
 *   <li><b>Acknowledgements:</b> sent in batches: after {@link KafkaShareSourceOptions#commitBatchSize()} or every
 *       {@link KafkaShareSourceOptions#commitInterval()}, whichever comes first, and with each poll.</li>
 *   <li><b>Locks:</b> the broker locks an acquired record for {@code group.share.record.lock.duration.ms} (30 s by
 *       default) and hands it to another member once that expires. Records held longer than
 *       {@link KafkaShareSourceOptions#renewAfter()} (half the lock by default), emitted or waiting for demand, have
 *       their locks renewed (Kafka 4.2's {@code AcknowledgeType.RENEW}); this also keeps the member polling.</li>
 *   <li><b>Cancel:</b> releases every record acquired and not yet acknowledged (so the group gets it at once, not
 *       after the lock), sends the acknowledgements and leaves the group, within
 *       {@link KafkaShareSourceOptions#closeTimeout()}. Acknowledging a record after that does nothing.</li>
 *   <li><b>Bad input:</b> a record the deserializers refuse is not emitted: it goes to the
 *       {@link KafkaShareSourceOptions#deadLetters() dead-letter sink} as a {@code RejectedRecord} with its raw bytes
 *       and is then rejected at the broker; counted by {@link #undeserializableCount()}.</li>
 *   <li><b>Errors:</b> consumer failures (authorization, a broker without share groups, ...) error the Flux after
 *       the release above.</li>
 *   <li><b>Metrics</b> (with {@link KafkaShareSourceOptions.Builder#meterRegistry}), tagged with the group:
 *       {@code <name>.records}, {@code <name>.in.flight} (acquired, not acknowledged), {@code <name>.acknowledged}
 *       tagged {@code type=accept|release|reject}, {@code <name>.delivery.count} (distribution),
 *       {@code <name>.lock.renewals}, {@code <name>.rejected}, {@code <name>.commit.failures}.</li>
 * </ul>
 *
 * <p>Needs kafka-clients 4.2 or later; the rest of fluxgate-kafka works on older clients without this class.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KafkaShareSource<K, V> {

    private final KafkaShareSourceOptions<K, V> options;
    private final ShareStats stats;

    private KafkaShareSource(KafkaShareSourceOptions<K, V> options) {
        this.options = options;
        this.stats = new ShareStats(options.meterRegistry(), options.name(), options.groupId());
    }

    /**
     * A share source.
     *
     * @param <K>     key type
     * @param <V>     value type
     * @param options what to read and how
     * @return a source; each subscription to {@link #receive()} is a new member of the share group
     * @throws NullPointerException if {@code options} is null
     */
    public static <K, V> KafkaShareSource<K, V> create(KafkaShareSourceOptions<K, V> options) {
        return new KafkaShareSource<>(Objects.requireNonNull(options, "options"));
    }

    /**
     * The records; a new share consumer per subscription. See the class comment for demand, acknowledgement, locks,
     * cancel and errors.
     *
     * @return a cold Flux of records
     */
    public Flux<ShareRecord<K, V>> receive() {
        return Flux.defer(() -> new ShareLoop<>(options, stats).records());
    }

    /**
     * The options of this source.
     *
     * @return the options of {@link #create}
     */
    public KafkaShareSourceOptions<K, V> options() {
        return options;
    }

    /** {@return records acquired so far, over all subscriptions (a record delivered twice counts twice)} */
    public long receivedCount() {
        return stats.received.sum();
    }

    /** {@return records accepted so far, over all subscriptions} */
    public long acceptedCount() {
        return stats.accepted.sum();
    }

    /** {@return records released so far (by downstream or on cancel), over all subscriptions} */
    public long releasedCount() {
        return stats.released.sum();
    }

    /** {@return records rejected so far by downstream, over all subscriptions} */
    public long rejectedCount() {
        return stats.rejected.sum();
    }

    /** {@return lock renewals sent so far (one per record renewed), over all subscriptions} */
    public long renewalCount() {
        return stats.renewals.sum();
    }

    /** {@return records the deserializers refused so far (dead-lettered, then rejected)} */
    public long undeserializableCount() {
        return stats.undeserializable.sum();
    }

    /** {@return records acquired and not yet acknowledged now, over all subscriptions} */
    public long inFlight() {
        return stats.inFlight.get();
    }
}
