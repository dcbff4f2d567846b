package io.fluxgate.timeout;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A per-element deadline for an asynchronous call: each element's call must produce its value within
 * {@code timeout}, or the stream fails with an {@link ElementTimeoutException} naming the stage and the element
 * (Reactor's {@code Flux.timeout} measures the gap between elements of the whole stream instead, and its
 * {@code TimeoutException} does not say where).
 *
 * <pre>{@code
 * ids.transform(ElementTimeout.builder(id -> client.fetch(id)).name("fetch-user")
 *                             .timeout(Duration.ofSeconds(2)).build())
 * }</pre>
 *
 * <p>Calls run one at a time in input order (the next element is requested when the previous call finished),
 * or up to {@link Builder#concurrency(int)} at once with output still in input order. A timed-out call is
 * cancelled. For a timeout that turns into a retry or an {@code Outcome.Failure} instead of failing the stream,
 * compose {@link #call} with {@code ElementRetry} or {@code Outcomes.tryMapAsync}.
 */
public final class ElementTimeout {

    /** Default stage name. */
    public static final String DEFAULT_NAME = "element-timeout";

    private ElementTimeout() {
    }

    /**
     * A builder around {@code call}; {@link Builder#timeout(Duration)} is required.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param call the asynchronous call made for each element; only its first value is used
     * @return a builder; set at least {@link Builder#timeout(Duration)}
     */
    public static <T, R> Builder<T, R> builder(Function<? super T, ? extends Publisher<? extends R>> call) {
        return new Builder<>(Objects.requireNonNull(call, "call"));
    }

    /**
     * Shorthand: {@code call} for each element, one at a time, failing after {@code timeout}.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param name the stage name put in the exception, not blank
     * @param timeout the deadline of each call, positive
     * @param call the asynchronous call made for each element
     * @return {@code Flux<T> -> Flux<R>}: the first value of each element's call, in input order
     * @throws IllegalArgumentException if {@code timeout} is not positive or {@code name} is blank
     */
    public static <T, R> Function<Flux<T>, Flux<R>> of(String name, Duration timeout,
                                                      Function<? super T, ? extends Publisher<? extends R>> call) {
        return ElementTimeout.<T, R>builder(call).name(name).timeout(timeout).build();
    }

    /**
     * The decorated call alone, for composition: {@code element -> Mono} that fails with
     * {@link ElementTimeoutException} after {@code timeout}. The timer runs on {@code Schedulers.parallel()},
     * looked up at subscription.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param name the stage name put in the exception, not blank
     * @param timeout the deadline of the call, positive
     * @param call the asynchronous call to decorate
     * @return the decorated call: {@code element -> Mono} of the call's first value
     * @throws IllegalArgumentException if {@code timeout} is not positive or {@code name} is blank
     */
    public static <T, R> Function<T, Mono<R>> call(String name, Duration timeout,
                                                   Function<? super T, ? extends Publisher<? extends R>> call) {
        return ElementTimeout.<T, R>builder(call).name(name).timeout(timeout).decoratedCall();
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder<T, R> {
        private final Function<? super T, ? extends Publisher<? extends R>> call;
        private String name = DEFAULT_NAME;
        private Duration timeout;
        private int concurrency = 1;
        private Scheduler scheduler;

        private Builder(Function<? super T, ? extends Publisher<? extends R>> call) {
            this.call = call;
        }

        /**
         * Stage name put in the exception.
         *
         * @param name the stage name, not blank
         * @return this builder
         */
        public Builder<T, R> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Deadline for each element's call, from its subscription to its first value.
         *
         * @param timeout the deadline of each call, positive
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder<T, R> timeout(Duration timeout) {
            this.timeout = Checks.requirePositive("timeout", timeout);
            return this;
        }

        /**
         * Calls in flight at once (default 1); output stays in input order.
         *
         * @param concurrency calls in flight at once, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code concurrency < 1}
         */
        public Builder<T, R> concurrency(int concurrency) {
            this.concurrency = Checks.atLeast("concurrency", concurrency, 1);
            return this;
        }

        /**
         * Timer scheduler (default {@code Schedulers.parallel()}, resolved at subscription).
         *
         * @param scheduler runs the deadline timers
         * @return this builder
         */
        public Builder<T, R> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The decorated call: the first value of {@code call(element)}, or {@link ElementTimeoutException}.
         *
         * @return {@code element -> Mono} of the first value of {@code call(element)}, failing with {@link
         *     ElementTimeoutException} after the timeout
         * @throws IllegalStateException if no timeout was set
         */
        public Function<T, Mono<R>> decoratedCall() {
            if (timeout == null) {
                throw new IllegalStateException("timeout is required");
            }
            String n = name;
            Duration d = timeout;
            Scheduler configured = scheduler;
            Function<? super T, ? extends Publisher<? extends R>> c = call;
            // the default scheduler is looked up per call, so virtual-time tests can replace it
            return element -> Mono.defer(() -> Mono.<R>from(c.apply(element))
                    .timeout(d, Mono.error(() -> new ElementTimeoutException(n, element, d)),
                            configured != null ? configured : Schedulers.parallel()));
        }

        /**
         * Builds the transformer.
         *
         * @return {@code Flux<T> -> Flux<R>}: the first value of each element's call, in input order; reusable
         * @throws IllegalStateException if no timeout was set
         */
        public Function<Flux<T>, Flux<R>> build() {
            Function<T, Mono<R>> decorated = decoratedCall();
            int n = concurrency;
            return source -> apply(source, decorated, n);
        }

        private static <T, R> Flux<R> apply(Flux<T> source, Function<T, Mono<R>> call, int concurrency) {
            return concurrency == 1 ? source.concatMap(call, 0) : source.flatMapSequential(call, concurrency, 1);
        }
    }
}
