package io.fluxgate.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOffset;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverPartition;
import reactor.kafka.receiver.ReceiverRecord;

/**
 * One subscription of a Kafka source: one consumer, its partition trackers and commits. Tracking mode is built on
 * reactor-kafka's receiver, explicit mode on {@link PollLoop}; both stay behind this class.
 *
 * <p>Tracking mode (the public {@link io.fluxgate.kafka.KafkaSource}): each emitted record is registered with its
 * partition's {@link PartitionTracker}; when acknowledgements complete a prefix, the last record of the prefix is
 * acknowledged to reactor-kafka, whose commit batching (count and interval), commit on revocation and commit on
 * close then commit exactly the contiguous position. Explicit mode (crash-safe windows): records carry no commit
 * handle; the caller commits positions with metadata through {@link #commit(Map)} and learns committed positions
 * and metadata of newly assigned partitions through {@link AssignmentHook}. In explicit mode each poll's batch goes
 * in one hand-off to a thread of the session ({@code fluxgate-windows}), where it becomes records and where the
 * subscriber runs: the consumer's thread only polls and decodes.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class SourceSession<K, V> {

    private static final Logger log = LoggerFactory.getLogger(SourceSession.class);
    private static final java.util.function.LongConsumer NO_ACK = offset -> { };
    /**
     * Poll batches queued for the explicit-mode records thread, so the consumer is paused only when the subscriber
     * really falls behind, not on each burst of its (window emission, commit). A batch is all that one poll found
     * fetched (see {@code max.poll.records} in {@link #consumerProperties()}): per broker at most one fetch response,
     * {@code max.partition.fetch.bytes} (1 MiB) per partition and {@code fetch.max.bytes} (50 MiB) in all, so
     * this bounds what waits here to four responses.
     */
    private static final int BATCH_PREFETCH = 4;

    /** Callbacks on the consumer thread, inside {@code poll()}, before records of the new assignment are read. */
    public interface AssignmentHook {
        /**
         * Newly assigned partitions: committed offset and metadata (null value: nothing committed), the position
         * reading starts from, and the end offset at assignment time.
         */
        void assigned(Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> positions,
                      Map<TopicPartition, Long> endOffsets);

        /** Partitions taken away from this consumer. */
        void revoked(Collection<TopicPartition> partitions);
    }

    /** Counters shared by all sessions of one source. */
    public static final class Stats {
        public final LongAdder received = new LongAdder();
        public final LongAdder rejected = new LongAdder();
        public final LongAdder staleDropped = new LongAdder();
        final AtomicLong lag = new AtomicLong();
        private final Counter receivedCounter;
        private final Counter rejectedCounter;

        public Stats(MeterRegistry registry, String name, String groupId) {
            if (registry == null) {
                receivedCounter = null;
                rejectedCounter = null;
            } else {
                receivedCounter = Counter.builder(name + ".records").tag("group", groupId)
                        .description("records emitted by the source").register(registry);
                rejectedCounter = Counter.builder(name + ".rejected").tag("group", groupId)
                        .description("records that could not be deserialized, sent to the dead-letter sink").register(registry);
                Gauge.builder(name + ".lag", lag, AtomicLong::get).tag("group", groupId)
                        .description("records behind the end of the assigned partitions").register(registry);
            }
        }

        void onReceived() {
            received.increment();
            if (receivedCounter != null) {
                receivedCounter.increment();
            }
        }

        void onRejected() {
            rejected.increment();
            if (rejectedCounter != null) {
                rejectedCounter.increment();
            }
        }
    }

    private final KafkaSourceOptions<K, V> options;
    private final Stats stats;
    private final AssignmentHook hook;
    private final boolean tracking;
    private final AtomicLong generation = new AtomicLong();
    private final Map<TopicPartition, PartitionTracker<ReceiverOffset>> trackers = new ConcurrentHashMap<>();
    private final AtomicReference<Consumer<?, ?>> consumer = new AtomicReference<>();
    /** Tracking mode only. */
    private final KafkaReceiver<Object, SafeDeserializers.Envelope> receiver;
    /** Explicit mode only. */
    private final PollLoop<Object, SafeDeserializers.Envelope> loop;
    private KafkaClientMetrics clientMetrics;

    public SourceSession(KafkaSourceOptions<K, V> options, Stats stats, AssignmentHook hook) {
        this.options = options;
        this.stats = stats;
        this.hook = hook;
        this.tracking = hook == null;
        this.receiver = tracking ? KafkaReceiver.create(receiverOptions()) : null;
        this.loop = tracking ? null
                : new PollLoop<>(new LoopSetup(), options.pollTimeout(), "fluxgate-kafka-poll-" + options.groupId());
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(options.properties());
        // a limit leaves fetched records in the consumer, and an idle partition then delays the busy ones by
        // fetch.max.wait.ms per fetch (KafkaSourceOptions.Builder#property says more)
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.MAX_VALUE);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, options.startPosition().name().toLowerCase(java.util.Locale.ROOT));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    private ReceiverOptions<Object, SafeDeserializers.Envelope> receiverOptions() {
        ReceiverOptions<Object, SafeDeserializers.Envelope> ro = ReceiverOptions.<Object, SafeDeserializers.Envelope>create(consumerProperties())
                .withKeyDeserializer(SafeDeserializers.key(options.keyDeserializer()))
                .withValueDeserializer(SafeDeserializers.value(options.valueDeserializer(), generation::get))
                .commitBatchSize(options.commitBatchSize())
                .commitInterval(options.commitInterval())
                .pollTimeout(options.pollTimeout())
                .addAssignListener(ps -> onAssigned(ps.stream().map(ReceiverPartition::topicPartition).toList()))
                .addRevokeListener(ps -> onRevoked(ps.stream().map(ReceiverPartition::topicPartition).toList()))
                .consumerListener(new ReceiverOptions.ConsumerListener() {
                    @Override
                    public void consumerAdded(String id, Consumer<?, ?> c) {
                        onConsumerAdded(c);
                    }

                    @Override
                    public void consumerRemoved(String id, Consumer<?, ?> c) {
                        onConsumerRemoved(c);
                    }
                });
        return options.topicPattern() != null ? ro.subscription(options.topicPattern()) : ro.subscription(options.topics());
    }

    private void onConsumerAdded(Consumer<?, ?> c) {
        consumer.set(c);
        MeterRegistry registry = options.meterRegistry();
        if (registry != null) {
            clientMetrics = new KafkaClientMetrics(c);
            clientMetrics.bindTo(registry);
        }
    }

    private void onConsumerRemoved(Consumer<?, ?> c) {
        consumer.compareAndSet(c, null);
        if (clientMetrics != null) {
            clientMetrics.close();
            clientMetrics = null;
        }
    }

    /** Explicit mode: the consumer of the poll loop, with the same configuration and callbacks as the receiver's. */
    private final class LoopSetup implements PollLoop.Setup<Object, SafeDeserializers.Envelope> {
        @Override
        public Consumer<Object, SafeDeserializers.Envelope> create() {
            Consumer<Object, SafeDeserializers.Envelope> c = new KafkaConsumer<>(consumerProperties(),
                    SafeDeserializers.key(options.keyDeserializer()),
                    SafeDeserializers.value(options.valueDeserializer(), generation::get));
            onConsumerAdded(c);
            return c;
        }

        @Override
        public void subscribe(Consumer<Object, SafeDeserializers.Envelope> c, ConsumerRebalanceListener listener) {
            if (options.topicPattern() != null) {
                c.subscribe(options.topicPattern(), listener);
            } else {
                c.subscribe(options.topics(), listener);
            }
        }

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            onAssigned(partitions);
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            onRevoked(partitions);
        }

        @Override
        public void closed(Consumer<Object, SafeDeserializers.Envelope> c) {
            if (c != null) {
                onConsumerRemoved(c);
            }
        }
    }

    /** The records of this session; subscribe once. */
    public Flux<KafkaRecord<K, V>> records() {
        Flux<KafkaRecord<K, V>> received = tracking ? receiver.receive().handle(this::onRecord)
                : Flux.using(() -> Schedulers.newSingle("fluxgate-windows", true),
                        worker -> loop.batches()
                                // a consumer failure overtakes the queued batches: they are read again from the
                                // committed positions by the next run
                                .publishOn(worker, false, BATCH_PREFETCH)
                                .concatMapIterable(this::onBatch, 1),
                        Scheduler::dispose);
        Flux<KafkaRecord<K, V>> records = received
                // reactor-kafka commits the prefixes acknowledged so far while closing; later acks are ignored
                .doFinally(s -> trackers.values().forEach(PartitionTracker::close));
        if (options.meterRegistry() == null) {
            return records;
        }
        Duration every = options.commitInterval();
        return Flux.using(
                () -> Flux.interval(every, every)
                        .onBackpressureDrop()
                        .concatMap(i -> withConsumer(this::lagOf).timeout(every.multipliedBy(5))
                                .onErrorResume(e -> Mono.empty()), 1)
                        .subscribe(stats.lag::set),
                d -> records,
                Disposable::dispose);
    }

    /**
     * Commits the given positions with their metadata on the consumer thread (explicit mode).
     *
     * @return completes when the commit succeeded; errors if it failed (e.g. the partitions were revoked)
     */
    public Mono<Void> commit(Map<TopicPartition, OffsetAndMetadata> positions) {
        if (positions.isEmpty()) {
            return Mono.empty();
        }
        return withConsumer(c -> {
            c.commitSync(positions);
            return Boolean.TRUE;
        }).then();
    }

    /**
     * Runs {@code call} with the raw consumer on the consumer thread, so that it is serialized with polls and
     * commits (e.g. read committed offsets of any partition, or commit what is acknowledged at that moment).
     *
     * @return the call's result; errors if the consumer is closed or the call throws
     */
    public <R> Mono<R> withConsumer(java.util.function.Function<Consumer<?, ?>, R> call) {
        if (!tracking) {
            return loop.call(call);
        }
        // reactor-kafka's proxy refuses commitSync and the like; the raw consumer does not
        return receiver.doOnConsumer(c -> {
            Consumer<?, ?> raw = consumer.get();
            if (raw == null) {
                throw new IllegalStateException("consumer closed");
            }
            return call.apply(raw);
        });
    }

    private long lagOf(Consumer<?, ?> c) {
        long sum = 0;
        for (TopicPartition tp : c.assignment()) {
            sum += c.currentLag(tp).orElse(0);
        }
        return sum;
    }

    private void onAssigned(Collection<TopicPartition> partitions) {
        long gen = generation.incrementAndGet();
        Set<TopicPartition> tps = new HashSet<>(partitions);
        for (TopicPartition tp : tps) {
            trackers.put(tp, new PartitionTracker<>(gen, ReceiverOffset::acknowledge));
        }
        if (hook != null && !tps.isEmpty()) {
            Consumer<?, ?> c = consumer.get();
            // a wakeup meant for the poll that runs this callback must not abort it: it would not be run again
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(PollLoop.unwoken(() -> c.committed(tps)));
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (TopicPartition tp : tps) {
                committed.putIfAbsent(tp, null);
                positions.put(tp, PollLoop.unwoken(() -> c.position(tp)));
            }
            hook.assigned(committed, positions, new HashMap<>(PollLoop.unwoken(() -> c.endOffsets(tps))));
        }
    }

    private void onRevoked(Collection<TopicPartition> partitions) {
        generation.incrementAndGet();
        Set<TopicPartition> tps = new HashSet<>(partitions);
        for (TopicPartition tp : tps) {
            PartitionTracker<ReceiverOffset> t = trackers.remove(tp);
            if (t != null) {
                // tracking: reactor-kafka has just committed every acknowledged prefix; what is still pending is dropped
                // here and read again by the partition's next owner
                t.close();
            }
        }
        if (hook != null && !tps.isEmpty()) {
            hook.revoked(tps);
        }
    }

    private void onRecord(ReceiverRecord<Object, SafeDeserializers.Envelope> r, SynchronousSink<KafkaRecord<K, V>> sink) {
        ReceiverOffset ro = r.receiverOffset();
        KafkaRecord<K, V> out = admit(r, trackers.get(ro.topicPartition()), ro);
        if (out != null) {
            sink.next(out);
        }
    }

    /**
     * Explicit mode, on the records thread: one poll's batch as records, partition by partition, each admitted as it
     * is iterated, so that a record is built just before the operator reads it (while its value is still in cache)
     * rather than a whole batch of them ahead.
     */
    private Iterable<KafkaRecord<K, V>> onBatch(ConsumerRecords<Object, SafeDeserializers.Envelope> batch) {
        return () -> new Iterator<>() {
            private final Iterator<TopicPartition> partitions = batch.partitions().iterator();
            private Iterator<ConsumerRecord<Object, SafeDeserializers.Envelope>> records = Collections.emptyIterator();
            private PartitionTracker<ReceiverOffset> tracker;
            private KafkaRecord<K, V> next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (records.hasNext()) {
                        next = admit(records.next(), tracker, null);
                    } else if (partitions.hasNext()) {
                        TopicPartition tp = partitions.next();
                        tracker = trackers.get(tp);
                        records = batch.records(tp).iterator();
                    } else {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public KafkaRecord<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                KafkaRecord<K, V> r = next;
                next = null;
                return r;
            }
        };
    }

    /**
     * The record to emit, or null: dropped as stale, or rejected to the dead letters. {@code ro}: the handle to
     * register in tracking mode.
     */
    @SuppressWarnings("unchecked")
    private KafkaRecord<K, V> admit(ConsumerRecord<Object, SafeDeserializers.Envelope> r,
                                    PartitionTracker<ReceiverOffset> t, ReceiverOffset ro) {
        SafeDeserializers.Envelope env = r.value();
        if (t == null || (env != null && env.generation() < t.generation())) {
            // read before this partition was revoked (or revoked and assigned again): its next reader re-reads it
            stats.staleDropped.increment();
            return null;
        }
        if (tracking && !t.register(r.offset(), ro)) {
            stats.staleDropped.increment();
            return null;
        }
        Object key = r.key();
        Object value = env == null ? null : env.value();
        if (key instanceof SafeDeserializers.Failure || value instanceof SafeDeserializers.Failure) {
            reject(r, t, key, value);
            return null;
        }
        stats.onReceived();
        return new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), (K) key, (V) value,
                tracking ? t : NO_ACK);
    }

    private void reject(ConsumerRecord<Object, SafeDeserializers.Envelope> r, PartitionTracker<ReceiverOffset> t,
                        Object key, Object value) {
        stats.onRejected();
        SafeDeserializers.Failure f = key instanceof SafeDeserializers.Failure kf ? kf : (SafeDeserializers.Failure) value;
        String what = f == key ? "key" : "value";
        String reason = what + " not deserializable: " + f.cause().getMessage();
        byte[] rawKey = key instanceof SafeDeserializers.Failure kf ? kf.raw() : null;
        byte[] rawValue = value instanceof SafeDeserializers.Failure vf ? vf.raw() : null;
        DeadLetter<RejectedRecord> dl = new RejectedRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), rawKey,
                rawValue).letter(RejectedRecord.SOURCE_STAGE, reason, f.cause());
        if (!tracking) {
            storeBeforeGoingOn(dl);
            return;
        }
        long offset = r.offset();
        try {
            options.deadLetters().acceptAsync(dl).whenComplete((ok, e) -> {
                if (e == null) {
                    t.accept(offset);
                } else {
                    log.error("Dead letter {} could not be stored; its offset stays uncommitted", dl, e);
                }
            });
        } catch (RuntimeException e) {
            log.error("Dead-letter handler failed for {}; its offset stays uncommitted", dl, e);
        }
    }

    /**
     * Explicit mode: the caller commits checkpoints of the records after this one (windows emitted past it), and a
     * committed checkpoint is never read again, so the letter must be stored before any later record is read; one
     * that cannot be stored fails the session, before anything past it can be committed. This waits on the records
     * thread (rejections are rare; the consumer's thread goes on polling).
     */
    private void storeBeforeGoingOn(DeadLetter<RejectedRecord> dl) {
        try {
            // the sink's own blocking entry point: it returns once the letter is stored
            options.deadLetters().accept(dl);
        } catch (RuntimeException e) {
            throw new DeadLetterException("the dead letter of " + dl.element() + " (" + dl.reason() + ") could not be"
                    + " stored; the run stops before its offset is committed", e);
        }
    }
}
