package io.fluxgate.batch;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import io.fluxgate.batch.internal.BatchMeters;
import io.fluxgate.batch.internal.FluxBatch;
import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.fluxgate.internal.Time;
import io.fluxgate.control.LatencyTargetLimit;
import io.fluxgate.control.LimitController;
import io.micrometer.core.instrument.MeterRegistry;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;

/**
 * Batching by count, weight and age, whichever comes first, with a backpressure contract Reactor's
 * {@code bufferTimeout} never had, and an adaptive form that tunes the batch size to the sink it feeds.
 *
 * <h2>Fixed bounds: {@link #builder()}</h2>
 * <pre>{@code
 * flux.transform(AdaptiveBatch.<Event>builder()
 *         .maxSize(500)
 *         .maxWeight(1 << 20, Event::sizeInBytes)
 *         .maxWait(Duration.ofMillis(50))
 *         .build())                                  // Flux<List<Event>>
 * }</pre>
 *
 * <h2>Adaptive: {@link #into(Function)}</h2>
 * <pre>{@code
 * flux.transform(AdaptiveBatch.into((List<Row> rows) -> repository.insertAll(rows))
 *         .latencyTarget(Duration.ofMillis(100))
 *         .maxWait(Duration.ofMillis(50))
 *         .build())                                  // Flux<R>, the sink's results in batch order
 * }</pre>
 */
public final class AdaptiveBatch {

    /** Size bound when none is given. */
    public static final int DEFAULT_MAX_SIZE = 256;
    /** Age bound when none is given: a batch waits at most this long after its first element (demand permitting). */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(100);
    /** Batches handed to the sink concurrently in the adaptive form when none is given. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1;
    /** Default stage name (meter tag {@code name}, {@code toString()}). */
    public static final String DEFAULT_NAME = "batch";

    private AdaptiveBatch() {
    }

    /**
     * @param <T> the element type
     * @return a builder for the fixed-bound batching operator, preset to the {@code DEFAULT_*} values
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Shortcut for {@code builder().maxSize(maxSize).maxWait(maxWait).build()}.
     *
     * @param <T> the element type
     * @param maxSize the most elements in a batch, at least 1
     * @param maxWait how long a batch may wait after its first element, positive
     * @return {@code Flux<T> -> Flux<List<T>>}
     * @throws IllegalArgumentException if {@code maxSize < 1} or {@code maxWait} is not positive
     */
    public static <T> Function<Flux<T>, Flux<List<T>>> of(int maxSize, Duration maxWait) {
        return AdaptiveBatch.<T>builder().maxSize(maxSize).maxWait(maxWait).build();
    }

    /**
     * Starts the adaptive form: batches feed {@code sink}, every call is timed, and a {@link LimitController}
     * (by default {@link LatencyTargetLimit}) sets the size bound of the next batches from the measured latencies.
     *
     * @param sink called once per batch; its publisher is subscribed when the batch is handed over and the batch
     *             counts as finished when that publisher terminates
     * @param <T> the element type
     * @param <R> the sink's result type
     * @return a builder with the {@link LatencyTargetLimit} defaults
     * @throws NullPointerException if {@code sink} is null
     */
    public static <T, R> SinkBuilder<T, R> into(Function<? super List<T>, ? extends Publisher<? extends R>> sink) {
        return new SinkBuilder<>(Objects.requireNonNull(sink, "sink"));
    }

    /** Settings of the fixed-bound operator; each setter validates its argument and names the bad value. */
    public static final class Builder<T> {
        private int maxSize = DEFAULT_MAX_SIZE;
        private long maxWeight = Long.MAX_VALUE;
        @Nullable
        private ToLongFunction<? super T> weigher;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        @Nullable
        private Scheduler scheduler;
        private String name = DEFAULT_NAME;
        @Nullable
        private MeterRegistry registry;

        private Builder() {
        }

        /**
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value AdaptiveBatch#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder<T> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.batch.batches} (counter: batches emitted) and
         * {@code fluxgate.batch.elements} (counter: elements in them), tagged {@code name}. Default: none.
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T> meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * @param maxSize the most elements in a batch, at least 1; {@link #DEFAULT_MAX_SIZE} by default
         * @return this builder
         * @throws IllegalArgumentException if {@code maxSize < 1}
         */
        public Builder<T> maxSize(int maxSize) {
            this.maxSize = Checks.atLeast("maxSize", maxSize, 1);
            return this;
        }

        /**
         * Bounds the total weight of a batch: a batch closes when its weight reaches {@code maxWeight}, and before an
         * element that would push it over; an element heavier than {@code maxWeight} on its own forms a batch of one.
         *
         * @param maxWeight the largest total weight of a batch, at least 1
         * @param weigher the weight of one element (e.g. its size in bytes); must not be negative
         * @return this builder
         * @throws IllegalArgumentException if {@code maxWeight < 1}
         * @throws NullPointerException     if {@code weigher} is null
         */
        public Builder<T> maxWeight(long maxWeight, ToLongFunction<? super T> weigher) {
            this.maxWeight = Checks.atLeast("maxWeight", maxWeight, 1L);
            this.weigher = Objects.requireNonNull(weigher, "weigher");
            return this;
        }

        /**
         * @param maxWait how long a batch may wait after its first element before it is emitted (demand
         *     permitting); {@link #DEFAULT_MAX_WAIT} by default
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> maxWait(Duration maxWait) {
            this.maxWait = Checks.requirePositive("maxWait", maxWait);
            return this;
        }

        /**
         * The scheduler the max-wait timers run on; by default {@code Schedulers.parallel()}, resolved per subscription.
         *
         * @param scheduler runs the max-wait timers
         * @return this builder
         */
        public Builder<T> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the operator: {@code Flux<T> -> Flux<List<T>>}.
         *
         * <p><b>Emission.</b> A batch is emitted when it holds {@code maxSize} elements, when its weight reaches
         * {@code maxWeight} (or the next element would exceed it), or {@code maxWait} after its first element,
         * whichever comes first. Batches are never empty; order is preserved across and within batches. On
         * completion the partial batch is emitted (when requested), then {@code onComplete}.
         *
         * <p><b>Backpressure.</b> One request unit is one batch. Upstream is asked for at most one batch worth of
         * elements ({@code maxSize} minus those already buffered or requested) and only while downstream demand is
         * outstanding and no closed batch waits for it; it is never asked for an unbounded amount. When
         * {@code maxWait} passes while downstream has no demand, the batch is not dropped and not emitted: it stays
         * open, keeps filling from elements already requested up to its size and weight bounds, and is emitted on
         * the next request.
         *
         * <p><b>Cancel, errors.</b> Cancel discards the buffered elements through {@code Operators.onDiscard} hooks
         * and is idempotent. An upstream error, a throwing weigher or a negative weight discards the buffer and
         * propagates the error immediately (the element being weighed is discarded too).
         *
         * @param <U> the element type of the stream it is applied to (any subtype of {@code T}, so
         *     {@code AdaptiveBatch.builder().maxSize(n).build()} fits any stream without a type witness)
         * @return a reusable transformer; each subscription gets its own state
         */
        public <U extends T> Function<Flux<U>, Flux<List<U>>> build() {
            int size = maxSize;
            long weight = maxWeight;
            ToLongFunction<? super T> w = weigher;
            long waitNanos = Time.saturatedNanos(maxWait);
            Scheduler s = scheduler;
            IntSupplier sizes = () -> size;
            Object[] settings = {"name", name, "maxSize", size, "maxWeight", w == null ? "none" : weight,
                    "maxWait", maxWait, "scheduler", s != null ? s : "parallel"};
            if (registry != null) {
                StageMeters m = MicrometerStageMeters.of(registry, "batch", name);
                Runnable batches = m.counter("batches", "batches emitted");
                java.util.function.LongConsumer elements = m.amount("elements", "elements in the batches emitted");
                return Described.of("AdaptiveBatch", flux -> new FluxBatch<>(flux, sizes, weight, w, waitNanos,
                        s == null ? null : () -> s).doOnNext(b -> {
                            batches.run();
                            elements.accept(b.size());
                        }), settings);
            }
            return Described.of("AdaptiveBatch", flux -> new FluxBatch<>(flux, sizes, weight, w, waitNanos,
                    s == null ? null : () -> s), settings);
        }
    }

    /**
     * Settings of the adaptive form; each setter validates its argument and names the bad value. The size-related
     * settings configure the default {@link LatencyTargetLimit}; a custom {@link #controller(Supplier)} brings its own.
     */
    public static final class SinkBuilder<T, R> {
        private final Function<? super List<T>, ? extends Publisher<? extends R>> sink;
        private int minSize = LatencyTargetLimit.DEFAULT_MIN_LIMIT;
        private int maxSize = LatencyTargetLimit.DEFAULT_MAX_LIMIT;
        private int initialSize = LatencyTargetLimit.DEFAULT_INITIAL_LIMIT;
        private Duration latencyTarget = LatencyTargetLimit.DEFAULT_LATENCY_TARGET;
        @Nullable
        private Supplier<? extends LimitController> controller;
        private long maxWeight = Long.MAX_VALUE;
        @Nullable
        private ToLongFunction<? super T> weigher;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private boolean ordered = true;
        @Nullable
        private Scheduler scheduler;
        private LongSupplier nanoClock = Time.defaultNanoClock();
        @Nullable
        private MeterRegistry registry;
        private String name = DEFAULT_NAME;

        private SinkBuilder(Function<? super List<T>, ? extends Publisher<? extends R>> sink) {
            this.sink = sink;
        }

        /**
         * Sink latency the default controller steers to; 100 ms by default. @throws IllegalArgumentException if not positive
         *
         * @param target the sink latency per batch to steer to, positive
         * @return this builder
         */
        public SinkBuilder<T, R> latencyTarget(Duration target) {
            this.latencyTarget = Checks.requirePositive("latencyTarget", target);
            return this;
        }

        /**
         * @param minSize the smallest size bound the controller may set, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code minSize < 1}
         */
        public SinkBuilder<T, R> minSize(int minSize) {
            this.minSize = Checks.atLeast("minSize", minSize, 1);
            return this;
        }

        /**
         * @param maxSize the largest size bound the controller may set, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxSize < 1}
         */
        public SinkBuilder<T, R> maxSize(int maxSize) {
            this.maxSize = Checks.atLeast("maxSize", maxSize, 1);
            return this;
        }

        /**
         * @param initialSize the size bound of the first batches, before any latency was measured, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code initialSize < 1}
         */
        public SinkBuilder<T, R> initialSize(int initialSize) {
            this.initialSize = Checks.atLeast("initialSize", initialSize, 1);
            return this;
        }

        /**
         * Replaces the default {@link LatencyTargetLimit} with another control law (e.g. {@code AimdLimit}); called
         * once per subscription, it must return a fresh controller each time.
         *
         * @param controller makes one controller per subscription
         * @return this builder
         */
        public SinkBuilder<T, R> controller(Supplier<? extends LimitController> controller) {
            this.controller = Objects.requireNonNull(controller, "controller");
            return this;
        }

        /**
         * As {@link Builder#maxWeight}. @throws IllegalArgumentException if {@code maxWeight < 1}
         *
         * @param maxWeight the largest total weight of a batch, at least 1
         * @param weigher the weight of one element; must not be negative
         * @return this builder
         */
        public SinkBuilder<T, R> maxWeight(long maxWeight, ToLongFunction<? super T> weigher) {
            this.maxWeight = Checks.atLeast("maxWeight", maxWeight, 1L);
            this.weigher = Objects.requireNonNull(weigher, "weigher");
            return this;
        }

        /**
         * @param maxWait how long a batch may wait after its first element, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public SinkBuilder<T, R> maxWait(Duration maxWait) {
            this.maxWait = Checks.requirePositive("maxWait", maxWait);
            return this;
        }

        /**
         * How many batches the sink may process at once (fixed; 1 by default). Results stay in batch order unless
         * {@link #unordered()} is set.
         *
         * @param maxInFlight batches the sink may process at once, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public SinkBuilder<T, R> maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Emit the sink's results as batches finish instead of in batch order (only matters with
         * {@link #maxInFlight(int)} above 1; the rule of every {@code maxInFlight}).
         *
         * @return this builder
         */
        public SinkBuilder<T, R> unordered() {
            this.ordered = false;
            return this;
        }

        /**
         * The scheduler of the max-wait timers; {@code Schedulers.parallel()} by default, resolved per subscription.
         *
         * @param scheduler runs the max-wait timers
         * @return this builder
         */
        public SinkBuilder<T, R> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The clock batches are timed with; {@code System.nanoTime()} by default (virtual time under {@code StepVerifier.withVirtualTime}).
         *
         * @param nanoClock a monotonic nanosecond clock
         * @return this builder
         */
        public SinkBuilder<T, R> nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value AdaptiveBatch#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public SinkBuilder<T, R> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: gauges {@code fluxgate.batch.target.size} and
         * {@code fluxgate.batch.inflight} (per subscription, removed when it ends), a distribution
         * {@code fluxgate.batch.size} and a timer {@code fluxgate.batch.latency}, all tagged {@code name}.
         * Default: no registry, no meters.
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public SinkBuilder<T, R> meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the operator: {@code Flux<T> -> Flux<R>}, the concatenation of the sink's results, in batch order.
         *
         * <p><b>Emission.</b> Elements are batched as by {@link Builder#build()}, with the size bound read from the
         * controller before each element. Each batch is passed to the sink; the time from subscribing to its
         * publisher to its termination is the batch latency, fed to the controller with the batch size (an error
         * counts as a dropped sample, then fails the stream). While one batch is in the sink the next one fills
         * (one batch is prefetched), so a slow sink does not idle the source.
         *
         * <p><b>Backpressure.</b> At most {@code maxInFlight} batches run in the sink, plus one filling; upstream
         * is pulled one batch at a time. Downstream demand for results is honoured as by {@code concatMap} /
         * {@code flatMapSequential}.
         *
         * <p><b>Cancel.</b> Cancels the running sink publishers and upstream; buffered elements are discarded
         * through {@code Operators.onDiscard} hooks.
         *
         * @param <U> the element type of the stream it is applied to (any subtype of {@code T}, so
         *     {@code AdaptiveBatch.into(batch -> ...)} with an untyped lambda fits any stream)
         * @return {@code Flux<U> -> Flux<R>}; reusable, its state is created per subscription
         * @throws IllegalArgumentException if {@code minSize > maxSize}
         */
        @SuppressWarnings("unchecked")
        public <U extends T> Function<Flux<U>, Flux<R>> build() {
            Function<Flux<T>, Flux<R>> typed = buildTyped();
            // a Flux is read-only: a Flux<U> is safely a Flux<T>, and each batch a List<T> handed to the sink
            return Described.like(typed, flux -> typed.apply((Flux<T>) (Flux<? extends T>) flux));
        }

        private Function<Flux<T>, Flux<R>> buildTyped() {
            if (controller == null && minSize > maxSize) {
                throw new IllegalArgumentException("minSize " + minSize + " > maxSize " + maxSize);
            }
            Supplier<? extends LimitController> controllers = controller != null ? controller : defaultController();
            Function<? super List<T>, ? extends Publisher<? extends R>> f = sink;
            long weight = maxWeight;
            ToLongFunction<? super T> w = weigher;
            long waitNanos = Time.saturatedNanos(maxWait);
            int inFlightMax = maxInFlight;
            Scheduler s = scheduler;
            LongSupplier clock = nanoClock;
            MeterRegistry meters = registry;
            String meterName = name;
            boolean o = ordered;
            Object[] settings = {"name", meterName, "maxInFlight", inFlightMax, "ordered", ordered,
                    "controller", controller != null ? "custom" : "LatencyTargetLimit[minSize=" + minSize + ", maxSize="
                    + maxSize + ", initialSize=" + initialSize + ", latencyTarget=" + latencyTarget + "]",
                    "maxWeight", w == null ? "none" : weight, "maxWait", maxWait, "scheduler", s != null ? s : "parallel"};
            return Described.of("AdaptiveBatch.into", flux -> Flux.defer(() -> {
                LimitController limit = Objects.requireNonNull(controllers.get(), "controller supplier returned null");
                AtomicInteger inFlight = new AtomicInteger();
                BatchMeters m = new BatchMeters(meters, meterName, limit, inFlight);
                Flux<List<T>> batches = new FluxBatch<>(flux, limit::limit, weight, w, waitNanos, s == null ? null : () -> s);
                Function<List<T>, Publisher<R>> timed = batch -> timed(batch, f, limit, inFlight, m, clock);
                Flux<R> out = inFlightMax == 1 ? batches.concatMap(timed, 1)
                        : o ? batches.flatMapSequential(timed, inFlightMax, 32) : batches.flatMap(timed, inFlightMax, 32);
                return out.doFinally(sig -> m.close());
            }), settings);
        }

        private Supplier<LimitController> defaultController() {
            LatencyTargetLimit.Builder b = LatencyTargetLimit.builder().minLimit(minSize).maxLimit(maxSize)
                    .initialLimit(initialSize).latencyTarget(latencyTarget);
            return b::build;
        }

        private static <T, R> Publisher<R> timed(List<T> batch, Function<? super List<T>, ? extends Publisher<? extends R>> sink,
                                                 LimitController limit, AtomicInteger inFlight, BatchMeters meters,
                                                 LongSupplier clock) {
            int size = batch.size();
            return Flux.defer(() -> {
                long start = clock.getAsLong();
                Publisher<? extends R> p = Objects.requireNonNull(sink.apply(batch), "sink returned a null publisher");
                inFlight.incrementAndGet();
                return Flux.<R>from(p).doFinally(sig -> {
                    inFlight.decrementAndGet();
                    if (sig == SignalType.CANCEL) {
                        return;
                    }
                    long latency = Math.max(0L, clock.getAsLong() - start);
                    // samples of concurrent batches arrive on different threads; controllers are single-threaded
                    synchronized (limit) {
                        limit.onSample(latency, size, sig == SignalType.ON_ERROR);
                    }
                    meters.record(size, latency);
                });
            });
        }
    }

}
