package io.fluxgate.kafka.reactor;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSinkException;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.SendResult;
import io.fluxgate.kafka.internal.PartitionTracker;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Flux;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOffset;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverPartition;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderRecord;

/**
 * reactor-kafka's {@link KafkaReceiver} and {@link KafkaSender} behind {@link KafkaSource} and {@link KafkaSink}.
 *
 * <pre>{@code
 * KafkaSource<String, String> source = ReactorKafka.source(receiverOptions.subscription(List.of("orders")));
 * KafkaSink<Order> sink = ReactorKafka.sink(KafkaSender.create(senderOptions),
 *         o -> new ProducerRecord<>("billed", o.id(), o.json()));
 * source.receive().concatMap(r -> bill(r.value()).doOnSuccess(v -> r.ack())).subscribe();
 * }</pre>
 *
 * <p>Commits are reactor-kafka's (its {@code commitBatchSize}, {@code commitInterval}, commit on revocation and
 * close); what this adapter adds is fluxgate's acknowledgement rule: {@link KafkaRecord#ack()} in any order, and a
 * partition's offset is acknowledged to reactor-kafka only up to the first record not yet acknowledged (reactor-kafka
 * alone would commit past it). Deserialization errors, dead letters and meters are the receiver's own configuration.
 *
 * <p>reactor-kafka 1.3 is discontinued upstream and runs on the Kafka 3 clients only (this module pins
 * kafka-clients 3.9.x); fluxgate-kafka's built-in engine needs neither.
 */
public final class ReactorKafka {

    private ReactorKafka() {
    }

    /**
     * A source whose subscriptions each create a {@link KafkaReceiver} from {@code options} (plus this adapter's
     * assignment and revocation listeners) and emit its records as {@link KafkaRecord}s. Backpressure and cancel
     * are reactor-kafka's: the consumer is paused without demand, cancel closes it after committing.
     *
     * @param <K>     key type
     * @param <V>     value type
     * @param options reactor-kafka's receiver options: the subscription, deserializers and commit settings
     * @return a source; each subscription to {@link KafkaSource#receive()} is a new receiver
     * @throws NullPointerException if {@code options} is null
     */
    public static <K, V> KafkaSource<K, V> source(ReceiverOptions<K, V> options) {
        Objects.requireNonNull(options, "options");
        return KafkaSource.over(() -> Flux.defer(() -> new Subscription<>(options).records()));
    }

    /**
     * A sink writing {@code toRecord(element)} through {@code sender}, one {@link SendResult} per element carrying
     * the element; the in-flight bound is the sender's {@code maxInFlight}. With the sender's
     * {@code stopOnError(false)}, a failed element fails the Flux with a {@link KafkaSinkException} naming it (retries
     * are the producer's, within {@code delivery.timeout.ms}); with reactor-kafka's default {@code stopOnError(true)}
     * the Flux fails with reactor-kafka's own error. The caller closes the sender.
     *
     * @param <T>      element type
     * @param <K>      record key type
     * @param <V>      record value type
     * @param sender   reactor-kafka's sender; shared by every subscription of the sink
     * @param toRecord the record of an element (topic, key, value, headers)
     * @return a sink over {@code sender}
     * @throws NullPointerException if an argument is null
     */
    public static <T, K, V> KafkaSink<T> sink(KafkaSender<K, V> sender, Function<T, ProducerRecord<K, V>> toRecord) {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(toRecord, "toRecord");
        return KafkaSink.over(elements -> sender
                .send(elements.map(t -> SenderRecord.create(record(toRecord, t), t)))
                .concatMap(r -> {
                    T t = r.correlationMetadata();
                    if (r.exception() != null) {
                        return Flux.error(new KafkaSinkException("could not write record: " + r.exception(), t,
                                r.exception()));
                    }
                    return Flux.just(new SendResult<>(t, SendResult.Outcome.SENT, r.recordMetadata().topic(),
                            r.recordMetadata().partition(), r.recordMetadata().offset(), null));
                }, 1));
    }

    private static <T, K, V> ProducerRecord<K, V> record(Function<T, ProducerRecord<K, V>> toRecord, T t) {
        try {
            return Objects.requireNonNull(toRecord.apply(t), "toRecord returned null");
        } catch (RuntimeException e) {
            throw new KafkaSinkException("cannot map element to a Kafka record: " + e, t, e);
        }
    }

    /** One receiver and its partition trackers. */
    private static final class Subscription<K, V> {
        private final Map<TopicPartition, PartitionTracker<ReceiverOffset>> trackers = new ConcurrentHashMap<>();
        private final AtomicLong generation = new AtomicLong();
        private final KafkaReceiver<K, V> receiver;

        Subscription(ReceiverOptions<K, V> options) {
            this.receiver = KafkaReceiver.create(options
                    .addAssignListener(ps -> {
                        long gen = generation.incrementAndGet();
                        for (ReceiverPartition p : ps) {
                            trackers.put(p.topicPartition(), new PartitionTracker<>(gen, ReceiverOffset::acknowledge));
                        }
                    })
                    .addRevokeListener(ps -> {
                        for (ReceiverPartition p : ps) {
                            PartitionTracker<ReceiverOffset> t = trackers.remove(p.topicPartition());
                            if (t != null) {
                                // reactor-kafka commits the acknowledged prefix now; the rest is read again by the
                                // partition's next owner
                                t.close();
                            }
                        }
                    }));
        }

        Flux<KafkaRecord<K, V>> records() {
            return receiver.receive()
                    .<KafkaRecord<K, V>>handle((r, sink) -> {
                        ReceiverOffset offset = r.receiverOffset();
                        PartitionTracker<ReceiverOffset> t = trackers.get(offset.topicPartition());
                        // a record of a revoked partition, or one replayed in this assignment, is not emitted
                        if (t != null && t.register(r.offset(), offset)) {
                            sink.next(new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
                                    r.value(), t));
                        }
                    })
                    // later acknowledgements are ignored: reactor-kafka commits what was acknowledged while closing
                    .doFinally(s -> trackers.values().forEach(PartitionTracker::close));
        }
    }
}
