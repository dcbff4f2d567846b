package io.fluxgate.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.fluxgate.kafka.internal.CheckpointCodec;
import io.fluxgate.kafka.internal.PartitionTracker;
import io.fluxgate.kafka.internal.SourceSession;
import io.fluxgate.window.Checkpoint;
import io.fluxgate.window.ResumeState;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Kafka source → parse → {@link UniqueUsers} → sink, with commits that make a crash harmless: kill the process at
 * any moment, run it again with the same group id, and the output keyed by window (last write wins) is what an
 * uninterrupted run writes.
 *
 * <h2>How</h2>
 * Every window the operator emits carries a {@link Checkpoint}. Once the sink has acknowledged a window and every
 * window emitted before it, each partition's offset is committed at the checkpoint's resume position — the first
 * record still needed by a window not yet emitted — with the window state as of that position (the partition's
 * largest event time before it, and per window size the end of the last emitted window) in the offset-commit
 * metadata. On (re)start, the committed offsets and metadata of the assigned partitions become the operator's
 * {@link ResumeState}: reading resumes at the resume position, lateness is judged against the same maximum event
 * time as before the crash, records of windows already emitted are skipped, and the windows still open are rebuilt
 * from the replayed records. Commits are batched ({@link Builder#commitInterval}); a crash between commits only
 * means more replay, and re-emitted windows carry the same counts.
 *
 * <h2>Guarantee</h2>
 * <ul>
 *   <li><b>One input partition:</b> exact. The keyed output after any number of crashes and restarts equals the
 *       output of an uninterrupted run, including late-record decisions.</li>
 *   <li><b>Several partitions:</b> no record is lost or counted twice in a window, and windows emitted before a
 *       crash are not emitted again with other counts unless a late decision changes. The operator's watermark is
 *       the minimum over partitions, so which records are late depends on how the partitions interleave, which
 *       Kafka does not fix; the result equals an uninterrupted run whenever no record is within reach of the
 *       lateness bound (and then it is independent of interleaving).</li>
 *   <li><b>Rebalance:</b> when partitions are revoked the run stops without flushing open windows and starts
 *       again (new consumer) from the committed state of its new assignment; windows are never flushed partial.</li>
 *   <li>The sink must be idempotent per window key (re-emitted windows overwrite): e.g. a compacted topic keyed by
 *       window start, or an upsert.</li>
 * </ul>
 *
 * @param <K> input key type
 * @param <V> input value type
 * @param <T> parsed value type
 */
public final class CrashSafeWindows<K, V, T> {

    private static final Logger log = LoggerFactory.getLogger(CrashSafeWindows.class);
    /** Default longest time between commits of acknowledged checkpoints. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    private static final java.util.function.LongConsumer NO_ACK = o -> { };
    /** Default number of threads parsing records. */
    public static final int DEFAULT_PARSE_PARALLELISM = 1;
    /** Records per parse task when parsing on several threads: enough to amortise the hop between threads. */
    private static final int PARSE_BATCH = 256;
    private static final Duration PARSE_BATCH_WAIT = Duration.ofMillis(10);

    private final KafkaSourceOptions<K, V> source;
    private final Function<? super KafkaRecord<K, V>, ? extends T> parse;
    private final UniqueUsers.Builder<KafkaRecord<K, T>> windows;
    private final Function<Flux<WindowCount>, Flux<WindowCount>> sink;
    private final boolean stopAtEnd;
    private final Duration commitInterval;
    private final int parseParallelism;
    private final SourceSession.Stats stats;

    private CrashSafeWindows(Builder<K, V, T> b) {
        this.source = b.source;
        this.parse = b.parse;
        this.windows = b.windows;
        this.sink = b.sink;
        this.stopAtEnd = b.stopAtEnd;
        this.commitInterval = b.commitInterval;
        this.parseParallelism = b.parseParallelism;
        this.stats = new SourceSession.Stats(source.registry(), source.metricsName(), source.groupId());
    }

    /**
     * @param source  the input; its deserializers, dead letters and metrics apply as in {@link KafkaSource}
     * @param parse   turns a record into the value the operator reads, or null to skip it (e.g. after sending it
     *                to a dead-letter handler)
     * @param windows the operator's configuration; its {@code partitions}, {@code positions} and
     *                {@code resumeFrom} are set by this class on each run (and so overwritten in this builder)
     * @throws NullPointerException if an argument is null
     */
    public static <K, V, T> Builder<K, V, T> builder(KafkaSourceOptions<K, V> source,
                                                     Function<? super KafkaRecord<K, V>, ? extends T> parse,
                                                     UniqueUsers.Builder<KafkaRecord<K, T>> windows) {
        return new Builder<>(source, parse, windows);
    }

    /**
     * Runs the pipeline: emits each window after the sink acknowledged it. Each subscription is a consumer in the
     * group. Completes only with {@link Builder#stopAtEnd(boolean) stopAtEnd} (after flushing the open windows and
     * committing); errors on a sink or consumer failure; cancel stops without flushing (a later run resumes).
     */
    public Flux<WindowCount> run() {
        return Flux.defer(this::oneRun)
                .retryWhen(Retry.indefinitely().filter(RebalanceRestart.class::isInstance)
                        .doBeforeRetry(s -> log.info("Partitions revoked: restarting from the committed state")));
    }

    private Flux<WindowCount> oneRun() {
        Run run = new Run();
        SourceSession<K, V> session = new SourceSession<>(source, stats, run);
        Flux<KafkaRecord<K, V>> feed = Flux.create(sink -> run.start(sink, session.records()));
        PartitionTracker<Checkpoint> ordered = new PartitionTracker<>(0, run.acked::set);
        Map<WindowCount, Long> seqs = Collections.synchronizedMap(new IdentityHashMap<>());
        long[] nextSeq = {0};
        long[] lastCommit = {System.nanoTime()};
        Flux<WindowCount> emitted = feed
                .switchOnFirst((first, records) -> parsed(records)
                        .transform(operator(run.resumeState())))
                .doOnNext(w -> {
                    long seq = nextSeq[0]++;
                    seqs.put(w, seq);
                    ordered.register(seq, w.checkpoint().orElseThrow());
                });
        return sink.apply(emitted)
                .concatMap(w -> {
                    Long seq = seqs.remove(w);
                    if (seq != null) {
                        ordered.accept(seq);
                    }
                    long now = System.nanoTime();
                    if (now - lastCommit[0] >= commitInterval.toNanos()) {
                        lastCommit[0] = now;
                        return commit(session, run).thenReturn(w);
                    }
                    return Mono.just(w);
                })
                .concatWith(Mono.defer(() -> commit(session, run)).then(Mono.empty()))
                .doFinally(s -> run.stop());
    }

    /**
     * Parses in arrival order: inline, or in batches on {@code parseParallelism} threads with the batches put back in
     * order, because the window operator's watermark and checkpoints depend on it.
     */
    private Flux<KafkaRecord<K, T>> parsed(Flux<KafkaRecord<K, V>> records) {
        if (parseParallelism == 1) {
            return records.handle((r, out) -> {
                KafkaRecord<K, T> p = parseOne(r);
                if (p != null) {
                    out.next(p);
                }
            });
        }
        return Flux.using(() -> Schedulers.newParallel("fluxgate-parse", parseParallelism),
                parsers -> records
                        .bufferTimeout(PARSE_BATCH, PARSE_BATCH_WAIT, true)
                        .flatMapSequential(batch -> Mono.fromCallable(() -> {
                            List<KafkaRecord<K, T>> out = new ArrayList<>(batch.size());
                            for (KafkaRecord<K, V> r : batch) {
                                KafkaRecord<K, T> p = parseOne(r);
                                if (p != null) {
                                    out.add(p);
                                }
                            }
                            return out;
                        }).subscribeOn(parsers), parseParallelism, 1)
                        .concatMapIterable(list -> list),
                Scheduler::dispose);
    }

    private KafkaRecord<K, T> parseOne(KafkaRecord<K, V> r) {
        T v = parse.apply(r);
        return v == null ? null : new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), v, NO_ACK);
    }

    private UniqueUsers<KafkaRecord<K, T>> operator(ResumeState resume) {
        synchronized (windows) {
            return windows
                    .partitions(r -> new TopicPartition(r.topic(), r.partition()))
                    .positions(KafkaRecord::offset)
                    .resumeFrom(resume)
                    .build();
        }
    }

    private Mono<Void> commit(SourceSession<K, V> session, Run run) {
        Checkpoint cp = run.acked.getAndSet(null);
        if (cp == null) {
            return Mono.empty();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        cp.marks().forEach((key, mark) -> {
            if (key instanceof TopicPartition tp && run.assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(mark.resumePosition(),
                        CheckpointCodec.encode(mark.maxEventTimeBefore(), cp.emittedUpTo())));
            }
        });
        return session.commit(offsets)
                .onErrorResume(e -> {
                    // not committing is safe: a restart replays from the previous commit
                    log.warn("Commit of window checkpoint failed: {}", e.toString());
                    return Mono.empty();
                });
    }

    /** State of one run (one consumer): assignment, resume state, end detection, the bridge to the operator. */
    private final class Run implements SourceSession.AssignmentHook {
        final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        final AtomicReference<Checkpoint> acked = new AtomicReference<>();
        private final Map<Object, Long> maxBefore = new ConcurrentHashMap<>();
        private final Map<Duration, Long> emittedUpTo = new ConcurrentHashMap<>();
        private final Map<TopicPartition, Long> lastOffset = new ConcurrentHashMap<>();
        private volatile boolean assignedOnce;
        private volatile FluxSink<KafkaRecord<K, V>> sink;
        private volatile BaseSubscriber<KafkaRecord<K, V>> upstream;

        void start(FluxSink<KafkaRecord<K, V>> sink, Flux<KafkaRecord<K, V>> records) {
            this.sink = sink;
            // The consumer outlives the operator's input: at the end of input the operator completes and flushes,
            // and the final commit still needs the consumer, so completing the feed must not cancel it.
            BaseSubscriber<KafkaRecord<K, V>> up = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                    // demand comes from the operator through onRequest
                }

                @Override
                protected void hookOnNext(KafkaRecord<K, V> r) {
                    sink.next(r);
                    if (stopAtEnd) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        Long last = lastOffset.get(tp);
                        if (last != null && r.offset() >= last) {
                            lastOffset.remove(tp);
                            completeIfCaughtUp();
                        }
                    }
                }

                @Override
                protected void hookOnError(Throwable t) {
                    sink.error(t);
                }

                @Override
                protected void hookOnComplete() {
                    sink.complete();
                }
            };
            upstream = up;
            // subscribe first: BaseSubscriber drops requests made before its subscription arrives
            records.subscribe(up);
            sink.onRequest(up::request);
        }

        void stop() {
            BaseSubscriber<KafkaRecord<K, V>> up = upstream;
            if (up != null) {
                up.dispose();
            }
        }

        ResumeState resumeState() {
            return ResumeState.of(new HashMap<>(maxBefore), new HashMap<>(emittedUpTo));
        }

        @Override
        public void assigned(Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> positions,
                             Map<TopicPartition, Long> endOffsets) {
            if (assignedOnce) {
                // an assignment after the operator was built: start over with the whole new assignment
                restart();
                return;
            }
            assignedOnce = true;
            assigned.addAll(committed.keySet());
            committed.forEach((tp, om) -> {
                CheckpointCodec.State st = om == null ? null : CheckpointCodec.decode(om.metadata());
                if (st != null) {
                    maxBefore.put(tp, st.maxEventTimeBefore());
                    st.emittedUpTo().forEach((size, end) -> emittedUpTo.merge(size, end, Math::max));
                }
            });
            if (stopAtEnd) {
                endOffsets.forEach((tp, end) -> {
                    if (end > positions.getOrDefault(tp, 0L)) {
                        lastOffset.put(tp, end - 1);
                    }
                });
                completeIfCaughtUp();
            }
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            restart();
        }

        private void restart() {
            FluxSink<KafkaRecord<K, V>> s = sink;
            if (s != null) {
                s.error(new RebalanceRestart());
            }
        }

        private void completeIfCaughtUp() {
            if (lastOffset.isEmpty()) {
                FluxSink<KafkaRecord<K, V>> s = sink;
                if (s != null) {
                    s.complete();
                }
            }
        }
    }

    private static final class RebalanceRestart extends RuntimeException {
        RebalanceRestart() {
            super("partitions revoked", null, false, false);
        }
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder<K, V, T> {
        private final KafkaSourceOptions<K, V> source;
        private final Function<? super KafkaRecord<K, V>, ? extends T> parse;
        private final UniqueUsers.Builder<KafkaRecord<K, T>> windows;
        private Function<Flux<WindowCount>, Flux<WindowCount>> sink;
        private boolean stopAtEnd;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private int parseParallelism = DEFAULT_PARSE_PARALLELISM;

        private Builder(KafkaSourceOptions<K, V> source, Function<? super KafkaRecord<K, V>, ? extends T> parse,
                        UniqueUsers.Builder<KafkaRecord<K, T>> windows) {
            this.source = Objects.requireNonNull(source, "source");
            this.parse = Objects.requireNonNull(parse, "parse");
            this.windows = Objects.requireNonNull(windows, "windows");
        }

        /** Writes windows with a {@link KafkaSink}; a window counts as acknowledged once its write is. */
        public Builder<K, V, T> sink(KafkaSink<WindowCount> kafkaSink) {
            Objects.requireNonNull(kafkaSink, "kafkaSink");
            this.sink = windows -> windows.transform(kafkaSink).map(SendResult::element);
            return this;
        }

        /**
         * Writes windows with any sink: {@code acknowledged} must emit each window instance it was given once the
         * window is durably written (in any order), and must be idempotent per window (re-emitted windows after a
         * restart carry the same counts and must overwrite).
         */
        public Builder<K, V, T> sink(Function<Flux<WindowCount>, Flux<WindowCount>> acknowledged) {
            this.sink = Objects.requireNonNull(acknowledged, "acknowledged");
            return this;
        }

        /**
         * Complete once every partition assigned at start has been read up to its end offset at that time (then
         * open windows are flushed, as at the end of any input). Default false: run until cancelled.
         */
        public Builder<K, V, T> stopAtEnd(boolean stopAtEnd) {
            this.stopAtEnd = stopAtEnd;
            return this;
        }

        /** Longest time between commits of acknowledged checkpoints; default 1 s. */
        public Builder<K, V, T> commitInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("commitInterval must not be negative: " + interval);
            }
            this.commitInterval = interval;
            return this;
        }

        /**
         * Threads that run the parse function, on batches of records whose results are put back in arrival order;
         * default 1: inline, on the consumer's thread. Worth it when parsing is the bottleneck (large JSON values);
         * the parse function must then be thread-safe.
         *
         * @throws IllegalArgumentException if {@code parallelism} is not between 1 and 256
         */
        public Builder<K, V, T> parseParallelism(int parallelism) {
            if (parallelism < 1 || parallelism > 256) {
                throw new IllegalArgumentException("parseParallelism must be between 1 and 256: " + parallelism);
            }
            this.parseParallelism = parallelism;
            return this;
        }

        /**
         * @throws IllegalStateException if no sink was given
         */
        public CrashSafeWindows<K, V, T> build() {
            if (sink == null) {
                throw new IllegalStateException("a sink is required");
            }
            return new CrashSafeWindows<>(this);
        }
    }
}
