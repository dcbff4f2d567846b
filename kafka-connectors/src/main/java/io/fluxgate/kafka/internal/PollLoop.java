package io.fluxgate.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * One consumer polled on one thread of its own: the whole batch of each poll goes downstream in one hand-off, demand
 * is counted in batches, and without demand the assigned partitions are paused while polling goes on (so the
 * consumer stays in its group past {@code max.poll.interval.ms}). Calls on the consumer (commits, reads of committed
 * offsets) are queued and run by the loop between polls, so they are serialized with polls and with each other.
 *
 * <p>A poll is woken up ({@link Consumer#wakeup()}) when a call is queued or demand arrives while paused. A wakeup
 * can land outside {@code poll()} (the loop left it just before): the next blocking call of the consumer then throws
 * {@link WakeupException} once, so calls and the rebalance callbacks go through {@link #unwoken(Supplier)}, which
 * repeats the call; the calls made there (commit of given offsets, reads) are idempotent.
 *
 * @param <K> key type as read
 * @param <V> value type as read
 */
final class PollLoop<K, V> {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    /**
     * How long a static member refused because its predecessor still holds its instance id keeps joining again:
     * past Kafka's default group.consumer.session.timeout.ms (45 s), after which the broker frees the id.
     */
    static final Duration REJOIN_WAIT = Duration.ofSeconds(60);
    private static final Duration REJOIN_BACKOFF = Duration.ofMillis(500);

    /**
     * One poll's records and the owner's {@link Setup#generation() generation} right after the poll, which every
     * record of the batch was read in (see {@link Setup#polled}); empty records: an end marker ({@link Setup#atEnd}).
     */
    record Batch<K, V>(ConsumerRecords<K, V> records, long generation) {
    }

    /** What the loop needs from its owner: the consumer, its subscription, and what to do around them. */
    interface Setup<K, V> {
        Consumer<K, V> create();

        void subscribe(Consumer<K, V> consumer, ConsumerRebalanceListener listener);

        /** On the loop's thread, inside {@code poll()}, before records of the new assignment are returned. */
        void assigned(Collection<TopicPartition> partitions);

        /** On the loop's thread, inside {@code poll()}; not called while the loop is stopping. */
        void revoked(Collection<TopicPartition> partitions);

        /** The consumer was closed (or could not be created); on the loop's thread. */
        void closed(Consumer<K, V> consumer);

        /** On the loop's thread before each poll (e.g. commits that are due). */
        default void beforePoll(Consumer<K, V> consumer) {
        }

        /**
         * The owner's assignment generation, stamped on each batch after its poll; changed only by the rebalance
         * callbacks, on the loop's thread. Default 0.
         */
        default long generation() {
            return 0;
        }

        /**
         * On the loop's thread right after a poll that returned records, before they are stamped and sent: the
         * records to send (e.g. none, if some were read before a rebalance callback of the same poll, so that the
         * generation stamped after the poll does not hold for them: the owner then arranges for them to be read
         * again). Default: all of them.
         */
        default ConsumerRecords<K, V> polled(Consumer<K, V> consumer, ConsumerRecords<K, V> records) {
            return records;
        }

        /**
         * On the loop's thread after each poll and after its records went downstream: true sends an empty batch
         * after them, a marker the owner reads as "read to the end as of this poll" (the owner decides on its own
         * thread whether that still holds, e.g. whether a rebalance came between).
         */
        default boolean atEnd(Consumer<K, V> consumer) {
            return false;
        }

        /** On the loop's thread, before the consumer of a loop that ran without failing is closed. */
        default void closing(Consumer<K, V> consumer) {
        }

        /**
         * The subscriber is gone (cancel, or the completion of the owner's records): runs {@code stop} now (the
         * default) or later, e.g. once acknowledgements that are still coming are committed.
         */
        default void disposed(Runnable stop) {
            stop.run();
        }
    }

    private final Setup<K, V> setup;
    private final Duration pollTimeout;
    private final String threadName;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean started = new AtomicBoolean();
    /** Completes once the loop's consumer is closed (or the loop is stopped before it started). */
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    private volatile Consumer<K, V> consumer;
    private volatile boolean stopped;
    /** The loop is in (or about to enter) {@code poll()}: a wakeup reaches it there. */
    private volatile boolean polling;
    private volatile boolean paused;
    /** Partitions were assigned to this loop's consumer at least once (it has joined its group). */
    private volatile boolean assignedOnce;
    /** {@link System#nanoTime()} after which a refused static member stops joining again; 0 before the first. */
    private long rejoinDeadline;

    PollLoop(Setup<K, V> setup, Duration pollTimeout, String threadName) {
        this.setup = setup;
        this.pollTimeout = pollTimeout;
        this.threadName = threadName;
    }

    /**
     * The batches of each poll, one per poll that returned records, and empty ones as markers where
     * {@link Setup#atEnd} asks for them; demand is in batches (a marker may go beyond it). Subscribe once: the
     * subscription starts the loop's thread; cancel stops it and closes the consumer on that thread.
     */
    Flux<Batch<K, V>> batches() {
        return Flux.create(sink -> {
            if (!started.compareAndSet(false, true)) {
                sink.error(new IllegalStateException("PollLoop allows only one subscriber"));
                return;
            }
            sink.onRequest(n -> {
                if (paused) {
                    wakeUp();
                }
            });
            sink.onDispose(() -> setup.disposed(this::stop));
            Thread t = new Thread(() -> loop(sink), threadName);
            t.setDaemon(true);
            t.start();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /**
     * Runs {@code call} with the consumer on the loop's thread, between polls.
     *
     * @return the call's result (empty if null); errors if the consumer is closed or the call throws
     */
    <R> Mono<R> call(Function<? super Consumer<K, V>, R> call) {
        return Mono.create((MonoSink<R> result) -> {
            if (stopped) {
                result.error(new IllegalStateException("consumer closed"));
                return;
            }
            tasks.add(() -> {
                Consumer<K, V> c = consumer;
                if (c == null || stopped) {
                    result.error(new IllegalStateException("consumer closed"));
                    return;
                }
                R r;
                try {
                    r = unwoken(() -> call.apply(c));
                } catch (Throwable e) {
                    result.error(e);
                    return;
                }
                result.success(r);
            });
            if (stopped) {
                // the loop may have drained its queue already: fail what it left
                runTasks();
            } else {
                wakeUp();
            }
        });
    }

    /** Stops the loop: it commits nothing by itself, closes the consumer on its thread. Idempotent. */
    void stop() {
        stopped = true;
        if (started.compareAndSet(false, true)) {
            // never subscribed: no consumer to close, and none will be made
            terminated.tryEmitEmpty();
        }
        wakeUp();
    }

    /**
     * Completes once the loop's consumer is closed after {@link #stop()} (or a failure). A new consumer with the same
     * static member id ({@code group.instance.id}) must wait for this: joining while this one is still a member
     * fences this one, which then logs its failed join or commit as an error.
     */
    Mono<Void> terminated() {
        return terminated.asMono();
    }

    private void wakeUp() {
        Consumer<K, V> c = consumer;
        if (polling && c != null) {
            c.wakeup();
        }
    }

    private void loop(FluxSink<Batch<K, V>> sink) {
        Consumer<K, V> c = null;
        boolean failed = true;
        try {
            c = setup.create();
            consumer = c;
            setup.subscribe(c, new Listener());
            while (!stopped) {
                runTasks();
                setup.beforePoll(c);
                boolean demand = sink.requestedFromDownstream() > 0;
                if (!demand) {
                    // every time, so that partitions assigned since the last pause are paused too
                    c.pause(c.assignment());
                    paused = true;
                } else if (paused) {
                    c.resume(c.paused());
                    paused = false;
                }
                polling = true;
                // a call or demand that came before polling was set did not wake anything: look again
                if (stopped || !tasks.isEmpty() || (paused && sink.requestedFromDownstream() > 0)) {
                    polling = false;
                    continue;
                }
                ConsumerRecords<K, V> records;
                try {
                    records = c.poll(pollTimeout);
                } catch (WakeupException e) {
                    continue;
                } catch (UnreleasedInstanceIdException e) {
                    if (assignedOnce || rejoinDeadline(e) - System.nanoTime() < 0) {
                        throw e;
                    }
                    // The consumer group protocol (KIP-848) keeps a static member's group.instance.id with its
                    // predecessor (say, a crashed process being restarted) until the broker expires that session;
                    // the classic protocol handed it over at once. The refused consumer is done for: join again with
                    // a new one until the predecessor's session is over.
                    log.info("Poll loop {}: {}; joining again in {} ms", threadName, e.getMessage(),
                            REJOIN_BACKOFF.toMillis());
                    polling = false;
                    consumer = null;
                    closeQuietly(c);
                    setup.closed(c);
                    c = null;
                    pauseUnlessStopped(REJOIN_BACKOFF);
                    if (stopped) {
                        break;
                    }
                    c = setup.create();
                    consumer = c;
                    paused = false;
                    setup.subscribe(c, new Listener());
                    continue;
                } finally {
                    polling = false;
                }
                if (!records.isEmpty()) {
                    records = setup.polled(c, records);
                }
                if (!records.isEmpty()) {
                    // within demand: polled unpaused only with demand, and partitions assigned by a poll made while
                    // paused are paused by the listener before they return anything
                    sink.next(new Batch<>(records, setup.generation()));
                }
                if (setup.atEnd(c)) {
                    sink.next(new Batch<>(ConsumerRecords.empty(), setup.generation()));
                }
            }
            failed = false;
        } catch (Throwable e) {
            if (!stopped) {
                log.debug("Poll loop {} failed", threadName, e);
                sink.error(e);
            }
        } finally {
            stopped = true;
            polling = false;
            runTasks();
            if (c != null && !failed) {
                try {
                    setup.closing(c);
                } catch (RuntimeException e) {
                    log.warn("Closing work of {} failed: {}", threadName, e.toString());
                }
            }
            closeQuietly(c);
            consumer = null;
            setup.closed(c);
            runTasks();
            terminated.tryEmitEmpty();
        }
    }

    /** Runs the queued calls; once {@link #stopped} is set, each fails its caller with "consumer closed" instead. */
    private void closeQuietly(Consumer<K, V> c) {
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("Closing consumer of {} failed: {}", threadName, e.toString());
            }
        }
    }

    /** When joining again after {@code first} refusal of the static member's instance id stops. */
    private long rejoinDeadline(UnreleasedInstanceIdException first) {
        if (rejoinDeadline == 0) {
            rejoinDeadline = System.nanoTime() + REJOIN_WAIT.toNanos();
        }
        return rejoinDeadline;
    }

    private void pauseUnlessStopped(Duration pause) {
        long end = System.nanoTime() + pause.toNanos();
        while (!stopped && end - System.nanoTime() > 0) {
            LockSupport.parkNanos(Math.min(end - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(20)));
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    /** Repeats {@code call} when a wakeup meant for an earlier poll interrupts it. */
    static <R> R unwoken(Supplier<R> call) {
        while (true) {
            try {
                return call.get();
            } catch (WakeupException e) {
                // the flag is cleared by the throw: the repeat runs to its end
            }
        }
    }

    /** Runs the owner's callbacks with wakeups held off (a wakeup would abort them half-way, never to be re-run). */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assignedOnce = true;
            polling = false;
            try {
                if (paused && !partitions.isEmpty()) {
                    consumer.pause(partitions);
                }
                setup.assigned(partitions);
            } finally {
                resumePolling();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (stopped) {
                return;
            }
            polling = false;
            try {
                setup.revoked(partitions);
            } finally {
                resumePolling();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        private void resumePolling() {
            polling = true;
            if (!tasks.isEmpty() || stopped) {
                consumer.wakeup();
            }
        }
    }
}
