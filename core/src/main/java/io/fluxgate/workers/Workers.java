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
import io.fluxgate.flow.Clocks;
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
 * ids.transform(Workers.adaptive(id -> client.fetch(id)).build())    // unordered, n from observed latency
 * }</pre>
 */
public final class Workers {

    private Workers() {
    }

    /**
     * Up to {@code n} calls at once; results in input order (a slow call holds back the results behind it, at
     * most {@code n} of them). Errors fail the stream; cancellation cancels the calls in flight.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param n calls in flight at most, at least 1; also the upstream prefetch
     * @param call the asynchronous call made for each element
     * @return {@code Flux<T> -> Flux<R>}: every call's results, in input order
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> ordered(int n,
                                                           Function<? super T, ? extends Publisher<? extends R>> call) {
        checkConcurrency(n);
        Objects.requireNonNull(call, "call");
        return source -> source.flatMapSequential(call, n, 1);
    }

    /**
     * Up to {@code n} calls at once; results as they complete. Errors fail the stream; cancellation cancels the
     * calls in flight.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param n calls in flight at most, at least 1; also the upstream prefetch
     * @param call the asynchronous call made for each element
     * @return {@code Flux<T> -> Flux<R>}: every call's results, as they come
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> unordered(int n,
                                                             Function<? super T, ? extends Publisher<? extends R>> call) {
        checkConcurrency(n);
        Objects.requireNonNull(call, "call");
        return source -> source.flatMap(call, n, 1);
    }

    /**
     * A builder for adaptive concurrency around {@code call}; results are emitted as they complete.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param call the asynchronous call made for each element
     * @return a builder with {@code Gradient2Limit} as the default controller
     */
    public static <T, R> AdaptiveBuilder<T, R> adaptive(Function<? super T, ? extends Publisher<? extends R>> call) {
        return new AdaptiveBuilder<>(Objects.requireNonNull(call, "call"));
    }

    private static void checkConcurrency(int n) {
        Checks.atLeast("concurrency", n, 1);
    }

    /** Configuration of adaptive concurrency. */
    public static final class AdaptiveBuilder<T, R> {
        private final Function<? super T, ? extends Publisher<? extends R>> call;
        private Supplier<? extends LimitController> controller = Gradient2Limit::ofDefaults;
        private Predicate<? super Throwable> overload = e -> e instanceof TimeoutException;
        private LongSupplier nanoClock;
        private IntConsumer onLimit;

        private AdaptiveBuilder(Function<? super T, ? extends Publisher<? extends R>> call) {
            this.call = call;
        }

        /**
         * Creates the controller for each subscription (controllers are stateful, one per stream). Default:
         * {@code Gradient2Limit::ofDefaults}.
         *
         * @param controller makes a fresh controller per subscription
         * @return this builder
         */
        public AdaptiveBuilder<T, R> controller(Supplier<? extends LimitController> controller) {
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
         */
        public AdaptiveBuilder<T, R> overloadOn(Predicate<? super Throwable> overload) {
            this.overload = Objects.requireNonNull(overload, "overload");
            return this;
        }

        /**
         * Clock for call latencies (default {@link Clocks#defaultNanoClock()}).
         *
         * @param nanoClock a monotonic nanosecond clock
         * @return this builder
         */
        public AdaptiveBuilder<T, R> nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Told the limit after every change, e.g. to export it as a gauge.
         *
         * @param onLimit receives each new limit; called on the thread that fed the sample, must be quick
         * @return this builder
         */
        public AdaptiveBuilder<T, R> onLimitChange(IntConsumer onLimit) {
            this.onLimit = Objects.requireNonNull(onLimit, "onLimit");
            return this;
        }

        /**
         * Builds the transformer. At most the controller's {@code maxLimit()} elements are taken from upstream
         * ahead of a free slot; only {@code limit()} calls run at once. Cancellation cancels calls in flight and
         * elements waiting for a slot.
         *
         * @return {@code Flux<T> -> Flux<R>}; reusable, the controller and slots are created per subscription
         */
        public Function<Flux<T>, Flux<R>> build() {
            Supplier<? extends LimitController> c = controller;
            Predicate<? super Throwable> o = overload;
            LongSupplier configured = nanoClock;
            IntConsumer listener = onLimit;
            Function<? super T, ? extends Publisher<? extends R>> f = call;
            return source -> Flux.defer(() -> {
                LimitController limit = Objects.requireNonNull(c.get(), "controller supplier returned null");
                LongSupplier clock = configured != null ? configured : Clocks.defaultNanoClock();
                AdaptiveSemaphore slots = new AdaptiveSemaphore(limit, listener);
                return source.flatMap(v -> slots.acquire().flatMapMany(load -> {
                    long start = clock.getAsLong();
                    Throwable[] failure = new Throwable[1];
                    return Flux.<R>from(f.apply(v))
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
            });
        }
    }
}
