package io.fluxgate.kafka.share.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.kafka.share.KafkaShareSourceOptions;
import io.fluxgate.kafka.share.ShareRecord;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * One share consumer in explicit acknowledgement mode, driven by one thread of its own: every call on the consumer
 * (poll, acknowledge, commit, close) happens there; acknowledgements from other threads are queued to it.
 *
 * <p>Kafka's explicit mode allows a poll only once every record of the previous poll is acknowledged (a renewal
 * counts), so the loop works batch by batch: it polls when the batch is settled and downstream has demand, emits
 * the batch's records within demand, applies acknowledgements as they come, and sends them with
 * {@code commitAsync} by count and interval (a poll sends what is pending as well). While records are held past
 * {@code renewAfter}, it renews all held records at once (one {@code RENEW} each, sent with {@code commitSync}) and
 * polls to get them back (Kafka 4.2 hands a renewed record out again from the next poll; an acknowledgement that
 * came in between is applied then). Renewal also keeps the member polling while downstream holds records for long.
 *
 * <p>On stop (cancel) or failure, what was acquired and not acknowledged is released (renewed records are first
 * brought back), the releases are committed and the consumer is closed, all within the close timeout.
 */
public final class ShareLoop<K, V> {

    private static final Logger log = LoggerFactory.getLogger(ShareLoop.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Longest park while idle: bounds how late a due commit or renewal is noticed. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final KafkaShareSourceOptions<K, V> options;
    private final ShareStats stats;
    private final Supplier<ShareConsumer<K, V>> factory;
    private final LongSupplier nanoClock;
    private final LockRenewal renewal;
    private final String threadName;
    private final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile boolean polling;
    private volatile @Nullable Thread thread;
    private volatile @Nullable ShareConsumer<K, V> consumer;

    // loop-thread state
    /** The records of the current batch by position; settled ones leave at the next poll. */
    private final Map<Position, Held> batch = new HashMap<>();
    private final ArrayDeque<Held> toEmit = new ArrayDeque<>();
    /** Held records neither acknowledged nor being renewed: while any, the consumer must not poll. */
    private int unsettled;
    /** Held records whose renewal was sent and which the consumer has not handed back yet. */
    private int renewing;
    private int unsent;
    private long lastCommit;

    /**
     * A loop over a new {@link KafkaShareConsumer} built from {@code options}.
     *
     * @param options what to read and how
     * @param stats where to count
     */
    public ShareLoop(KafkaShareSourceOptions<K, V> options, ShareStats stats) {
        this(options, stats, () -> new KafkaShareConsumer<>(consumerProperties(options), options.keyDeserializer(),
                options.valueDeserializer()), System::nanoTime);
    }

    /**
     * @param factory the consumer, created on the loop's thread
     * @param nanoClock monotonic nanoseconds: lock renewal, commit interval and close timeout are measured on it
     *     (the broker's locks run on real time, so not a virtual-time clock outside tests)
     */
    ShareLoop(KafkaShareSourceOptions<K, V> options, ShareStats stats, Supplier<ShareConsumer<K, V>> factory,
              LongSupplier nanoClock) {
        this.options = options;
        this.stats = stats;
        this.factory = factory;
        this.nanoClock = nanoClock;
        this.renewal = new LockRenewal(options.renewAfter());
        this.threadName = "fluxgate-share-" + options.groupId() + "-" + SEQUENCE.incrementAndGet();
    }

    /**
     * The share consumer's properties: the user's, then the source's own.
     *
     * @param options the source options
     * @return a new mutable map
     */
    public static Map<String, Object> consumerProperties(KafkaShareSourceOptions<?, ?> options) {
        Map<String, Object> p = new HashMap<>(options.properties());
        // without it the broker may acquire whole batches beyond max.poll.records, locked in the client's buffer
        // where they can be neither emitted nor renewed
        p.putIfAbsent("share.acquire.mode", "record_limit");
        p.put("bootstrap.servers", options.bootstrapServers());
        p.put("group.id", options.groupId());
        p.put("share.acknowledgement.mode", "explicit");
        p.put("max.poll.records", options.maxPollRecords());
        return p;
    }

    /**
     * The records, within demand. Subscribe once: the subscription starts the loop's thread; cancel stops it.
     *
     * @return the records of this loop's consumer
     */
    public Flux<ShareRecord<K, V>> records() {
        return Flux.create(sink -> {
            if (!started.compareAndSet(false, true)) {
                sink.error(new IllegalStateException("ShareLoop allows only one subscriber"));
                return;
            }
            sink.onRequest(n -> signal());
            sink.onDispose(this::stop);
            Thread t = new Thread(() -> run(sink), threadName);
            t.setDaemon(true);
            thread = t;
            t.start();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    private void stop() {
        stopped = true;
        signal();
    }

    private void signal() {
        ShareConsumer<K, V> c = consumer;
        if (polling && c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void enqueue(Held held, AcknowledgeType type) {
        acks.add(new Ack(held, type));
        if (thread != Thread.currentThread()) {
            LockSupport.unpark(thread);
        }
    }

    private void run(FluxSink<ShareRecord<K, V>> sink) {
        ShareConsumer<K, V> c = null;
        try {
            c = factory.get();
            consumer = c;
            c.setAcknowledgementCommitCallback(this::committed);
            c.subscribe(options.topics());
            lastCommit = nanoClock.getAsLong();
            while (!stopped) {
                step(c, sink);
            }
        } catch (Throwable e) {
            if (!stopped) {
                log.debug("Share loop {} failed", threadName, e);
                stopped = true;
                sink.error(e);
            }
        } finally {
            stopped = true;
            polling = false;
            if (c != null) {
                close(c);
            }
            consumer = null;
        }
    }

    private void step(ShareConsumer<K, V> c, FluxSink<ShareRecord<K, V>> sink) {
        long now = nanoClock.getAsLong();
        boolean renew = drainAcks(c);
        if (renewDue(c, now)) {
            renewHeld(c);
            renew = true;
        }
        if (renew) {
            commitSync(c, options.closeTimeout());
        } else if (unsent > 0 && (unsent >= options.commitBatchSize()
                || now - lastCommit >= options.commitInterval().toNanos())) {
            c.commitAsync();
            unsent = 0;
            lastCommit = now;
        }
        while (!toEmit.isEmpty() && sink.requestedFromDownstream() > 0 && !stopped) {
            Held h = toEmit.poll();
            if (!h.done) {
                sink.next(h.element);
            }
        }
        if (stopped) {
            return;
        }
        if (unsettled == 0 && (renewing > 0 || (toEmit.isEmpty() && sink.requestedFromDownstream() > 0))) {
            poll(c, options.pollTimeout());
            return;
        }
        long park = MAX_PARK_NANOS;
        if (unsent > 0) {
            park = Math.min(park, options.commitInterval().toNanos() - (now - lastCommit));
        }
        if (park > 0 && acks.isEmpty() && !stopped) {
            LockSupport.parkNanos(this, park);
        }
    }

    /** Applies the queued acknowledgements; true if one of them is a renewal. */
    private boolean drainAcks(ShareConsumer<K, V> c) {
        boolean renew = false;
        Ack ack;
        while ((ack = acks.poll()) != null) {
            Held h = ack.held;
            if (h.done) {
                continue;
            }
            if (ack.type == AcknowledgeType.RENEW) {
                if (!h.renewing) {
                    c.acknowledge(h.record, AcknowledgeType.RENEW);
                    h.renewing = true;
                    renewing++;
                    unsettled--;
                    stats.onRenewed(1);
                    renew = true;
                }
            } else if (h.renewing) {
                h.deferred = ack.type;
            } else {
                settle(c, h, ack.type);
                unsettled--;
            }
        }
        return renew;
    }

    private void settle(ShareConsumer<K, V> c, Held h, AcknowledgeType type) {
        c.acknowledge(h.record, type);
        h.done = true;
        unsent++;
        stats.onAcknowledged(type);
    }

    private boolean renewDue(ShareConsumer<K, V> c, long now) {
        if (unsettled == 0 || !renewal.known(c::acquisitionLockTimeoutMs)) {
            return false;
        }
        for (Held h : batch.values()) {
            if (!h.done && !h.renewing && renewal.due(h.heldSince, now)) {
                return true;
            }
        }
        return false;
    }

    /** Renews every held record: all at once, so that the consumer may poll to get them back. */
    private void renewHeld(ShareConsumer<K, V> c) {
        int n = 0;
        for (Held h : batch.values()) {
            if (!h.done && !h.renewing) {
                c.acknowledge(h.record, AcknowledgeType.RENEW);
                h.renewing = true;
                n++;
            }
        }
        renewing += n;
        unsettled -= n;
        stats.onRenewed(n);
    }

    /** Sends what is pending and waits; renewals the broker refused are given up (the lock expires). */
    private void commitSync(ShareConsumer<K, V> c, Duration timeout) {
        Map<TopicIdPartition, Optional<KafkaException>> result = unwoken(() -> c.commitSync(timeout));
        unsent = 0;
        lastCommit = nanoClock.getAsLong();
        for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : result.entrySet()) {
            if (e.getValue().isPresent() && renewing > 0) {
                TopicIdPartition tp = e.getKey();
                for (Held h : batch.values()) {
                    if (h.renewing && h.record.topic().equals(tp.topic()) && h.record.partition() == tp.partition()) {
                        log.warn("Share loop {}: renewal of {}-{}@{} failed ({}); it will be delivered again",
                                threadName, h.record.topic(), h.record.partition(), h.record.offset(),
                                e.getValue().get().toString());
                        h.renewing = false;
                        h.done = true;
                        renewing--;
                        stats.inFlight.decrementAndGet();
                    }
                }
            }
        }
    }

    private void committed(Map<TopicIdPartition, Set<Long>> offsets, @Nullable Exception e) {
        if (e != null) {
            int n = offsets.values().stream().mapToInt(Set::size).sum();
            stats.onCommitFailed(n);
            log.warn("Share loop {}: acknowledgement of {} record(s) failed, they will be delivered again: {}",
                    threadName, n, e.toString());
        }
    }

    private void poll(ShareConsumer<K, V> c, Duration timeout) {
        if (renewing == 0) {
            // settled records are done with: the next poll starts a new batch
            batch.values().removeIf(h -> h.done);
        }
        ConsumerRecords<K, V> records;
        polling = true;
        try {
            if (stopped) {
                return;
            }
            records = c.poll(timeout);
        } catch (WakeupException e) {
            return;
        } catch (RecordDeserializationException e) {
            deadLetter(c, e);
            return;
        } finally {
            polling = false;
        }
        unsent = 0;
        long now = nanoClock.getAsLong();
        for (ConsumerRecord<K, V> r : records) {
            Position p = new Position(r.topic(), r.partition(), r.offset());
            Held h = batch.get(p);
            if (h != null && h.renewing) {
                // handed back after its renewal: acknowledgements go to this instance now
                h.record = r;
                h.renewing = false;
                h.heldSince = now;
                renewing--;
                if (h.deferred != null) {
                    settle(c, h, h.deferred);
                } else {
                    unsettled++;
                }
                continue;
            }
            int deliveries = r.deliveryCount().map(Short::intValue).orElse(1);
            Held fresh = new Held(r, now, deliveries);
            batch.put(p, fresh);
            unsettled++;
            stats.onReceived(deliveries);
            toEmit.add(fresh);
        }
    }

    /**
     * A record the deserializers refused: its letter goes to the dead-letter sink and, once stored, the record is
     * rejected; if the sink fails it is released (and archived by the broker once its delivery limit is reached).
     */
    private void deadLetter(ShareConsumer<K, V> c, RecordDeserializationException e) {
        stats.onUndeserializable();
        RejectedRecord rejected = new RejectedRecord(e.topicPartition().topic(), e.topicPartition().partition(),
                e.offset(), e.timestamp(), bytes(e.keyBuffer()), bytes(e.valueBuffer()));
        AcknowledgeType type = AcknowledgeType.REJECT;
        try {
            options.deadLetters().accept(rejected.letter(RejectedRecord.SOURCE_STAGE, String.valueOf(e.getMessage()),
                    e.getCause()));
        } catch (RuntimeException failed) {
            log.error("Share loop {}: dead letter for {} not stored, releasing it: {}", threadName, rejected,
                    failed.toString());
            type = AcknowledgeType.RELEASE;
        }
        c.acknowledge(rejected.topic(), rejected.partition(), rejected.offset(), type);
        unsent++;
    }

    private static byte @Nullable [] bytes(@Nullable ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Releases what is held and not acknowledged, commits, closes; bounded by the close timeout. */
    private void close(ShareConsumer<K, V> c) {
        long deadline = nanoClock.getAsLong() + options.closeTimeout().toNanos();
        try {
            drainAcks(c);
            releaseUnsettled(c);
            if (renewing > 0) {
                commitSync(c, remaining(deadline));
            }
            while (renewing > 0 && deadline - nanoClock.getAsLong() > 0) {
                ConsumerRecords<K, V> records = unwoken(() -> c.poll(min(options.pollTimeout(), remaining(deadline))));
                for (ConsumerRecord<K, V> r : records) {
                    Held h = batch.get(new Position(r.topic(), r.partition(), r.offset()));
                    if (h != null && h.renewing) {
                        h.record = r;
                        h.renewing = false;
                        renewing--;
                        settle(c, h, h.deferred != null ? h.deferred : AcknowledgeType.RELEASE);
                    } else {
                        // acquired by the poll that brought the renewed ones back: not ours to keep
                        c.acknowledge(r, AcknowledgeType.RELEASE);
                    }
                }
            }
            unwoken(() -> c.commitSync(remaining(deadline)));
        } catch (RuntimeException e) {
            log.warn("Share loop {}: releasing on close failed: {}", threadName, e.toString());
        } finally {
            for (Held h : batch.values()) {
                if (!h.done) {
                    h.done = true;
                    stats.inFlight.decrementAndGet();
                }
            }
            try {
                c.close(remaining(deadline));
            } catch (RuntimeException e) {
                log.warn("Closing share consumer of {} failed: {}", threadName, e.toString());
            }
        }
    }

    private void releaseUnsettled(ShareConsumer<K, V> c) {
        for (Iterator<Held> it = batch.values().iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (!h.done && !h.renewing) {
                settle(c, h, AcknowledgeType.RELEASE);
                unsettled--;
            }
        }
        toEmit.clear();
    }

    private Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - nanoClock.getAsLong()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Repeats a call that a wakeup meant for a poll interrupted (the flag is cleared by the throw). */
    private static <R> R unwoken(Supplier<R> call) {
        while (true) {
            try {
                return call.get();
            } catch (WakeupException e) {
                // repeat
            }
        }
    }

    /** Where a record sits: its identity within the current batch. */
    private record Position(String topic, int partition, long offset) {
    }

    private final class Ack {
        final Held held;
        final AcknowledgeType type;

        Ack(Held held, AcknowledgeType type) {
            this.held = held;
            this.type = type;
        }
    }

    /** One acquired record: the handle its element carries. Fields other than the element are the loop's. */
    private final class Held implements ShareRecord.Acknowledger {
        final ShareRecord<K, V> element;
        /** The consumer's instance of the record: replaced when a renewed record is handed back. */
        ConsumerRecord<K, V> record;
        long heldSince;
        boolean done;
        boolean renewing;
        @Nullable AcknowledgeType deferred;

        Held(ConsumerRecord<K, V> record, long now, int deliveries) {
            this.record = record;
            this.heldSince = now;
            this.element = new ShareRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                    Math.max(1, deliveries), record.key(), record.value(), this);
        }

        @Override
        public void acknowledge(AcknowledgeType type) {
            enqueue(this, type);
        }
    }
}
