package io.fluxgate.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import io.fluxgate.internal.Checks;
import io.fluxgate.kafka.internal.CheckpointCodec;
import io.fluxgate.kafka.internal.CommitLedger;
import io.fluxgate.kafka.internal.GroupOffsets;
import io.fluxgate.kafka.internal.PendingLetters;
import io.fluxgate.kafka.internal.SourceSession;
import io.fluxgate.window.Checkpoint;
import io.fluxgate.window.ResumeState;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.jspecify.annotations.Nullable;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
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
 * <p>The checkpoint travels with its window: the sink's acknowledgement is matched by the window and the checkpoint
 * it carries, so a sink may acknowledge with the instance it was given or with a copy that keeps
 * {@link WindowCount#checkpoint()}; an acknowledgement without a checkpoint fails the run (it could never be
 * committed). Each run builds its operator with the factory given to the builder ({@code ResumeState -> operator},
 * usually {@link #tracking(Supplier)}), from the state it resumes from.
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
 *   <li><b>Several partitions, {@link Builder#perPartition(boolean) per partition}:</b> exact per partition, as
 *       with one partition, whichever consumers of the group read them: each partition has its own operator and
 *       commit state, so a partition that moves to another consumer mid-window continues there exactly.</li>
 *   <li><b>Rebalance:</b> when partitions are revoked the run stops without flushing open windows and starts
 *       again (new consumer) from the committed state of its new assignment; windows are never flushed partial.</li>
 *   <li><b>Dead letters:</b> a record whose key or value the source's deserializers refuse goes to the source's
 *       dead-letter sink, and the next record is read only once the letter is stored, so no commit passes an
 *       unstored letter; a letter that cannot be stored fails the run (a {@code DeadLetterException}) before
 *       anything past it is committed. A restart then reads the record again. A record the parse function
 *       {@linkplain Rejections#reject rejects} goes to the same sink without the run waiting for it: up to
 *       {@link Builder#maxDeadLettersInFlight(int)} letters are in flight at once (the Kafka producer batches
 *       them), and each commit first waits until every letter handed over before it is stored; a letter that
 *       cannot be stored fails the run, and no commit passes it. After a crash, letters handed over but not
 *       committed past are stored again by the next run (at least once; exactly once after dedupe by partition and
 *       offset). Records the parse function skips (null) without rejecting them are the parse function's to
 *       account for, before it returns.</li>
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
    /** Default bound of dead letters a run hands to the sink before the first of them is stored. */
    public static final int DEFAULT_MAX_DEAD_LETTERS_IN_FLIGHT = 1024;
    /** Default number of threads parsing records. */
    public static final int DEFAULT_PARSE_PARALLELISM = 1;
    /** Records per parse task when parsing on several threads: enough to amortise the hop between threads. */
    private static final int PARSE_BATCH = 256;
    private static final Duration PARSE_BATCH_WAIT = Duration.ofMillis(10);
    /** How long a restart after a rebalance waits for the previous consumer to close. */
    private static final Duration RESTART_CLOSE_WAIT = Duration.ofSeconds(30);
    /** Per-partition mode commits on a ticker: at most this often, even with a shorter commit interval. */
    private static final Duration MIN_COMMIT_TICK = Duration.ofMillis(20);

    private final KafkaSourceOptions<K, V> source;
    private final Parser<K, V, ? extends T> parse;
    private final Function<? super ResumeState, ? extends Function<Flux<KafkaRecord<K, T>>, Flux<WindowCount>>> operator;
    private final Function<Flux<WindowCount>, Flux<WindowCount>> sink;
    private final boolean stopAtEnd;
    private final int maxDeadLettersInFlight;
    private final Duration commitInterval;
    private final int parseParallelism;
    private final boolean perPartition;
    private final Function<Flux<KafkaRecord<K, V>>, Flux<KafkaRecord<K, V>>> recordStage;
    private final SourceSession.Stats stats;

    private CrashSafeWindows(Builder<K, V, T> b) {
        this.source = b.source;
        this.parse = b.parse;
        this.operator = b.operator;
        this.sink = b.sink;
        this.stopAtEnd = b.stopAtEnd;
        this.maxDeadLettersInFlight = b.maxDeadLettersInFlight;
        this.commitInterval = b.commitInterval;
        this.parseParallelism = b.parseParallelism;
        this.perPartition = b.perPartition;
        this.recordStage = b.recordStage;
        this.stats = new SourceSession.Stats(source.meterRegistry(), source.name(), source.groupId());
    }

    /**
     * A builder for a run reading {@code source}, parsing each record with {@code parse} and counting with the
     * operators {@code operator} builds.
     *
     * @param <K>      input key type
     * @param <V>      input value type
     * @param <T>      parsed value type
     * @param source   the input; its deserializers, dead letters and metrics apply as in {@link KafkaSource}
     * @param parse    turns a record into the value the operator reads, or null to skip it (e.g. after sending it
     *                 to a dead-letter sink). It runs on a thread of the run, not the consumer's. For large values
     *                 the fastest is Kafka's {@code ByteBufferDeserializer} (values are views of the fetched batch,
     *                 not copies) and a parser that reads the buffer in place
     * @param operator builds the window operator of each run (one per run, or one per partition and run in
     *                 {@linkplain Builder#perPartition(boolean) per-partition mode}) from the state the run resumes
     *                 from; its windows must carry checkpoints keyed by partition, as those of
     *                 {@link #tracking(Supplier)} do
     * @return a new builder; a sink is still required
     * @throws NullPointerException if an argument is null
     */
    public static <K, V, T> Builder<K, V, T> builder(
            KafkaSourceOptions<K, V> source, Function<? super KafkaRecord<K, V>, ? extends @Nullable T> parse,
            Function<? super ResumeState, ? extends Function<Flux<KafkaRecord<K, T>>, Flux<WindowCount>>> operator) {
        Objects.requireNonNull(parse, "parse");
        return new Builder<>(source, (r, rejections) -> parse.apply(r), operator);
    }

    /**
     * As {@link #builder(KafkaSourceOptions, Function, Function)}, with a parse function that can
     * {@linkplain Rejections#reject reject} a record to the source's dead-letter sink without waiting for the letter
     * to be stored (see the class's guarantee on dead letters).
     *
     * @param <K>      input key type
     * @param <V>      input value type
     * @param <T>      parsed value type
     * @param source   the input; its deserializers, dead letters and metrics apply as in {@link KafkaSource}
     * @param parse    turns a record into the value the operator reads, or null to skip it; may reject it first
     * @param operator builds the window operator of each run from the state it resumes from (see
     *                 {@link #tracking(Supplier)})
     * @return a new builder; a sink is still required
     * @throws NullPointerException if an argument is null
     */
    public static <K, V, T> Builder<K, V, T> builder(
            KafkaSourceOptions<K, V> source, Parser<K, V, ? extends T> parse,
            Function<? super ResumeState, ? extends Function<Flux<KafkaRecord<K, T>>, Flux<WindowCount>>> operator) {
        return new Builder<>(source, parse, operator);
    }

    /**
     * The usual operator factory: each call takes a new operator configuration from {@code configuration} (user id,
     * event time, windows, lateness, ...) and adds what a crash-safe run needs, without touching any builder the
     * caller keeps: {@link #partitionKey() partitions}, Kafka offsets as positions, and the state to resume from.
     *
     * @param <K>           input key type
     * @param <T>           parsed value type
     * @param configuration a new operator builder per call (e.g. {@code () -> UniqueUsers.perWindow(...)...})
     * @return a {@code ResumeState -> operator} factory for {@link #builder(KafkaSourceOptions, Parser, Function)}
     * @throws NullPointerException if {@code configuration} is null
     */
    public static <K, T> Function<ResumeState, UniqueUsers<KafkaRecord<K, T>>> tracking(
            Supplier<UniqueUsers.Builder<KafkaRecord<K, T>>> configuration) {
        Objects.requireNonNull(configuration, "configuration");
        return resume -> configuration.get()
                .partitions(partitionKey())
                .positions(KafkaRecord::offset)
                .resumeFrom(resume)
                .build();
    }

    /**
     * The partition key a hand-built operator must use ({@code UniqueUsers.Builder#partitions}): a record's
     * {@link TopicPartition}, which checkpoints are keyed by and commits are made for. Not thread-safe (it reuses the
     * last partition's instance): one per operator.
     *
     * @return a new partition key function
     */
    public static Function<KafkaRecord<?, ?>, TopicPartition> partitionKey() {
        return new PartitionOf();
    }

    /**
     * A parse function that may reject records: returns the value the operator reads, or null to skip the record
     * (after rejecting it, or counting it as blank).
     *
     * @param <K> input key type
     * @param <V> input value type
     * @param <T> parsed value type
     */
    @FunctionalInterface
    public interface Parser<K, V, T> {
        /**
         * @param record     the record as read
         * @param rejections where a record that cannot be parsed goes; valid for this call only
         * @return the value the operator reads, or null to skip the record
         */
        @Nullable T parse(KafkaRecord<K, V> record, Rejections rejections);
    }

    /** Where a {@link Parser} puts the dead letter of a record it refuses. */
    @FunctionalInterface
    public interface Rejections {
        /**
         * Hands the letter to the source's dead-letter sink and returns without waiting for it to be stored, unless
         * {@link Builder#maxDeadLettersInFlight(int)} letters are already in flight (then it waits for room). No
         * offset past the record is committed before the letter is stored.
         *
         * @param letter the rejected record with why; its stage is the caller's choice
         * @throws io.fluxgate.outcome.DeadLetterException if this or an earlier letter of the run could not be stored
         *                                                 (the run then fails)
         */
        void reject(io.fluxgate.outcome.DeadLetter<RejectedRecord> letter);
    }

    /**
     * Runs the pipeline: emits each window after the sink acknowledged it. Each subscription is a consumer in the
     * group. Completes only with {@link Builder#stopAtEnd(boolean) stopAtEnd} (after flushing the open windows and
     * committing); errors on a sink or consumer failure; cancel stops without flushing (a later run resumes).
     *
     * @return a cold Flux of acknowledged windows; each subscription is a new run
     */
    public Flux<WindowCount> run() {
        return run(Mono.never());
    }

    /**
     * As {@link #run()}, stopping gracefully when {@code stop} signals (a value or completion; an error too): no
     * further record is read, the open windows are abandoned (never flushed partial: a later run with the same
     * group rebuilds them from the committed position), the windows already emitted are written by the sink and
     * their checkpoints committed, and the returned Flux completes. So a stop loses nothing and repeats nothing
     * that was emitted before it.
     *
     * @param stop its first signal stops the run; subscribed once per run
     * @return a cold Flux of acknowledged windows; each subscription is a new run
     * @throws NullPointerException if {@code stop} is null
     */
    public Flux<WindowCount> run(org.reactivestreams.Publisher<?> stop) {
        Objects.requireNonNull(stop, "stop");
        Mono<Boolean> stopped = Mono.from(stop).thenReturn(Boolean.TRUE).onErrorReturn(Boolean.TRUE)
                .defaultIfEmpty(Boolean.TRUE).cache();
        return Flux.defer(() -> {
                    Run run = perPartition ? new PartitionedRun() : new CombinedRun();
                    return run.windows(stopped)
                            // the next run's consumer joins once this one is closed: with a static member id
                            // (group.instance.id) joining beside it would fence it mid-call (an ERROR in its log)
                            .onErrorResume(RebalanceRestart.class::isInstance, e -> {
                                run.stop();
                                return run.session.closed().timeout(RESTART_CLOSE_WAIT, Mono.empty())
                                        .then(Mono.error(e));
                            });
                })
                .retryWhen(Retry.indefinitely().filter(RebalanceRestart.class::isInstance)
                        .doBeforeRetry(s -> log.info("Partitions revoked: restarting from the committed state")));
    }

    /**
     * The input partition of a result in {@link Builder#perPartition(boolean) per-partition mode}.
     *
     * @param w a result of a per-partition run
     * @return the partition its counts come from
     * @throws IllegalArgumentException if the result carries no checkpoint with exactly one partition
     */
    public static TopicPartition partitionOf(WindowCount w) {
        Checkpoint cp = w.checkpoint().orElseThrow(() -> new IllegalArgumentException("no checkpoint: " + w));
        if (cp.marks().size() != 1 || !(cp.marks().keySet().iterator().next() instanceof TopicPartition tp)) {
            throw new IllegalArgumentException("not a per-partition result: " + w + " " + cp);
        }
        return tp;
    }

    /**
     * Parses in arrival order: inline, or in batches on {@code parseParallelism} threads with the batches put back in
     * order, because the window operator's watermark and checkpoints depend on it. {@code parseOne} turns one record
     * into its parsed form (null: drop it).
     */
    private Flux<KafkaRecord<K, T>> parsed(Flux<KafkaRecord<K, V>> records,
                                           Function<KafkaRecord<K, V>, KafkaRecord<K, T>> parseOne) {
        if (parseParallelism == 1) {
            return records.handle((r, out) -> {
                KafkaRecord<K, T> p = parseOne.apply(r);
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
                                KafkaRecord<K, T> p = parseOne.apply(r);
                                if (p != null) {
                                    out.add(p);
                                }
                            }
                            return out;
                        }).subscribeOn(parsers), parseParallelism, 1)
                        .concatMapIterable(list -> list),
                Scheduler::dispose);
    }

    private KafkaRecord<K, T> parseOne(KafkaRecord<K, V> r, Rejections rejections) {
        T v = parse.parse(r, rejections);
        return v == null ? null : new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), v, NO_ACK);
    }

    /**
     * State of one run (one consumer): assignment, resume state, dead letters, the commit ledger and the bridge from
     * the consumer's records to the operator. One subtype per mode, chosen at subscribe time: {@link CombinedRun}
     * (one operator) and {@link PartitionedRun} (one per partition).
     */
    private abstract class Run implements SourceSession.AssignmentHook {
        final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        /** Letters the parse function rejected; a refused one fails the run through its input. */
        final PendingLetters letters = new PendingLetters(source.deadLetters(), maxDeadLettersInFlight, this::fail);
        final Rejections rejections = letters::store;
        final CommitLedger ledger;
        final SourceSession<K, V> session;
        final Map<Object, Long> maxBefore = new ConcurrentHashMap<>();
        final Map<Duration, Long> emittedUpTo = new ConcurrentHashMap<>();
        final Map<TopicPartition, Map<Duration, Long>> emittedUpToOf = new ConcurrentHashMap<>();
        volatile boolean assignedOnce;
        private volatile FluxSink<KafkaRecord<K, V>> sink;
        private volatile BaseSubscriber<KafkaRecord<K, V>> upstream;

        Run(Function<Checkpoint, Object> laneOf) {
            this.ledger = new CommitLedger(laneOf);
            this.session = new SourceSession<>(source, stats, this);
        }

        /** The run's acknowledged windows; completes at the end of a bounded input or after a stop. */
        abstract Flux<WindowCount> windows(Mono<Boolean> stop);

        /**
         * An end marker of the session (stopAtEnd: every assigned partition's position is at its end), on the
         * records thread: true passes it on to the operator's input, false ends that input here.
         */
        abstract boolean passEndMarker(KafkaRecord<K, V> marker, TopicPartition tp);

        /** Newly assigned partitions' end offsets, at the first assignment of the run. */
        void onFirstAssignment(Map<TopicPartition, Long> endOffsets) {
        }

        /**
         * The session's records as the operator's input, which completes at the end of input (stopAtEnd) without
         * cancelling the session. The session emits only what is requested (the bridge forwards each request), so
         * records pass straight through, without the buffer a bridge would need for a source that over-emits; one
         * that did would fail the run with an overflow error rather than queue without bound.
         */
        Flux<KafkaRecord<K, V>> feed() {
            return Flux.create(sink -> start(sink, session.records()), FluxSink.OverflowStrategy.ERROR);
        }

        private void start(FluxSink<KafkaRecord<K, V>> sink, Flux<KafkaRecord<K, V>> records) {
            this.sink = sink;
            // The consumer outlives the operator's input: at the end of input the operator completes and flushes,
            // and the final commit still needs the consumer, so completing the feed must not cancel it.
            BaseSubscriber<KafkaRecord<K, V>> up = new BaseSubscriber<>() {
                private final PartitionOf partitionOf = new PartitionOf();

                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                    // demand comes from the operator through onRequest
                }

                @Override
                protected void hookOnNext(KafkaRecord<K, V> r) {
                    if (SourceSession.isEndMarker(r) && !passEndMarker(r, partitionOf.apply(r))) {
                        return;
                    }
                    sink.next(r);
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

        /** Ends the operator's input (its open windows are flushed); the consumer stays for the final commit. */
        void endInput() {
            FluxSink<KafkaRecord<K, V>> s = sink;
            if (s != null) {
                s.complete();
            }
        }

        void stop() {
            BaseSubscriber<KafkaRecord<K, V>> up = upstream;
            if (up != null) {
                up.dispose();
            }
            // a bounded run's records do not complete by themselves: its consumer is closed here
            session.close();
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
                    emittedUpToOf.put(tp, st.emittedUpTo());
                }
            });
            onFirstAssignment(endOffsets);
            if (stopAtEnd) {
                // ended by position (an end marker after the poll that reaches it), not by a record at end - 1,
                // which a transactional topic never delivers (its last offset is a commit marker)
                session.endAt(endOffsets);
            }
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            // no commit of this run may name them any more: it would carry this consumer's stale generation
            assigned.removeAll(partitions);
            restart();
        }

        /** A letter could not be stored: the run fails (its commits wait on the letters, so none passes it). */
        private void fail(io.fluxgate.outcome.DeadLetterException e) {
            FluxSink<KafkaRecord<K, V>> s = sink;
            if (s != null) {
                s.error(e);
            }
        }

        private void restart() {
            FluxSink<KafkaRecord<K, V>> s = sink;
            if (s != null) {
                s.error(new RebalanceRestart());
            }
        }
    }

    /**
     * One operator over all assigned partitions: its checkpoints have a mark per partition and form one lane of the
     * ledger; commits every {@link Builder#commitInterval commit interval} on the acknowledgement path.
     */
    private final class CombinedRun extends Run {
        private static final Object LANE = "all";
        private long lastCommit = System.nanoTime();

        CombinedRun() {
            super(cp -> LANE);
        }

        @Override
        boolean passEndMarker(KafkaRecord<K, V> marker, TopicPartition tp) {
            endInput();
            return false;
        }

        @Override
        Flux<WindowCount> windows(Mono<Boolean> stop) {
            Flux<WindowCount> emitted = feed()
                    .transform(recordStage)
                    // the resume state is read once the first record came: the assignment is known by then
                    .switchOnFirst((first, records) -> parsed(records, r -> parseOne(r, rejections))
                            .transform(operator.apply(ResumeState.of(new HashMap<>(maxBefore),
                                    new HashMap<>(emittedUpTo)))))
                    .doOnNext(ledger::emitted)
                    // a stop cancels the operator (no flush) and lets the windows already emitted through the sink
                    .takeUntilOther(stop);
            return sink.apply(emitted)
                    .concatMap(w -> {
                        ledger.acknowledged(w);
                        long now = System.nanoTime();
                        if (now - lastCommit >= commitInterval.toNanos()) {
                            lastCommit = now;
                            return commit().thenReturn(w);
                        }
                        return Mono.just(w);
                    })
                    .concatWith(Mono.defer(this::commit).then(Mono.empty()))
                    .doFinally(s -> stop());
        }

        private Mono<Void> commit() {
            Map<Object, Checkpoint> taken = ledger.take();
            if (taken.isEmpty()) {
                return Mono.empty();
            }
            // taken after the checkpoint: every letter of a record before it was handed over before its window was
            // emitted; a refused one fails the run here, before the commit
            java.util.concurrent.CompletionStage<Void> lettersStored = letters.barrier();
            Map<TopicPartition, OffsetAndMetadata> offsets = CommitLedger.offsets(taken.values(), assigned);
            return Mono.fromCompletionStage(lettersStored)
                    .onErrorMap(java.util.concurrent.CompletionException.class,
                            e -> e.getCause() != null ? e.getCause() : e)
                    .then(Mono.defer(() -> session.commit(offsets)
                            .onErrorResume(e -> {
                                // not committing is safe: a restart replays from the previous commit
                                log.warn("Commit of window checkpoint failed: {}", e.toString());
                                return Mono.empty();
                            })));
        }
    }

    /**
     * {@link Builder#perPartition(boolean) Per-partition mode}: one operator per partition (groupBy), each resumed
     * from its own partition's commit, each partition a lane of the ledger; commits on a ticker, on the consumer
     * thread; with stopAtEnd, a partition is flushed and committed at its end offset, and the run completes once the
     * whole input is committed at its end.
     */
    private final class PartitionedRun extends Run {
        private final Map<TopicPartition, Long> endOf = new ConcurrentHashMap<>();
        private final Map<TopicPartition, Checkpoint> lastEmitted = new ConcurrentHashMap<>();
        private final Set<TopicPartition> reachedEnd = ConcurrentHashMap.newKeySet();
        /** Used by {@link #beforeEnd} only: one stage, whose calls are serialized. */
        private final PartitionOf beforeEndPartition = new PartitionOf();
        private volatile Map<TopicPartition, long[]> inputBounds;
        private final GroupOffsets groupOffsets = new GroupOffsets(source);

        PartitionedRun() {
            // each checkpoint of a partition's operator has one mark, keyed by the partition
            super(cp -> cp.marks().keySet().iterator().next());
        }

        @Override
        void onFirstAssignment(Map<TopicPartition, Long> endOffsets) {
            endOf.putAll(endOffsets);
        }

        @Override
        boolean passEndMarker(KafkaRecord<K, V> marker, TopicPartition tp) {
            // ends a partition whose last record is not at end - 1 (a transaction's commit marker, compaction)
            return !reachedEnd.contains(tp);
        }

        @Override
        Flux<WindowCount> windows(Mono<Boolean> stop) {
            Sinks.One<Boolean> inputDone = Sinks.one();
            Duration tick = commitInterval.compareTo(MIN_COMMIT_TICK) < 0 ? MIN_COMMIT_TICK : commitInterval;
            Flux<WindowCount> emitted = feed()
                    .transform(recordStage)
                    .filter(this::beforeEnd)
                    // in arrival order (parallel batches put back in order), each partition's records in its own
                    // order; a record the parse function skips stays as a marker, so that a partition's end is seen
                    // after it
                    .transform(records -> parsed(records, this::parseOrMarker))
                    .groupBy(new PartitionOf())
                    .flatMap(records -> onePartition(records.key(), records), Integer.MAX_VALUE)
                    // the whole input is committed at its end: nothing is open any more, so stop without a flush (a
                    // flush could only emit a window of records appended after the run began)
                    .takeUntilOther(Mono.firstWithSignal(inputDone.asMono(), stop));
            Disposable ticker = Flux.interval(tick, tick)
                    .onBackpressureDrop()
                    .filter(i -> assignedOnce || stopAtEnd)
                    .concatMap(i -> commit()
                            // only once this consumer's own partitions are done: before, the input cannot be, and
                            // each check is a round of requests to the brokers
                            .then(stopAtEnd && reachedEnd.containsAll(assigned)
                                    ? inputCommittedAtEnd() : Mono.just(false))
                            .onErrorResume(e -> {
                                // not subscribed yet, or closing: the next tick asks again
                                log.debug("Could not check whether the input is done: {}", e.toString());
                                return Mono.just(false);
                            }), 1)
                    .subscribe(done -> {
                        if (done) {
                            inputDone.tryEmitValue(Boolean.TRUE);
                        }
                    });
            return sink.apply(emitted)
                    .doOnNext(ledger::acknowledged)
                    .concatWith(Mono.defer(this::commit).then(Mono.empty()))
                    .doFinally(s -> {
                        ticker.dispose();
                        groupOffsets.close();
                        stop();
                    });
        }

        /**
         * One partition's parsed records (and skip markers) → its own operator; with stopAtEnd, ends (flushes) at the
         * partition's end. Runs on the thread that delivers the partition's records, without a hop per partition:
         * groupBy with an asynchronous hop (publishOn) per group was seen to stop requesting upstream and stall.
         */
        private Flux<WindowCount> onePartition(TopicPartition tp, Flux<KafkaRecord<K, T>> records) {
            Flux<KafkaRecord<K, T>> own = stopAtEnd ? records.takeUntil(r -> isLast(tp, r)) : records;
            return own.filter(r -> r.value() != null)
                    .transform(operator.apply(resumeState(tp)))
                    // registered here, in emission order, before the end marker below
                    .doOnNext(w -> {
                        ledger.emitted(w);
                        lastEmitted.put(tp, w.checkpoint().orElseThrow());
                    })
                    .concatWith(Mono.fromRunnable(() -> ended(tp)));
        }

        /** A parsed record, or for a record the parse function skips (or an end marker), one with a null value. */
        private KafkaRecord<K, T> parseOrMarker(KafkaRecord<K, V> r) {
            KafkaRecord<K, T> p = SourceSession.isEndMarker(r) ? null : parseOne(r, rejections);
            return p != null ? p
                    : new KafkaRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), null, NO_ACK);
        }

        /** The operator state of one partition, as committed. */
        private ResumeState resumeState(TopicPartition tp) {
            Long max = maxBefore.get(tp);
            return ResumeState.of(max == null ? Map.of() : Map.of(tp, max), emittedUpToOf.getOrDefault(tp, Map.of()));
        }

        /** Whether a record is part of this run's input: with stopAtEnd, below its partition's end at assignment. */
        private boolean beforeEnd(KafkaRecord<K, ?> r) {
            if (!stopAtEnd) {
                return true;
            }
            Long end = endOf.get(beforeEndPartition.apply(r));
            return end == null || r.offset() < end;
        }

        /** The last record of partition {@code tp}'s input (stopAtEnd): the partition ends after it. */
        private boolean isLast(TopicPartition tp, KafkaRecord<K, ?> r) {
            Long end = endOf.get(tp);
            if (end != null && r.offset() >= end - 1) {
                reachedEnd.add(tp);
                return true;
            }
            return false;
        }

        /**
         * The operator of {@code tp} completed. At the partition's end (stopAtEnd) the partition is committed at its
         * end offset once its windows are acknowledged: every record below it is accounted for, including malformed
         * ones after the last window, so the group can tell that the partition is done.
         */
        private void ended(TopicPartition tp) {
            Long end = endOf.get(tp);
            if (!reachedEnd.contains(tp) || end == null || end == 0) {
                // an empty partition (ended by the session's end marker) has nothing to commit
                return;
            }
            Checkpoint last = lastEmitted.get(tp);
            long max = last != null ? last.mark(tp).maxEventTimeBefore() : maxBefore.getOrDefault(tp, Long.MIN_VALUE);
            Map<Duration, Long> upTo = last != null ? last.emittedUpTo() : emittedUpToOf.getOrDefault(tp, Map.of());
            ledger.passed(new Checkpoint(Map.of(tp, new Checkpoint.Mark(end, max)), upTo));
        }

        /** Commits what the sink acknowledged per partition, on the consumer thread, so commits never overtake each other. */
        private Mono<Void> commit() {
            if (!ledger.hasAcked()) {
                return Mono.empty();
            }
            return session.withConsumer(c -> {
                        Map<Object, Checkpoint> taken = ledger.take();
                        // after taking the checkpoints: every letter of a record before them is handed over. Waits on
                        // the consumer's thread, for at most the letters in flight (a commit tick's worth), rather
                        // than skip the commit: under a steady stream of rejections some letter is always in flight
                        letters.awaitStored();
                        Map<TopicPartition, OffsetAndMetadata> offsets = CommitLedger.offsets(taken.values(), assigned);
                        try {
                            if (!offsets.isEmpty()) {
                                c.commitSync(offsets);
                            }
                        } catch (RuntimeException e) {
                            // committed later (or replayed by the partition's next owner)
                            ledger.untake(taken);
                            throw e;
                        }
                        return Boolean.TRUE;
                    })
                    .then()
                    .onErrorResume(e -> {
                        log.warn("Commit of window checkpoints failed: {}", e.toString());
                        return Mono.empty();
                    });
        }

        /**
         * Whether every partition of the subscribed topics is committed by the group at (or beyond) the end offset it
         * had when this run first asked, or is empty. The topics' partitions and offsets are read on the consumer
         * thread, the group's commits through {@link GroupOffsets} (not the consumer's own fetch: see there).
         */
        private Mono<Boolean> inputCommittedAtEnd() {
            return session.withConsumer(this::inputBounds)
                    .flatMap(bounds -> bounds.isEmpty() ? Mono.just(false)
                            : groupOffsets.committed(bounds.keySet()).map(committed -> atEnd(bounds, committed)));
        }

        /** Each partition of the subscribed topics → {first offset, end offset} when this run first asked. */
        private Map<TopicPartition, long[]> inputBounds(org.apache.kafka.clients.consumer.Consumer<?, ?> c) {
            Set<TopicPartition> all = new java.util.HashSet<>();
            for (String topic : c.subscription()) {
                List<org.apache.kafka.common.PartitionInfo> infos = c.partitionsFor(topic);
                if (infos != null) {
                    infos.forEach(p -> all.add(new TopicPartition(topic, p.partition())));
                }
            }
            Map<TopicPartition, long[]> bounds = inputBounds;
            if (!all.isEmpty() && (bounds == null || !bounds.keySet().equals(all))) {
                Map<TopicPartition, Long> begin = c.beginningOffsets(all);
                Map<TopicPartition, Long> ends = c.endOffsets(all);
                bounds = new HashMap<>();
                for (TopicPartition tp : all) {
                    bounds.put(tp, new long[] {begin.get(tp), ends.get(tp)});
                }
                inputBounds = bounds;
            }
            return all.isEmpty() ? Map.of() : bounds;
        }

        /** A partition without a commit is at its first offset: done only if it was empty. */
        private static boolean atEnd(Map<TopicPartition, long[]> bounds, Map<TopicPartition, Long> committed) {
            for (Map.Entry<TopicPartition, long[]> e : bounds.entrySet()) {
                long position = committed.getOrDefault(e.getKey(), e.getValue()[0]);
                if (position < e.getValue()[1]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The partition of a record, as the same {@link TopicPartition} instance while records keep coming from one
     * partition (Kafka hands them over partition by partition): no allocation per record, and the lookups in the
     * operator and in the maps keyed by partition compare by identity. Not thread-safe: one instance per stage, whose
     * calls Reactive Streams serializes.
     */
    private static final class PartitionOf implements Function<KafkaRecord<?, ?>, TopicPartition> {
        private TopicPartition last;

        @Override
        public TopicPartition apply(KafkaRecord<?, ?> r) {
            TopicPartition tp = last;
            if (tp == null || tp.partition() != r.partition() || !tp.topic().equals(r.topic())) {
                tp = new TopicPartition(r.topic(), r.partition());
                last = tp;
            }
            return tp;
        }
    }

    private static final class RebalanceRestart extends RuntimeException {
        RebalanceRestart() {
            super("partitions revoked", null, false, false);
        }
    }

    /**
     * Mutable builder; not thread-safe.
     *
     * @param <K> input key type
     * @param <V> input value type
     * @param <T> parsed value type
     */
    public static final class Builder<K, V, T> {
        private final KafkaSourceOptions<K, V> source;
        private final Parser<K, V, ? extends T> parse;
        private final Function<? super ResumeState, ? extends Function<Flux<KafkaRecord<K, T>>, Flux<WindowCount>>> operator;
        private @Nullable Function<Flux<WindowCount>, Flux<WindowCount>> sink;
        private boolean stopAtEnd;
        private int maxDeadLettersInFlight = DEFAULT_MAX_DEAD_LETTERS_IN_FLIGHT;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private int parseParallelism = DEFAULT_PARSE_PARALLELISM;
        private boolean perPartition;
        private Function<Flux<KafkaRecord<K, V>>, Flux<KafkaRecord<K, V>>> recordStage = Function.identity();

        private Builder(KafkaSourceOptions<K, V> source, Parser<K, V, ? extends T> parse,
                        Function<? super ResumeState, ? extends Function<Flux<KafkaRecord<K, T>>, Flux<WindowCount>>> operator) {
            this.source = Objects.requireNonNull(source, "source");
            this.parse = Objects.requireNonNull(parse, "parse");
            this.operator = Objects.requireNonNull(operator, "operator");
        }

        /**
         * Writes windows with a {@link KafkaSink}; a window counts as acknowledged once its write is. Required:
         * this or {@link #sink(Function)}.
         *
         * @param kafkaSink writes the windows
         * @return this builder
         * @throws NullPointerException if {@code kafkaSink} is null
         */
        public Builder<K, V, T> sink(KafkaSink<WindowCount> kafkaSink) {
            Objects.requireNonNull(kafkaSink, "kafkaSink");
            this.sink = windows -> windows.transform(kafkaSink).map(SendResult::element);
            return this;
        }

        /**
         * Writes windows with any sink: {@code acknowledged} must emit each window it was given once the window is
         * durably written (in any order): the instance, or a copy that keeps its {@link WindowCount#checkpoint()
         * checkpoint}, which is what the acknowledgement commits (a window acknowledged without one, or twice, fails
         * the run rather than stopping its commits). It must be idempotent per window (re-emitted windows after a
         * restart carry the same counts and must overwrite).
         *
         * @param acknowledged writes the windows and emits each once it is durable
         * @return this builder
         * @throws NullPointerException if {@code acknowledged} is null
         */
        public Builder<K, V, T> sink(Function<Flux<WindowCount>, Flux<WindowCount>> acknowledged) {
            this.sink = Objects.requireNonNull(acknowledged, "acknowledged");
            return this;
        }

        /**
         * Complete once every partition assigned at start has been read up to its end offset at that time (then
         * open windows are flushed, as at the end of any input). A partition's end is reached when the consumer's
         * position is at or past that offset, whether or not a record sits at end - 1: a transactional topic ends in
         * a commit marker no consumer is given, and compaction leaves gaps. Default false: run until cancelled.
         *
         * @param stopAtEnd {@code true} for a bounded run
         * @return this builder
         */
        public Builder<K, V, T> stopAtEnd(boolean stopAtEnd) {
            this.stopAtEnd = stopAtEnd;
            return this;
        }

        /**
         * Dead letters the parse function {@linkplain Rejections#reject rejected} that are handed to the source's
         * dead-letter sink before the first of them is stored; default {@value CrashSafeWindows#DEFAULT_MAX_DEAD_LETTERS_IN_FLIGHT}.
         * With 1, each letter waits for the one before it. A rejection waits only when the bound is reached.
         *
         * @param maxDeadLettersInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxDeadLettersInFlight < 1}
         */
        public Builder<K, V, T> maxDeadLettersInFlight(int maxDeadLettersInFlight) {
            this.maxDeadLettersInFlight = Checks.atLeast("maxDeadLettersInFlight", maxDeadLettersInFlight, 1);
            return this;
        }

        /**
         * Longest time between commits of acknowledged checkpoints; default 1 s.
         *
         * @param interval not negative
         * @return this builder
         * @throws NullPointerException     if {@code interval} is null
         * @throws IllegalArgumentException if {@code interval} is negative
         */
        public Builder<K, V, T> commitInterval(Duration interval) {
            this.commitInterval = Checks.requireNonNegative("commitInterval", interval);
            return this;
        }

        /**
         * Threads that run the parse function, on batches of records whose results are put back in arrival order;
         * the window operator then counts on them too. Default 1: the source's records thread parses and counts, record
         * by record, while the consumer's own thread polls and decodes the next records (so a run keeps two cores
         * busy). More is worth it when parsing is the bottleneck (large JSON values) and cores are free; the parse
         * function must then be thread-safe.
         *
         * @param parallelism parsing threads, 1 to 256
         * @return this builder
         * @throws IllegalArgumentException if {@code parallelism} is not between 1 and 256
         */
        public Builder<K, V, T> parseParallelism(int parallelism) {
            this.parseParallelism = Checks.inRange("parseParallelism", parallelism, 1, 256);
            return this;
        }

        /**
         * One window operator per input partition instead of one over all of them (default false): the run is
         * then of another kind (chosen when it is subscribed), sharing the commit ledger with the combined one. Each partition
         * then has its own watermark (its own largest event time − lateness), its own late decisions and its own
         * results: a window that has records in three partitions is emitted three times, once per partition, each
         * counting that partition's users. Each result's {@link WindowCount#checkpoint() checkpoint} has exactly one
         * mark, keyed by the partition's {@link TopicPartition} ({@link #partitionOf(WindowCount)}). The results of
         * a partition depend only on that partition's records, in their order, so they are the same whichever
         * consumer of the group reads the partition and however often it moves or restarts: exact, as with one
         * partition. This is what lets several instances in one group split the partitions and a later stage
         * combine their per-partition counts.
         *
         * <p>Commits run every {@link #commitInterval(Duration) commit interval} (at least every 20 ms), each
         * partition at the checkpoint of its latest acknowledged window. Parsing is as without per-partition mode
         * ({@link #parseParallelism(int)}); the operators then count on the thread that delivers the parsed records.
         * With {@link #stopAtEnd(boolean) stopAtEnd}: a partition is read up to the end offset it had when
         * assigned (records appended later are left to a later run), then its open windows are flushed and, once they
         * are acknowledged, the partition is committed at that end offset; the run completes once every partition
         * of the subscribed topics is committed by the group at or beyond the end offset it had when the run first
         * checked (or is empty), whichever consumer of the group read it. So a consumer that is done with its own
         * partitions stays in the group and takes over those of a consumer that dies. The input must not grow while
         * such a run lasts: a partition that gets records between its assignment and that first check keeps the run
         * from completing until it is reassigned.
         *
         * <p>With several consumers in the group, give each a static membership
         * ({@code group.instance.id}, unique per consumer, e.g. through {@link KafkaSourceOptions.Builder#property}):
         * every rebalance restarts the consumers whose partitions were revoked from their committed state, and
         * without static membership each such restart (a consumer leaving and joining) triggers the next rebalance.
         * A consumer that dies then hands its partitions on after {@code session.timeout.ms}.
         *
         * @param perPartition {@code true} for one window operator per input partition
         * @return this builder
         */
        public Builder<K, V, T> perPartition(boolean perPartition) {
            this.perPartition = perPartition;
            return this;
        }

        /**
         * A stage over the records as read, before parsing, e.g. {@code io.fluxgate.progress.Progress} for a
         * progress bar, or metrics. Applied once per consumer run (a rebalance starts a new run, and records are
         * read again from the committed positions). It must pass every record on, unchanged and in order, with the
         * demand it gets: it observes, it does not filter (skip records in the parse function instead). In
         * {@linkplain #perPartition(boolean) per-partition mode} with {@link #stopAtEnd(boolean) stopAtEnd} it also
         * sees one end marker per partition when the input is read to its end (no key, no value, timestamp
         * {@link Long#MIN_VALUE}), which it must pass on too. Default: none.
         *
         * @param stage an observing transformer over the records as read
         * @return this builder
         * @throws NullPointerException if {@code stage} is null
         */
        public Builder<K, V, T> recordStage(Function<Flux<KafkaRecord<K, V>>, Flux<KafkaRecord<K, V>>> stage) {
            this.recordStage = Objects.requireNonNull(stage, "stage");
            return this;
        }

        /**
         * Builds the pipeline; nothing runs until {@link CrashSafeWindows#run()} is subscribed.
         *
         * @return the pipeline
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
