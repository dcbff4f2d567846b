package io.fluxgate.outcome;

import java.time.Clock;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.fluxgate.outcome.internal.DeadLetterFlux;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Operators that turn per-element failures into values ({@link Outcome}) and route them to a dead-letter sink,
 * so that one bad element does not kill a pipeline and no failed element is lost.
 *
 * <pre>{@code
 * rows.transform(Outcomes.tryMap(Row::parse))            // Flux<Outcome<Row, Event>>
 *     .transform(ErrorBudget.builder().maxConsecutiveFailures(50).build())
 *     .transform(Outcomes.deadLetter(sink, "parse"))     // Flux<Event>, failures written to the sink
 * }</pre>
 */
public final class Outcomes {

    /**
     * Default bound of letters {@link #deadLetter} hands to its sink before the first of them is stored: enough
     * for a sink that batches (a Kafka producer) to get many at once, few enough to bound the elements held.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;

    private Outcomes() {
    }

    /**
     * Maps each element, capturing any exception the mapper throws as a {@link Outcome.Failure} (with the input)
     * instead of terminating the stream. JVM-fatal errors ({@link VirtualMachineError}, ...) still propagate. A
     * {@code null} result becomes a failure with a {@link NullPointerException}.
     *
     * <p>One outcome per input, in order; demand and cancellation pass through unchanged.
     *
     * @param <T> the input element type
     * @param <R> the mapper's result type
     * @param mapper the per-element function; may throw, or return null, for a bad element
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws NullPointerException if {@code mapper} is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMap(
            Function<? super T, ? extends @Nullable R> mapper) {
        return tryMap(mapper, e -> true);
    }

    /**
     * As {@link #tryMap(Function)}, but only exceptions matching {@code recoverable} become failures; any other
     * exception terminates the stream as {@code map} would (use it for errors that mean "the run is broken", not
     * "this element is bad").
     *
     * @param <T> the input element type
     * @param <R> the mapper's result type
     * @param mapper      the per-element function; may throw, or return null (a failure, whatever
     *                    {@code recoverable} says), for a bad element
     * @param recoverable which of the mapper's exceptions mean "this element is bad"
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMap(
            Function<? super T, ? extends @Nullable R> mapper, Predicate<? super Throwable> recoverable) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(recoverable, "recoverable");
        return Described.of("Outcomes.tryMap", source -> source.map(input -> {
            try {
                R value = mapper.apply(input);
                if (value == null) {
                    return Outcome.failure(input, new NullPointerException("mapper returned null for " + input));
                }
                return Outcome.success(input, value);
            } catch (Throwable e) {
                Exceptions.throwIfJvmFatal(e);
                if (!recoverable.test(e)) {
                    throw Exceptions.propagate(e);
                }
                return Outcome.failure(input, e);
            }
        }));
    }

    /**
     * Asynchronous {@link #tryMap(Function)}: calls {@code mapper} for one element at a time (the next element is
     * requested only after the previous call finished) and takes the first value of the returned publisher.
     * An error signal, or an exception thrown by the mapper itself, becomes a failure; an empty publisher
     * becomes a failure with a {@link NoSuchElementException}. Cancelling cancels the call in flight.
     *
     * @param <T> the input element type
     * @param <R> the mapper's result type
     * @param mapper the per-element call; its publisher's first value is the result
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws NullPointerException if {@code mapper} is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMapAsync(
            Function<? super T, ? extends Publisher<? extends R>> mapper) {
        return tryMapAsync(mapper, 1);
    }

    /**
     * As {@link #tryMapAsync(Function)} with up to {@code maxInFlight} calls in flight; outcomes are still emitted
     * in input order ({@code flatMapSequential}), so a slow element holds back faster ones behind it (the rule of
     * every {@code maxInFlight}; this one has no unordered variant because an outcome stream is usually
     * acknowledged in order).
     *
     * @param <T> the input element type
     * @param <R> the mapper's result type
     * @param mapper      the per-element call; its publisher's first value is the result
     * @param maxInFlight calls in flight at most, at least 1 (1 is {@link #tryMapAsync(Function)}); it is also
     *                    the number of elements requested ahead from upstream
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws IllegalArgumentException if {@code maxInFlight < 1}
     * @throws NullPointerException     if {@code mapper} is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMapAsync(
            Function<? super T, ? extends Publisher<? extends R>> mapper, int maxInFlight) {
        Objects.requireNonNull(mapper, "mapper");
        Checks.atLeast("maxInFlight", maxInFlight, 1);
        Function<T, Mono<Outcome<T, R>>> call = input -> Mono.<R>defer(() -> Mono.from(mapper.apply(input)))
                .map(value -> Outcome.<T, R>success(input, value))
                .switchIfEmpty(Mono.fromSupplier(() -> Outcome.failure(input,
                        new NoSuchElementException("mapper returned an empty publisher for " + input))))
                .onErrorResume(e -> !Exceptions.isJvmFatal(e), e -> Mono.just(Outcome.failure(input, e)));
        if (maxInFlight == 1) {
            return Described.of("Outcomes.tryMapAsync", source -> source.concatMap(call, 0), "maxInFlight", 1, "ordered", true);
        }
        return Described.of("Outcomes.tryMapAsync", source -> source.flatMapSequential(call, maxInFlight, 1),
                "maxInFlight", maxInFlight, "ordered", true);
    }

    /**
     * Writes every failure to {@code sink} (stamped with the system UTC clock and {@code stage}), up to
     * {@link #DEFAULT_MAX_IN_FLIGHT} letters at once, and emits the values of the successes. See
     * {@link #deadLetter(DeadLetterSink, String, Clock, int)}.
     *
     * @param <T> the input element type
     * @param <R> the mapper's result type
     * @param sink  where failures are stored
     * @param stage names this step in every letter, so letters from several steps can be told apart
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code stage} is blank
     */
    public static <T, R> Function<Flux<Outcome<T, R>>, Flux<R>> deadLetter(DeadLetterSink<? super T> sink,
                                                                        String stage) {
        return deadLetter(sink, stage, Clock.systemUTC());
    }

    /**
     * As {@link #deadLetter(DeadLetterSink, String, Clock, int)} with up to {@link #DEFAULT_MAX_IN_FLIGHT} letters
     * in flight.
     *
     * @param <T> the input element type
     * @param <R> the mapper's result type
     * @param sink  where failures are stored
     * @param stage names this step in every letter, so letters from several steps can be told apart
     * @param clock stamps each letter's {@link DeadLetter#timestamp()}; inject a fixed one in tests
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code stage} is blank
     */
    public static <T, R> Function<Flux<Outcome<T, R>>, Flux<R>> deadLetter(DeadLetterSink<? super T> sink,
                                                                        String stage, Clock clock) {
        return deadLetter(sink, stage, clock, DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * Writes every failure to {@code sink} through {@link DeadLetterSink#acceptAsync} (stamped with
     * {@code clock}'s instant and {@code stage}) and emits the values of the successes. The stream's thread never
     * waits for a store: an asynchronous sink (a Kafka topic) is safe on a non-blocking Reactor thread. Up to
     * {@code maxInFlight} letters are stored at once, so a burst of N failures over a sink that takes L to store
     * one costs about N / maxInFlight × L, not N × L, and a sink that batches (a Kafka producer) gets many letters
     * at once.
     *
     * <ul>
     *   <li><b>Order.</b> Successes are emitted in upstream order; letters are handed to the sink in upstream
     *       order, up to {@code maxInFlight} before the first of them is stored (a sink may complete them in any
     *       order; one that keeps order, as a Kafka partition does, stores them in upstream order). No success
     *       is emitted before the letter of every failure before it is stored. So a consumer that acknowledges an
     *       element's offset after receiving it never acknowledges past a letter that is not stored. With
     *       {@code maxInFlight} 1, letters are stored one after another, each handed over once the previous one
     *       is stored.</li>
     *   <li><b>Nothing dropped.</b> If a letter cannot be stored (the stage completes exceptionally, or
     *       {@code acceptAsync} throws or returns null), the stream fails with that error as the sink reported it
     *       (a {@link DeadLetterException} for the sinks of this library; a
     *       {@link java.util.concurrent.CompletionException} is unwrapped to its cause), upstream is cancelled and
     *       elements queued behind the failure are discarded. Letters still in flight then are not taken back;
     *       further refusals among them go to {@link reactor.core.publisher.Hooks#onErrorDropped}.</li>
     *   <li><b>Backpressure.</b> While no store is pending, demand passes through as with {@code handle}: a
     *       success uses one unit of downstream demand, a failure uses none (its upstream demand is replenished
     *       as soon as its store starts). While stores are pending, elements upstream already had demand for are
     *       queued, in order: a failure leaves the queue as soon as fewer than {@code maxInFlight} letters are in
     *       flight (its demand replenished at once), a success once no letter is in flight. Downstream requests
     *       made meanwhile are accumulated, not forwarded; they are forwarded once nothing is queued or in
     *       flight. The queue therefore holds at most the downstream demand outstanding. An unbounded request
     *       ({@code Long.MAX_VALUE}) is forwarded as batches of 256, replenished as elements are consumed, so the
     *       queue stays below 256 elements (plus any bounded demand requested before).</li>
     *   <li><b>Termination.</b> An upstream completion or error arriving while stores are pending is delivered
     *       after every store has settled and the queue is emptied; if a store is refused, the stream fails with
     *       the refusal and the upstream error goes to {@link reactor.core.publisher.Hooks#onErrorDropped}.</li>
     *   <li><b>Cancel.</b> No element is emitted after cancel (an upstream completion or error racing the cancel
     *       may still arrive, as with Reactor's own operators); queued elements and elements arriving after the
     *       cancel (the {@link Outcome}s as received) go to the discard hook, and the letters of their failures
     *       are not handed to the sink. Stores in progress are not cancelled (a sink cannot take a letter back,
     *       and cancelling its stage could stop it from counting a letter it did store): those letters may still
     *       be stored after the cancel, and their failures are only reported to
     *       {@link reactor.core.publisher.Hooks#onErrorDropped}.</li>
     *   <li><b>Threads.</b> Successes and letters that the sink stores synchronously (the default
     *       {@code acceptAsync} over {@code accept}: {@link DeadLetterSink#of}, {@link InMemoryDeadLetterSink}, files)
     *       take no hop and no subscription: the element is emitted, or its letter stored, on the thread that
     *       delivered it. After a store that completes later, queued elements are emitted, queued letters handed
     *       to the sink, and further demand requested, on the thread that completed the stage (for a Kafka topic,
     *       the producer's I/O thread), so a synchronous upstream may then emit on that thread; put a
     *       {@code publishOn} after this operator if downstream work must not run there.</li>
     * </ul>
     *
     * <p>The returned function can be applied to any number of fluxes, and each subscription has its own state.
     *
     * @param <T>         the input element type
     * @param <R>         the success value type
     * @param sink        where failures are stored
     * @param stage       names this step in every letter, so letters from several steps can be told apart
     * @param clock       stamps each letter's {@link DeadLetter#timestamp()}; inject a fixed one in tests
     * @param maxInFlight letters handed to the sink and not yet stored, at most; at least 1
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code maxInFlight < 1} or {@code stage} is blank
     */
    public static <T, R> Function<Flux<Outcome<T, R>>, Flux<R>> deadLetter(DeadLetterSink<? super T> sink,
                                                                        String stage, Clock clock,
                                                                        int maxInFlight) {
        Objects.requireNonNull(sink, "sink");
        Checks.notBlank("stage", stage);
        Objects.requireNonNull(clock, "clock");
        Checks.atLeast("maxInFlight", maxInFlight, 1);
        // hand-written (DeadLetterSubscriber): concatMap(f, 0) kept the order but requested one element at a time
        // through the whole upstream chain, 4 times slower on the success path than handle
        return Described.of("Outcomes.deadLetter", source -> new DeadLetterFlux<>(source, sink, stage, clock, maxInFlight),
                "name", stage, "sink", sink, "maxInFlight", maxInFlight, "ordered", true, "clock", clock);
    }

    /**
     * A builder of the dead-letter stage with meters: {@code outcomes.transform(Outcomes.deadLetters(sink)
     * .name("parse").meterRegistry(registry).build())}. Its transformer is {@link #deadLetter(DeadLetterSink,
     * String, Clock, int)}'s, with {@code fluxgate.deadletter.stored} (counter: letters the sink stored) and
     * {@code fluxgate.deadletter.refused} (counter: letters it could not store) tagged {@code name}.
     *
     * @param <S>  the element type the sink takes
     * @param sink where failures are stored
     * @return a builder named {@value #DEFAULT_DEAD_LETTER_NAME}, the system UTC clock and
     *     {@link #DEFAULT_MAX_IN_FLIGHT}
     * @throws NullPointerException if {@code sink} is null
     */
    public static <S> DeadLetterBuilder<S> deadLetters(DeadLetterSink<S> sink) {
        return new DeadLetterBuilder<>(Objects.requireNonNull(sink, "sink"));
    }

    /** Default stage name of {@link #deadLetters(DeadLetterSink)}. */
    public static final String DEFAULT_DEAD_LETTER_NAME = "dead-letter";

    /**
     * Settings of the dead-letter stage; each setter validates its argument and names the bad value.
     *
     * @param <S> the element type the sink takes
     */
    public static final class DeadLetterBuilder<S> {
        private final DeadLetterSink<S> sink;
        private String name = DEFAULT_DEAD_LETTER_NAME;
        private Clock clock = Clock.systemUTC();
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private @Nullable MeterRegistry meterRegistry;

        private DeadLetterBuilder(DeadLetterSink<S> sink) {
            this.sink = sink;
        }

        /**
         * The stage name stamped on every letter ({@link DeadLetter#stage()}), the meters' tag and in
         * {@code toString()}.
         *
         * @param name non-blank; default {@value Outcomes#DEFAULT_DEAD_LETTER_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public DeadLetterBuilder<S> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Stamps each letter's {@link DeadLetter#timestamp()}.
         *
         * @param clock default {@code Clock.systemUTC()}
         * @return this builder
         * @throws NullPointerException if {@code clock} is null
         */
        public DeadLetterBuilder<S> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Letters handed to the sink and not yet stored, at most (always in order).
         *
         * @param maxInFlight at least 1; default {@value Outcomes#DEFAULT_MAX_IN_FLIGHT}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public DeadLetterBuilder<S> maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Records {@code fluxgate.deadletter.stored} and {@code fluxgate.deadletter.refused}, tagged {@code name}.
         * Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public DeadLetterBuilder<S> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the transformer of {@link #deadLetter(DeadLetterSink, String, Clock, int)}.
         *
         * @param <T> the input element type
         * @param <R> the success value type
         * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
         */
        public <T extends S, R> Function<Flux<Outcome<T, R>>, Flux<R>> build() {
            DeadLetterSink<S> target = sink;
            if (meterRegistry != null) {
                StageMeters m = MicrometerStageMeters.of(meterRegistry, "deadletter", name);
                target = new CountingSink<>(sink, m.counter("stored", "letters the sink stored"),
                        m.counter("refused", "letters the sink could not store"));
            }
            return deadLetter(target, name, clock, maxInFlight);
        }
    }

    /** Counts the letters a sink stored and refused; everything else is the sink's. */
    private static final class CountingSink<S> implements DeadLetterSink<S> {
        private final DeadLetterSink<S> sink;
        private final Runnable stored;
        private final Runnable refused;

        CountingSink(DeadLetterSink<S> sink, Runnable stored, Runnable refused) {
            this.sink = sink;
            this.stored = stored;
            this.refused = refused;
        }

        @Override
        public void accept(DeadLetter<? extends S> letter) {
            try {
                sink.accept(letter);
            } catch (RuntimeException e) {
                refused.run();
                throw e;
            }
            stored.run();
        }

        @Override
        public java.util.concurrent.CompletionStage<@Nullable Void> acceptAsync(DeadLetter<? extends S> letter) {
            java.util.concurrent.CompletionStage<@Nullable Void> stage = sink.acceptAsync(letter);
            if (stage == null) {
                refused.run();
                return stage;
            }
            return stage.whenComplete((v, e) -> (e == null ? stored : refused).run());
        }

        @Override
        public long count() {
            return sink.count();
        }

        @Override
        public void flush() {
            sink.flush();
        }

        @Override
        public void close() {
            sink.close();
        }

        @Override
        public String toString() {
            return sink.toString();
        }
    }
}
