package io.fluxgate.workers;

import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.fluxgate.control.Gradient2Limit;
import io.fluxgate.control.LimitController;
import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import io.fluxgate.internal.Time;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

/**
 * {@code n} concurrent asynchronous calls per element, with a fixed or an adaptive {@code n}.
 *
 * <p>The fixed forms are Reactor's {@code flatMapSequential}/{@code flatMap} with the concurrency as the only
 * knob and upstream prefetch equal to it (so at most {@code n} elements are taken ahead), named for what they do
 * in a pipeline.
 *
 * <p>The {@linkplain #adaptive adaptive} form changes {@code n} while it runs: a {@link LimitController} from
 * {@code io.fluxgate.control} (the same family the adaptive batcher uses; default {@link Gradient2Limit}) is fed
 * each call's latency and the number of calls in flight when it started, and only {@code limit()} calls run at
 * once. When the service behind the calls slows down (queueing), the limit shrinks; when it keeps up, it grows.
 *
 * <pre>{@code
 * ids.transform(Workers.ordered(8, id -> client.fetch(id)))
 * ids.transform(Workers.builder().name("fetch").maxInFlight(8).unordered().build(id -> client.fetch(id)))
 * ids.transform(Workers.adaptive().name("fetch").build(id -> client.fetch(id)))   // unordered, n from latency
 * }</pre>
 *
 * <p>The call is passed last, to {@code build(call)}, so an untyped lambda gets its element type from the
 * stream it is applied to. {@code maxInFlight} follows the rule of every operator: output in input order unless
 * {@code unordered()} is chosen. With a {@code MeterRegistry}: {@code fluxgate.workers.calls} (timer: each call,
 * subscription to termination), {@code fluxgate.workers.inflight} (gauge: calls running in all subscriptions) and,
 * adaptive only, {@code fluxgate.workers.limit} (gauge: the controller's last limit), tagged {@code name}.
 */
public final class Workers {

    /** Default stage name. */
    public static final String DEFAULT_NAME = "workers";

    private Workers() {
    }

    /**
     * Up to {@code maxInFlight} calls at once; results in input order (a slow call holds back the results behind
     * it, at most {@code maxInFlight} of them). Errors fail the stream; cancellation cancels the calls in flight.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param maxInFlight calls in flight at most, at least 1; also the upstream prefetch
     * @param call the asynchronous call made for each element
     * @return {@code Flux<T> -> Flux<R>}: every call's results, in input order
     * @throws IllegalArgumentException if {@code maxInFlight < 1}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> ordered(int maxInFlight,
                                                           Function<? super T, ? extends Publisher<? extends R>> call) {
        return builder().maxInFlight(maxInFlight).build(call);
    }

    /**
     * Up to {@code maxInFlight} calls at once; results as they complete. Errors fail the stream; cancellation
     * cancels the calls in flight.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param maxInFlight calls in flight at most, at least 1; also the upstream prefetch
     * @param call the asynchronous call made for each element
     * @return {@code Flux<T> -> Flux<R>}: every call's results, as they come
     * @throws IllegalArgumentException if {@code maxInFlight < 1}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> unordered(int maxInFlight,
                                                             Function<? super T, ? extends Publisher<? extends R>> call) {
        return builder().maxInFlight(maxInFlight).unordered().build(call);
    }

    /**
     * A builder for a fixed number of calls in flight: named {@value #DEFAULT_NAME}, 1 in flight, ordered.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for adaptive concurrency; results are emitted as they complete.
     *
     * @return a builder with {@code Gradient2Limit} as the default controller
     */
    public static AdaptiveBuilder adaptive() {
        return new AdaptiveBuilder();
    }

    /** A call timed and counted in flight, for the meters. */
    private static <T, R> Function<T, Flux<R>> metered(Function<? super T, ? extends Publisher<? extends R>> call,
                                                      LongConsumer timer, AtomicInteger inFlight, LongSupplier clock) {
        return v -> Flux.defer(() -> {
            long start = clock.getAsLong();
            inFlight.incrementAndGet();
            return Flux.<R>from(call.apply(v)).doFinally(s -> {
                inFlight.decrementAndGet();
                timer.accept(clock.getAsLong() - start);
            });
        });
    }

    /** Configuration of a fixed number of calls in flight; setters validate and name the bad value. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private int maxInFlight = 1;
        private boolean ordered = true;
        private @Nullable MeterRegistry meterRegistry;

        private Builder() {
        }

        /**
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value Workers#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Calls in flight at most, also the upstream prefetch (default 1).
         *
         * @param maxInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Emit results as calls complete instead of in input order.
         *
         * @return this builder
         */
        public Builder unordered() {
            this.ordered = false;
            return this;
        }

        /**
         * Records the meters listed in the class comment. Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the transformer: {@code flatMapSequential} (ordered) or {@code flatMap} (unordered) with
         * {@code maxInFlight} as concurrency and prefetch 1. Errors fail the stream; cancellation cancels the calls
         * in flight.
         *
         * @param <T> the element type
         * @param <R> the call's result type
         * @param call the asynchronous call made for each element
         * @return {@code Flux<T> -> Flux<R>}, reusable
         * @throws NullPointerException if {@code call} is null
         */
        public <T, R> Function<Flux<T>, Flux<R>> build(Function<? super T, ? extends Publisher<? extends R>> call) {
            Objects.requireNonNull(call, "call");
            int n = maxInFlight;
            Function<? super T, ? extends Publisher<? extends R>> f = call;
            if (meterRegistry != null) {
                StageMeters m = MicrometerStageMeters.of(meterRegistry, "workers", name);
                AtomicInteger inFlight = new AtomicInteger();
                m.gauge("inflight", "calls running", inFlight::get);
                f = metered(call, m.timer("calls", "each call, subscription to termination"), inFlight,
                        Time.defaultNanoClock());
            }
            Function<? super T, ? extends Publisher<? extends R>> g = f;
            Object[] settings = {"name", name, "maxInFlight", n, "ordered", ordered};
            return ordered
                    ? Described.of("Workers", source -> source.flatMapSequential(g, n, 1), settings)
                    : Described.of("Workers", source -> source.flatMap(g, n, 1), settings);
        }
    }

    /** Configuration of adaptive concurrency. */
    public static final class AdaptiveBuilder {
        private String name = DEFAULT_NAME;
        private Supplier<? extends LimitController> controller = Gradient2Limit::ofDefaults;
        private Predicate<? super Throwable> overload = e -> e instanceof TimeoutException;
        private @Nullable LongSupplier nanoClock;
        private @Nullable IntConsumer onLimit;
        private @Nullable MeterRegistry meterRegistry;

        private AdaptiveBuilder() {
        }

        /**
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value Workers#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public AdaptiveBuilder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Creates the controller for each subscription (controllers are stateful, one per stream). Default:
         * {@code Gradient2Limit::ofDefaults}.
         *
         * @param controller makes a fresh controller per subscription
         * @return this builder
         * @throws NullPointerException if {@code controller} is null
         */
        public AdaptiveBuilder controller(Supplier<? extends LimitController> controller) {
            this.controller = Objects.requireNonNull(controller, "controller");
            return this;
        }

        /**
         * Errors that signal overload (reported to the controller as drops, which shrink the limit). Default:
         * {@link TimeoutException}s, which includes {@code ElementTimeoutException}. The error still fails the
         * stream; wrap the call (retry, {@code Outcomes.tryMapAsync}) to keep going.
         *
         * @param overload tells which call errors mean overload
         * @return this builder
         * @throws NullPointerException if {@code overload} is null
         */
        public AdaptiveBuilder overloadOn(Predicate<? super Throwable> overload) {
            this.overload = Objects.requireNonNull(overload, "overload");
            return this;
        }

        /**
         * Clock for call latencies (default {@code System.nanoTime()}, virtual time under
         * {@code StepVerifier.withVirtualTime}).
         *
         * @param nanoClock a monotonic nanosecond clock
         * @return this builder
         * @throws NullPointerException if {@code nanoClock} is null
         */
        public AdaptiveBuilder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Told the limit after every change, e.g. to export it as a gauge.
         *
         * @param onLimit receives each new limit; called on the thread that fed the sample, must be quick
         * @return this builder
         * @throws NullPointerException if {@code onLimit} is null
         */
        public AdaptiveBuilder onLimitChange(IntConsumer onLimit) {
            this.onLimit = Objects.requireNonNull(onLimit, "onLimit");
            return this;
        }

        /**
         * Records the meters listed in the class comment. Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public AdaptiveBuilder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the transformer. At most the controller's {@code maxLimit()} elements are taken from upstream
         * ahead of a free slot; only {@code limit()} calls run at once; results are emitted as they complete.
         * Cancellation cancels calls in flight and elements waiting for a slot.
         *
         * @param <T> the element type
         * @param <R> the call's result type
         * @param call the asynchronous call made for each element
         * @return {@code Flux<T> -> Flux<R>}; reusable, the controller and slots are created per subscription
         * @throws NullPointerException if {@code call} is null
         */
        public <T, R> Function<Flux<T>, Flux<R>> build(Function<? super T, ? extends Publisher<? extends R>> call) {
            Objects.requireNonNull(call, "call");
            Supplier<? extends LimitController> c = controller;
            Predicate<? super Throwable> o = overload;
            LongSupplier configured = nanoClock;
            IntConsumer userListener = onLimit;
            Function<? super T, ? extends Publisher<? extends R>> f = call;
            IntConsumer listener = userListener;
            IntConsumer startLimit = l -> { };
            if (meterRegistry != null) {
                StageMeters m = MicrometerStageMeters.of(meterRegistry, "workers", name);
                AtomicInteger inFlight = new AtomicInteger();
                AtomicInteger lastLimit = new AtomicInteger();
                m.gauge("inflight", "calls running", inFlight::get);
                m.gauge("limit", "the controller's last limit", lastLimit::get);
                f = metered(call, m.timer("calls", "each call, subscription to termination"), inFlight,
                        configured != null ? configured : Time.defaultNanoClock());
                startLimit = lastLimit::set;
                listener = userListener == null ? lastLimit::set : l -> {
                    lastLimit.set(l);
                    userListener.accept(l);
                };
            }
            Function<? super T, ? extends Publisher<? extends R>> g = f;
            IntConsumer onChange = listener;
            IntConsumer onStart = startLimit;
            return Described.of("Workers.adaptive", source -> Flux.defer(() -> {
                LimitController limit = Objects.requireNonNull(c.get(), "controller supplier returned null");
                onStart.accept(limit.limit());
                LongSupplier clock = configured != null ? configured : Time.defaultNanoClock();
                AdaptiveSemaphore slots = new AdaptiveSemaphore(limit, onChange);
                return source.flatMap(v -> slots.acquire().flatMapMany(load -> {
                    long start = clock.getAsLong();
                    Throwable[] failure = new Throwable[1];
                    return Flux.<R>from(g.apply(v))
                            .doOnError(e -> failure[0] = e)
                            .doFinally(signal -> {
                                if (signal == SignalType.CANCEL) {
                                    slots.release();
                                } else {
                                    slots.release(clock.getAsLong() - start, load,
                                            failure[0] != null && o.test(failure[0]));
                                }
                            });
                }), limit.maxLimit(), 1);
            }), "name", name, "ordered", false);
        }
    }
}
