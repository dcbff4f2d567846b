package io.fluxgate.timeout;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.fluxgate.internal.Time;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

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
 * or up to {@link Builder#maxInFlight(int)} at once with output still in input order (or as they complete with
 * {@link Builder#unordered()}). A timed-out call is
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
     * Shorthand: {@code call} for each element, one at a time, failing after {@code timeout}; the stage is named
     * {@value #DEFAULT_NAME} (name it with {@code builder(call).name(...)}).
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param timeout the deadline of each call, positive
     * @param call the asynchronous call made for each element
     * @return {@code Flux<T> -> Flux<R>}: the first value of each element's call, in input order
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public static <T, R> Function<Flux<T>, Flux<R>> of(Duration timeout,
                                                      Function<? super T, ? extends Publisher<? extends R>> call) {
        return ElementTimeout.<T, R>builder(call).timeout(timeout).build();
    }

    /**
     * The decorated call alone, for composition: {@code element -> Mono} that fails with
     * {@link ElementTimeoutException} after {@code timeout}. The timer runs on {@code Schedulers.parallel()},
     * looked up at subscription.
     *
     * @param <T> the element type
     * @param <R> the call's result type
     * @param timeout the deadline of the call, positive
     * @param call the asynchronous call to decorate
     * @return the decorated call: {@code element -> Mono} of the call's first value
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public static <T, R> Function<T, Mono<R>> call(Duration timeout,
                                                   Function<? super T, ? extends Publisher<? extends R>> call) {
        return ElementTimeout.<T, R>builder(call).timeout(timeout).decoratedCall();
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder<T, R> {
        private final Function<? super T, ? extends Publisher<? extends R>> call;
        private String name = DEFAULT_NAME;
        private @Nullable Duration timeout;
        private int maxInFlight = 1;
        private boolean ordered = true;
        private @Nullable Scheduler scheduler;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(Function<? super T, ? extends Publisher<? extends R>> call) {
            this.call = call;
        }

        /**
         * Stage name put in the exception, meter tags and {@code toString()}.
         *
         * @param name the stage name, not blank; default {@value ElementTimeout#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank
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
         * Calls in flight at once (default 1); output stays in input order unless {@link #unordered()} is set (the
         * rule of every {@code maxInFlight}).
         *
         * @param maxInFlight calls in flight at once, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public Builder<T, R> maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Emit results as calls complete instead of in input order (only matters with {@link #maxInFlight(int)}
         * above 1).
         *
         * @return this builder
         */
        public Builder<T, R> unordered() {
            this.ordered = false;
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.timeout.timeouts} (counter: calls that timed out) and
         * {@code fluxgate.timeout.calls} (timer: time to a call's first value or error), tagged {@code name}.
         * Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T, R> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Timer scheduler (default {@code Schedulers.parallel()}, resolved at subscription).
         *
         * @param scheduler runs the deadline timers
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
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
         * @throws IllegalArgumentException if no timeout was set
         */
        public Function<T, Mono<R>> decoratedCall() {
            Duration d = timeout;
            if (d == null) {
                throw new IllegalArgumentException("timeout is required, was not set");
            }
            String n = name;
            Scheduler configured = scheduler;
            Function<? super T, ? extends Publisher<? extends R>> c = call;
            StageMeters m = meterRegistry == null ? StageMeters.NONE
                    : MicrometerStageMeters.of(meterRegistry, "timeout", n);
            Runnable timedOut = m.counter("timeouts", "calls that timed out");
            LongConsumer calls = m.timer("calls", "time to a call's first value or error");
            LongSupplier clock = Time.nanoClockOf(configured);
            // the default scheduler is looked up per call, so virtual-time tests can replace it
            return Described.of("ElementTimeout.call", element -> Mono.defer(() -> {
                long start = clock.getAsLong();
                return Mono.<R>from(c.apply(element))
                        .timeout(d, Mono.error(() -> {
                            timedOut.run();
                            return new ElementTimeoutException(n, element, d);
                        }), Time.schedulerOr(configured))
                        .doFinally(signal -> calls.accept(clock.getAsLong() - start));
            }), settings());
        }

        private Object[] settings() {
            return new Object[] {"name", name, "timeout", timeout, "maxInFlight", maxInFlight, "ordered", ordered,
                    "scheduler", scheduler != null ? scheduler : "parallel"};
        }

        /**
         * Builds the transformer.
         *
         * @return {@code Flux<T> -> Flux<R>}: the first value of each element's call, in input order; reusable
         * @throws IllegalArgumentException if no timeout was set
         */
        public Function<Flux<T>, Flux<R>> build() {
            Function<T, Mono<R>> decorated = decoratedCall();
            int n = maxInFlight;
            boolean o = ordered;
            return Described.of("ElementTimeout", source -> n == 1 ? source.concatMap(decorated, 0)
                    : o ? source.flatMapSequential(decorated, n, 1) : source.flatMap(decorated, n, 1), settings());
        }
    }
}
