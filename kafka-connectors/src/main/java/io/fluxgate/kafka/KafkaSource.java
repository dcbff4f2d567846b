package io.fluxgate.kafka;

import java.util.Objects;

import io.fluxgate.kafka.internal.SourceSession;
import io.fluxgate.kafka.spi.SourceEngine;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * A Kafka consumer as a {@code Flux<KafkaRecord<K, V>>}, at-least-once: offsets are committed only for records
 * acknowledged with {@link KafkaRecord#ack()}, per partition only up to the first record not yet acknowledged.
 *
 * <pre>{@code
 * KafkaSource<String, Order> source = KafkaSource.create(KafkaSourceOptions
 *         .builder(new StringDeserializer(), JsonSerde.deserializer(Order.class))
 *         .bootstrapServers("localhost:9092").topics("orders").groupId("billing")
 *         .build());
 * source.receive()
 *       .concatMap(r -> bill(r.value()).doOnSuccess(v -> r.ack()))
 *       .subscribe();
 * }</pre>
 *
 * <ul>
 *   <li><b>Subscription:</b> each subscription to {@link #receive()} creates its own consumer in the group; cancel
 *       closes it after committing every acknowledged prefix.</li>
 *   <li><b>Backpressure:</b> the consumer is paused while downstream demand is zero. Each poll takes all that the
 *       consumer has fetched ({@code max.poll.records} unlimited unless set), so that an idle partition cannot hold
 *       back a busy one; see {@link KafkaSourceOptions.Builder#property(String, Object)}.</li>
 *   <li><b>Commits:</b> batched: after {@link KafkaSourceOptions#commitBatchSize()} advances or every
 *       {@link KafkaSourceOptions#commitInterval()}, whichever comes first; and on revocation and close. One
 *       asynchronous commit is in flight at a time: a commit that falls due before the previous one is answered
 *       waits for that answer (at most the commit interval) and then carries every advance made meanwhile.</li>
 *   <li><b>Rebalance:</b> on revocation, acknowledged prefixes are committed; records of the revoked partition
 *       still in flight are dropped (their acknowledgements are ignored, records not yet emitted are not emitted)
 *       and read again by the partition's next owner.</li>
 *   <li><b>Bad input:</b> a key or value its deserializer rejects is not emitted; it goes to the
 *       {@link KafkaSourceOptions#deadLetters() dead-letter sink} as a {@link RejectedRecord} letter (topic,
 *       partition, offset, raw bytes; the reason in the letter), is counted ({@link #rejectedCount()}), and its
 *       offset is acknowledged once the sink stored it. Letters are stored concurrently, at most
 *       {@link KafkaSourceOptions#deadLettersInFlight()} at a time; no offset is committed past a letter not yet
 *       stored. The consumer keeps running.</li>
 *   <li><b>Bounded runs:</b> with {@link KafkaSourceOptions.Builder#untilEndOffsets()} a subscription reads to
 *       the end offsets found at its start and completes (see {@link StopPosition#END_OFFSETS_AT_START}); records
 *       acknowledged after the completion are still committed while the consumer waits for them, up to 10 s.</li>
 *   <li><b>Engine:</b> the consumer is polled on a thread of its own and records are emitted on another thread of
 *       the subscription; {@link #over(SourceEngine)} puts another engine (e.g. reactor-kafka's, through
 *       {@code fluxgate-kafka-reactor}) behind the same API.</li>
 *   <li><b>Errors:</b> consumer failures (authorization, unknown topic with auto-creation off, ...) error the
 *       Flux; resubscribe (e.g. {@code retryWhen}) to start again from the committed offsets.</li>
 * </ul>
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KafkaSource<K, V> {

    private final @Nullable KafkaSourceOptions<K, V> options;
    private final SourceSession.Stats stats;
    /** Another engine's records ({@link #over}); null for the built-in engine. */
    private final @Nullable SourceEngine<K, V> engine;

    private KafkaSource(KafkaSourceOptions<K, V> options) {
        this.options = options;
        this.stats = new SourceSession.Stats(options.meterRegistry(), options.name(), options.groupId());
        this.engine = null;
    }

    private KafkaSource(SourceEngine<K, V> engine) {
        this.options = null;
        this.stats = new SourceSession.Stats(null, KafkaSourceOptions.DEFAULT_NAME, "");
        this.engine = engine;
    }

    /**
     * A source on the built-in engine.
     *
     * @param <K>     key type
     * @param <V>     value type
     * @param options what to read and how
     * @return a source; each subscription to {@link #receive()} is a new consumer of the group
     * @throws NullPointerException if {@code options} is null
     */
    public static <K, V> KafkaSource<K, V> create(KafkaSourceOptions<K, V> options) {
        return new KafkaSource<>(Objects.requireNonNull(options, "options"));
    }

    /**
     * A source over another consumer engine (an adapter's, such as {@code fluxgate-kafka-reactor}'s); the options,
     * commits and dead letters are then the engine's. {@link #rejectedCount()} stays 0.
     *
     * @param <K>    key type
     * @param <V>    value type
     * @param engine supplies the records, one new consumer per call of {@link SourceEngine#receive()}
     * @return a source delegating to {@code engine}
     * @throws NullPointerException if {@code engine} is null
     */
    public static <K, V> KafkaSource<K, V> over(SourceEngine<K, V> engine) {
        return new KafkaSource<>(Objects.requireNonNull(engine, "engine"));
    }

    /**
     * The records; a new consumer per subscription. See the class comment for demand, acknowledgement, cancel
     * and errors.
     *
     * @return a cold Flux of records
     */
    public Flux<KafkaRecord<K, V>> receive() {
        if (engine != null) {
            return Flux.defer(engine::receive).doOnNext(r -> stats.received.increment());
        }
        return Flux.defer(() -> new SourceSession<>(options, stats, null).records());
    }

    /**
     * The options of this source.
     *
     * @return the options of {@link #create}; null for a source {@link #over another engine}
     */
    public @Nullable KafkaSourceOptions<K, V> options() {
        return options;
    }

    /**
     * Records emitted so far, over all subscriptions.
     *
     * @return the count since this source was created
     */
    public long receivedCount() {
        return stats.received.sum();
    }

    /**
     * Records rejected (not deserializable) so far, over all subscriptions.
     *
     * @return the count since this source was created; 0 for a source over another engine
     */
    public long rejectedCount() {
        return stats.rejected.sum();
    }
}
