package io.fluxgate.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.kafka.StopPosition;
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
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One subscription of a Kafka source: one consumer polled by a {@link PollLoop}, its partition trackers and
 * commits. Each poll's batch goes in one hand-off to a thread of the session, where it becomes records and where the
 * subscriber runs: the consumer's thread only polls, decodes and commits.
 *
 * <p>Tracking mode (the public {@link io.fluxgate.kafka.KafkaSource}): each emitted record is registered with its
 * partition's {@link PartitionTracker}; when acknowledgements complete a prefix, its next offset becomes the
 * partition's committable position, committed by the loop after {@code commitBatchSize} advances or every
 * {@code commitInterval} (one asynchronous commit in flight at a time), synchronously on revocation and on close. A
 * rejected (undeserializable) record is registered the same way and acknowledged once its dead letter is stored;
 * letters are stored concurrently, up to {@code deadLettersInFlight}. With {@link StopPosition#END_OFFSETS_AT_START}
 * the end offsets are read before subscribing and the records complete once every assigned partition's position
 * reached them.
 *
 * <p>Explicit mode (crash-safe windows): records carry no commit handle; the caller commits positions with metadata
 * through {@link #commit(Map)} and learns committed positions and metadata of newly assigned partitions through
 * {@link AssignmentHook}.
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
    /**
     * How long a run completed at its stop position keeps its consumer for acknowledgements of its last records
     * (which the subscriber may give after the completion reached it); it closes earlier once all are in.
     */
    public static final Duration END_ACK_WAIT = Duration.ofSeconds(10);

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
    /** Keys and values deserialized, counted on the loop thread (inside its polls). */
    private final SafeDeserializers.Calls deserialized = new SafeDeserializers.Calls();
    /** {@link #deserialized} when the current poll began; loop thread only. */
    private long deserializedAtPoll;
    /** {@link #deserialized} at the last change of {@link #generation}; loop thread only. */
    private long deserializedAtChange;
    private final Map<TopicPartition, Assigned> trackers = new ConcurrentHashMap<>();
    private final AtomicReference<Consumer<?, ?>> consumer = new AtomicReference<>();
    private final PollLoop<Object, Object> loop;
    private KafkaClientMetrics clientMetrics;
    /** Loop thread only. */
    private long lastCommitNanos = System.nanoTime();
    /**
     * An asynchronous commit was sent and its callback has not run yet; loop thread only (Kafka runs commit
     * callbacks on the thread that polls).
     */
    private boolean commitInFlight;
    /** Tracking mode: dead letters handed to the sink and not yet stored. */
    private final Semaphore lettersInFlight;
    /** Tracking mode with {@link StopPosition#END_OFFSETS_AT_START}: the end offsets at the start; else null. */
    private volatile Map<TopicPartition, Long> stopAt;
    private volatile boolean assignedOnce;
    /**
     * Partitions were revoked and the assignment that ends the rebalance has not come yet: a poll may return in
     * between (with the eager protocol, with nothing assigned), which is not the end of the input.
     */
    private volatile boolean rebalancing;
    /** The input is read to its stop position: the records complete, the consumer stays for late acks. */
    private volatile boolean inputEnded;
    /** Completes the records: the bounded input is read to its stop. */
    private final Sinks.One<Boolean> ended = Sinks.one();
    /** The generation in which the loop last found every assigned partition read to its stop; -1 for never. */
    private volatile long endGeneration = -1;
    private final AtomicReference<Runnable> lingering = new AtomicReference<>();

    public SourceSession(KafkaSourceOptions<K, V> options, Stats stats, AssignmentHook hook) {
        this.options = options;
        this.stats = stats;
        this.hook = hook;
        this.tracking = hook == null;
        this.lettersInFlight = new Semaphore(options.deadLettersInFlight());
        this.loop = new PollLoop<>(new LoopSetup(), options.pollTimeout(), "fluxgate-kafka-poll-" + options.groupId());
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

    /** The poll loop's consumer and the session's work around its polls. */
    private final class LoopSetup implements PollLoop.Setup<Object, Object> {
        @Override
        public Consumer<Object, Object> create() {
            Consumer<Object, Object> c = new KafkaConsumer<>(consumerProperties(),
                    SafeDeserializers.guarded(options.keyDeserializer(), deserialized),
                    SafeDeserializers.guarded(options.valueDeserializer(), deserialized));
            onConsumerAdded(c);
            return c;
        }

        @Override
        public void subscribe(Consumer<Object, Object> c, ConsumerRebalanceListener listener) {
            if (tracking && options.stopPosition() == StopPosition.END_OFFSETS_AT_START) {
                stopAt = endOffsetsNow(c);
            }
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
        public void closed(Consumer<Object, Object> c) {
            if (c != null) {
                onConsumerRemoved(c);
            }
        }

        @Override
        public long generation() {
            return generation.get();
        }

        @Override
        public ConsumerRecords<Object, Object> polled(Consumer<Object, Object> c, ConsumerRecords<Object, Object> records) {
            if (deserializedAtChange <= deserializedAtPoll) {
                // no rebalance callback of this poll came after any of its records was read: they were all read in
                // the generation the loop stamps on the batch now
                return records;
            }
            readAgain(c, records);
            return ConsumerRecords.empty();
        }

        @Override
        public void beforePoll(Consumer<Object, Object> c) {
            deserializedAtPoll = deserialized.count();
            if (tracking) {
                long sinceLast = System.nanoTime() - lastCommitNanos;
                if (commitInFlight && sinceLast < options.commitInterval().toNanos()) {
                    // one asynchronous commit at a time, as reactor-kafka did: the next one, sent once this one is
                    // answered, carries every advance made meanwhile; each commit costs the broker a write to the
                    // offsets topic, whatever it carries
                    return;
                }
                long n = 0;
                for (Assigned a : trackers.values()) {
                    n += a.tracker.advances() - a.advancesCommitted;
                }
                if (n >= options.commitBatchSize()
                        || (n > 0 && sinceLast >= options.commitInterval().toNanos())) {
                    commit(c, trackers.values(), false);
                }
            }
        }

        @Override
        public boolean atEnd(Consumer<Object, Object> c) {
            Map<TopicPartition, Long> stops = stopAt;
            if (stops == null || !assignedOnce || rebalancing) {
                return false;
            }
            for (TopicPartition tp : c.assignment()) {
                // by position, not by a record at end - 1: gaps (compaction, transaction markers) end it too
                if (PollLoop.unwoken(() -> c.position(tp)) < stops.getOrDefault(tp, 0L)) {
                    return false;
                }
            }
            long gen = generation.get();
            if (gen == endGeneration) {
                // marked in this assignment already: one marker per generation, not one per poll
                return false;
            }
            endGeneration = gen;
            return true;
        }

        @Override
        public void closing(Consumer<Object, Object> c) {
            if (tracking) {
                trackers.values().forEach(a -> a.tracker.close());
                commit(c, trackers.values(), true);
            }
        }

        @Override
        public void disposed(Runnable stop) {
            if (!inputEnded) {
                stop.run();
                return;
            }
            // completed at the stop position: acknowledgements of the last records still count, for a while
            lingering.set(stop);
            Schedulers.parallel().schedule(SourceSession.this::stopLingering, END_ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            stopLingeringIfAllAcked();
        }
    }

    /**
     * On the records thread, at an end marker: the input is read to its stop if no rebalance came since the loop
     * found it so (every record before the marker was then admitted in the current assignment); otherwise records
     * of a revoked partition may have been dropped, to be read again, and a later marker decides.
     */
    private boolean endsHere() {
        if (endGeneration != generation.get()) {
            return false;
        }
        inputEnded = true;
        return true;
    }

    /** End offsets of every partition of the subscription, now; a partition created later ends at 0. */
    private Map<TopicPartition, Long> endOffsetsNow(Consumer<?, ?> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        Map<String, List<PartitionInfo>> topics;
        if (options.topicPattern() != null) {
            topics = new HashMap<>(PollLoop.unwoken(c::listTopics));
            topics.keySet().removeIf(t -> !options.topicPattern().matcher(t).matches());
        } else {
            topics = new HashMap<>();
            for (String t : options.topics()) {
                List<PartitionInfo> infos = PollLoop.unwoken(() -> c.partitionsFor(t));
                topics.put(t, infos == null ? List.of() : infos);
            }
        }
        topics.values().forEach(infos -> infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition()))));
        return Map.copyOf(PollLoop.unwoken(() -> c.endOffsets(partitions)));
    }

    private void stopLingeringIfAllAcked() {
        if (lingering.get() == null) {
            return;
        }
        for (Assigned a : trackers.values()) {
            if (a.tracker.pending() > 0) {
                return;
            }
        }
        stopLingering();
    }

    private void stopLingering() {
        Runnable stop = lingering.getAndSet(null);
        if (stop != null) {
            stop.run();
        }
    }

    /**
     * Tracking mode, on the loop's thread: commits the acknowledged prefixes of {@code partitions} that moved since
     * their last commit; synchronously on revocation and close, else asynchronously (a failed asynchronous commit is
     * repeated by the next one, which carries the same or a later position).
     */
    private void commit(Consumer<?, ?> c, Collection<Assigned> partitions, boolean sync) {
        lastCommitNanos = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Assigned a : partitions) {
            // the count first: an advance in between is counted towards the next commit, not lost
            a.advancesCommitted = a.tracker.advances();
            long position = a.committable();
            if (position > a.committed) {
                offsets.put(a.tp, new OffsetAndMetadata(position));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            try {
                PollLoop.unwoken(() -> {
                    c.commitSync(offsets);
                    return null;
                });
                committed(offsets);
            } catch (RuntimeException e) {
                // the partitions' next owner reads from the last commit: at least once
                log.warn("Commit of {} failed: {}", offsets, e.toString());
            }
        } else {
            commitInFlight = true;
            c.commitAsync(offsets, (done, e) -> {
                commitInFlight = false;
                if (e == null) {
                    committed(done);
                } else {
                    log.debug("Commit of {} failed, the next commit repeats it: {}", offsets, e.toString());
                }
            });
        }
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, om) -> {
            Assigned a = trackers.get(tp);
            if (a != null && om.offset() > a.committed) {
                a.committed = om.offset();
            }
        });
    }

    /**
     * One assigned partition: the generation of the assignment (to drop records read before it), and in tracking
     * mode the acknowledgements of its emitted records and the position they make committable. Acknowledgements go
     * through here ({@link KafkaRecord}'s acknowledger), from any thread.
     */
    private final class Assigned implements java.util.function.LongConsumer {
        final TopicPartition tp;
        /**
         * Counts the acknowledgements that advanced the acknowledged prefix; the loop reads the count and the
         * prefix before its polls and commits once a batch or the interval is due. It is not woken for it (a wakeup
         * per batch costs more than the at most one poll timeout a commit can wait while records flow, and while
         * none flow nothing new is acknowledged).
         */
        final PartitionTracker<KafkaRecord<K, V>> tracker;
        /** Where the source stops reading this partition; Long.MAX_VALUE for never. */
        volatile long stop;
        /** The last position committed; loop thread only. */
        long committed = -1;
        /** {@link PartitionTracker#advances()} at the last commit; loop thread only. */
        long advancesCommitted;

        Assigned(TopicPartition tp, long generation) {
            this.tp = tp;
            this.tracker = new PartitionTracker<>(generation);
            Map<TopicPartition, Long> stops = stopAt;
            this.stop = stops == null ? Long.MAX_VALUE : stops.getOrDefault(tp, 0L);
        }

        /** The acknowledged prefix's next offset: what a commit stores; -1 for none yet. */
        long committable() {
            long last = tracker.advancedOffset();
            return last == Long.MIN_VALUE ? -1 : last + 1;
        }

        @Override
        public void accept(long offset) {
            tracker.accept(offset);
            if (lingering.get() != null) {
                stopLingeringIfAllAcked();
            }
        }
    }

    /** The records of this session; subscribe once. */
    public Flux<KafkaRecord<K, V>> records() {
        // only a bounded run completes by itself: the others do without takeUntilOther, whose serialization of the
        // records with the completion costs two monitors per record
        boolean bounded = tracking && options.stopPosition() == StopPosition.END_OFFSETS_AT_START;
        Flux<KafkaRecord<K, V>> received = Flux.using(
                () -> Schedulers.newSingle(tracking ? "fluxgate-kafka-records" : "fluxgate-windows", true),
                // one hand-written drain from the poll batches to the records (BatchDrain says why); a consumer
                // failure overtakes the queued batches: they are read again from the committed positions by the
                // next run
                worker -> untilEnded(bounded, new BatchDrain<>(loop.batches(), this::recordsOf, worker, BATCH_PREFETCH)),
                Scheduler::dispose);
        Flux<KafkaRecord<K, V>> records = received
                // acknowledgements after cancel or error are ignored; after completion at the stop position they
                // count until the consumer closes (it waits for them a while)
                .doFinally(s -> {
                    if (!(tracking && inputEnded && s == SignalType.ON_COMPLETE)) {
                        trackers.values().forEach(a -> a.tracker.close());
                    }
                });
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

    private Flux<KafkaRecord<K, V>> untilEnded(boolean bounded, Flux<KafkaRecord<K, V>> records) {
        return bounded ? records.takeUntilOther(ended.asMono()) : records;
    }

    /**
     * Explicit mode: bounds the input of the given partitions (e.g. at their end offsets when assigned). Records at or
     * past a partition's bound are dropped; once a poll finds the position of every assigned partition at or past its
     * bound (by position, not by a record at bound - 1: transaction markers and compaction leave gaps), the records
     * of that poll are followed by one {@linkplain #isEndMarker end marker} per assigned partition. On the consumer
     * thread (an {@link AssignmentHook} callback), before the partitions' records are read.
     *
     * @param bounds per partition, the offset its input ends before
     */
    public void endAt(Map<TopicPartition, Long> bounds) {
        Map<TopicPartition, Long> merged = new HashMap<>(stopAt == null ? Map.of() : stopAt);
        merged.putAll(bounds);
        stopAt = Map.copyOf(merged);
        bounds.forEach((tp, end) -> {
            Assigned a = trackers.get(tp);
            if (a != null) {
                a.stop = end;
            }
        });
    }

    /**
     * Whether {@code r} is an end marker of {@link #endAt}: no key, no value, no timestamp
     * ({@link Long#MIN_VALUE}), its offset the partition's bound - 1.
     *
     * @param r a record of this session
     * @return true for an end marker
     */
    public static boolean isEndMarker(KafkaRecord<?, ?> r) {
        return r.timestamp() == Long.MIN_VALUE && r.value() == null && r.key() == null;
    }

    /** One end marker per assigned partition, on the records thread. */
    private List<KafkaRecord<K, V>> endMarkers() {
        List<KafkaRecord<K, V>> markers = new ArrayList<>(trackers.size());
        for (Assigned a : trackers.values()) {
            long stop = a.stop == Long.MAX_VALUE ? 0 : a.stop;
            markers.add(new KafkaRecord<>(a.tp.topic(), a.tp.partition(), stop - 1, Long.MIN_VALUE, null, null, NO_ACK));
        }
        return markers;
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

    /** Stops the consumer (explicit mode: its records do not complete by themselves). Idempotent. */
    public void close() {
        loop.stop();
    }

    /**
     * Completes once this session's consumer is closed, after {@link #close()}, a cancel or a failure; a session
     * never subscribed completes at {@link #close()}.
     *
     * @return completes when the consumer is closed
     */
    public Mono<Void> closed() {
        return loop.terminated();
    }

    /**
     * Runs {@code call} with the raw consumer on the consumer thread, so that it is serialized with polls and
     * commits (e.g. read committed offsets of any partition, or commit what is acknowledged at that moment).
     *
     * @return the call's result; errors if the consumer is closed or the call throws
     */
    public <R> Mono<R> withConsumer(java.util.function.Function<Consumer<?, ?>, R> call) {
        return loop.call(call);
    }

    private long lagOf(Consumer<?, ?> c) {
        long sum = 0;
        for (TopicPartition tp : c.assignment()) {
            sum += c.currentLag(tp).orElse(0);
        }
        return sum;
    }

    /**
     * On the loop thread: a poll read some of {@code records} before a rebalance callback of the same poll (the
     * Kafka clients run the callbacks before they read a poll's records, so this is a guard): which generation each
     * was read in is not known, so none is sent; each partition still assigned goes back to its first record of the
     * batch (or stays where it is, if that is earlier: a partition assigned anew starts at its committed position),
     * so nothing is skipped; a record read twice is dropped as a replay by its tracker or emitted twice (at least
     * once).
     */
    private void readAgain(Consumer<?, ?> c, ConsumerRecords<Object, Object> records) {
        Set<TopicPartition> assigned = c.assignment();
        for (TopicPartition tp : records.partitions()) {
            if (assigned.contains(tp)) {
                long first = records.records(tp).get(0).offset();
                long position = PollLoop.unwoken(() -> c.position(tp));
                c.seek(tp, Math.min(first, position));
            }
        }
        log.debug("Records of {} were read before a rebalance of the same poll; read again", records.partitions());
    }

    private void onAssigned(Collection<TopicPartition> partitions) {
        deserializedAtChange = deserialized.count();
        long gen = generation.incrementAndGet();
        Set<TopicPartition> tps = new HashSet<>(partitions);
        for (TopicPartition tp : tps) {
            trackers.put(tp, new Assigned(tp, gen));
        }
        assignedOnce = true;
        rebalancing = false;
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
        deserializedAtChange = deserialized.count();
        generation.incrementAndGet();
        if (!partitions.isEmpty()) {
            rebalancing = true;
        }
        Set<TopicPartition> tps = new HashSet<>(partitions);
        List<Assigned> gone = new ArrayList<>(tps.size());
        for (TopicPartition tp : tps) {
            Assigned a = trackers.remove(tp);
            if (a != null) {
                // what is still pending is dropped here and read again by the partition's next owner
                a.tracker.close();
                gone.add(a);
            }
        }
        Consumer<?, ?> c = consumer.get();
        if (tracking && c != null && !gone.isEmpty()) {
            // the acknowledged prefixes, before the partitions' next owner starts from the committed positions
            commit(c, gone, true);
        }
        if (hook != null && !tps.isEmpty()) {
            hook.revoked(tps);
        }
    }

    /**
     * On the records thread, in batch order: a poll's batch as the records to emit; an empty batch is an end marker
     * of the loop, judged here once every batch before it is used up (its records emitted): in tracking mode it may
     * complete a bounded run, in explicit mode it becomes one end-marker record per assigned partition.
     */
    private Iterator<KafkaRecord<K, V>> recordsOf(PollLoop.Batch<Object, Object> batch) {
        if (!batch.records().isEmpty()) {
            return onBatch(batch);
        }
        if (!tracking) {
            return endGeneration == generation.get() ? endMarkers().iterator() : Collections.emptyIterator();
        }
        if (endsHere()) {
            ended.tryEmitValue(Boolean.TRUE);
        }
        return Collections.emptyIterator();
    }

    /**
     * On the records thread: one poll's batch as records, partition by partition, each admitted as it is iterated,
     * so that a record is built just before the operator reads it (while its value is still in cache) rather than a
     * whole batch of them ahead.
     */
    private Iterator<KafkaRecord<K, V>> onBatch(PollLoop.Batch<Object, Object> polled) {
        ConsumerRecords<Object, Object> batch = polled.records();
        long gen = polled.generation();
        // admitting registers records, which must happen once: the drain asks for this iterator once per batch
        return new Iterator<>() {
            private final Iterator<TopicPartition> partitions = batch.partitions().iterator();
            private Iterator<ConsumerRecord<Object, Object>> records = Collections.emptyIterator();
            private Assigned assigned;
            private KafkaRecord<K, V> next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (records.hasNext()) {
                        next = admit(records.next(), assigned, gen);
                    } else if (partitions.hasNext()) {
                        TopicPartition tp = partitions.next();
                        assigned = trackers.get(tp);
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

    /** The record to emit, or null: dropped as stale or past the stop position, or rejected to the dead letters. */
    @SuppressWarnings("unchecked")
    private KafkaRecord<K, V> admit(ConsumerRecord<Object, Object> r, Assigned a, long generation) {
        PartitionTracker<KafkaRecord<K, V>> t = a == null ? null : a.tracker;
        if (t == null || generation < t.generation()) {
            // read before this partition was revoked (or revoked and assigned again): its next reader re-reads it
            stats.staleDropped.increment();
            return null;
        }
        if (r.offset() >= a.stop) {
            // appended after the run started: a bounded run does not emit it (nor commit past it)
            return null;
        }
        Object key = r.key();
        Object value = r.value();
        if (key instanceof SafeDeserializers.Failure || value instanceof SafeDeserializers.Failure) {
            reject(r, a, key, value);
            return null;
        }
        stats.onReceived();
        if (!tracking) {
            return new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), (K) key, (V) value, NO_ACK);
        }
        KafkaRecord<K, V> out = new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), (K) key,
                (V) value, a);
        if (!t.register(r.offset(), null)) {
            stats.staleDropped.increment();
            return null;
        }
        return out;
    }

    private void reject(ConsumerRecord<Object, Object> r, Assigned a, Object key, Object value) {
        stats.onRejected();
        SafeDeserializers.Failure f = key instanceof SafeDeserializers.Failure kf ? kf : (SafeDeserializers.Failure) value;
        String what = f == key ? "key" : "value";
        String reason = what + " not deserializable: " + f.cause().getMessage();
        byte[] rawKey = key instanceof SafeDeserializers.Failure kf ? kf.raw() : null;
        byte[] rawValue = value instanceof SafeDeserializers.Failure vf ? vf.raw() : null;
        RejectedRecord rejected = new RejectedRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), rawKey, rawValue);
        DeadLetter<RejectedRecord> dl = rejected.letter(RejectedRecord.SOURCE_STAGE, reason, f.cause());
        if (!tracking) {
            storeBeforeGoingOn(dl);
            return;
        }
        long offset = r.offset();
        // registered like an emitted record, so no commit passes it before its letter is stored
        if (!a.tracker.register(offset, null)) {
            stats.staleDropped.increment();
            return;
        }
        try {
            // many letters in flight (a batching sink stores them together); past the bound, wait for one
            lettersInFlight.acquire();
        } catch (InterruptedException e) {
            // the session is closing: the record stays unacknowledged and is read again
            Thread.currentThread().interrupt();
            return;
        }
        try {
            options.deadLetters().acceptAsync(dl).whenComplete((ok, e) -> {
                lettersInFlight.release();
                if (e == null) {
                    a.accept(offset);
                } else {
                    log.error("Dead letter {} could not be stored; its offset stays uncommitted", dl, e);
                }
            });
        } catch (RuntimeException e) {
            lettersInFlight.release();
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
