package io.fluxgate.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.fluxgate.outcome.Outcome;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Retries each element's asynchronous call on its own, with exponential backoff and jitter, built on
 * {@link reactor.util.retry.Retry#backoff}. Reactor's {@code retryWhen} on a whole {@code Flux} re-subscribes the
 * whole source; this stage retries only the call that failed.
 *
 * <pre>{@code
 * ids.transform(ElementRetry.builder((Long id) -> client.fetch(id))
 *         .name("fetch").maxAttempts(5).backoff(Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
 *         .retryOn(e -> e instanceof IOException).build())
 * }</pre>
 *
 * <p><b>Pausing the generator</b>: by default calls run one at a time in input order, and while an element waits
 * for its next attempt nothing more is requested from upstream, so a source that generates on demand (a cursor,
 * a file, a Kafka poll loop) pauses too. With {@link Builder#maxInFlight(int)} above 1, up to that many elements
 * are processed at once and the others keep flowing while one retries; results stay in input order (a retrying
 * element holds back the results behind it) unless {@link Builder#unordered()} is set, which emits them as they
 * complete.
 *
 * <p>An element whose attempts run out fails the stream with {@link RetriesExhaustedException} (the last failure
 * as cause); an error the predicate rejects fails it at once, unchanged. {@link Builder#buildOutcomes()} instead
 * turns both into {@link Outcome.Failure}s, so the stream continues and the element can go to a dead-letter
 * sink. Cancellation cancels the call in flight or the pending backoff.
 */
public final class ElementRetry {

    /** Default attempts per element, the first included. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default first backoff; it doubles per attempt. */
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(100);
    /** Default cap on a single backoff. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    /**
     * Default jitter factor, 0.5: see {@link Builder#jitter(double)} for the band each backoff is drawn from (the
     * first retry only waits longer, up to +50%; a capped backoff only shorter, down to -50%).
     */
    public static final double DEFAULT_JITTER = 0.5;
    /** Default stage name. */
    public static final String DEFAULT_NAME = "retry";

    private ElementRetry() {
    }

    /**
     * A builder around {@code call}, with the defaults above and every non-fatal error retryable.
     *
     * @param call makes the asynchronous call for one element; only its first value is used and it is subscribed
     *     again (a fresh call) for each attempt, so it should be lazy (e.g. a {@code WebClient} exchange, not a
     *     cached {@code Mono})
     * @param <T> the element type
     * @param <R> the result type
     * @return a new builder
     * @throws NullPointerException if {@code call} is null
     */
    public static <T, R> Builder<T, R> builder(Function<? super T, ? extends Publisher<? extends R>> call) {
        return new Builder<>(Objects.requireNonNull(call, "call"));
    }

    /**
     * A builder whose call is given last, to {@link Builder#build(Function)} or
     * {@link Builder#buildOutcomes(Function)}, so an untyped lambda takes its element type from the stream:
     * {@code ids.transform(ElementRetry.builder().maxAttempts(5).build(id -> client.fetch(id)))}.
     *
     * @return a new builder with the defaults above and no call yet
     */
    public static Builder<Object, Object> builder() {
        return new Builder<>(null);
    }

    /**
     * Shorthand: {@code call} retried up to {@code maxAttempts} attempts with the default backoff, jitter and name,
     * one element at a time in input order; see {@link Builder#build()} for emission and failure.
     *
     * @param maxAttempts attempts per element, the first included; at least 1 (1 = no retry)
     * @param call makes the asynchronous call for one element, subscribed again for each attempt
     * @param <T> the element type
     * @param <R> the result type
     * @return a reusable transformer for {@code flux.transform(...)}
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     * @throws NullPointerException if {@code call} is null
     */
    public static <T, R> Function<Flux<T>, Flux<R>> of(int maxAttempts,
                                                      Function<? super T, ? extends Publisher<? extends R>> call) {
        return ElementRetry.<T, R>builder(call).maxAttempts(maxAttempts).build();
    }

    /**
     * Configuration; setters validate and name the bad value. Not thread-safe; the transformers it builds are
     * immutable and reusable.
     *
     * @param <T> the element type
     * @param <R> the result type
     */
    public static final class Builder<T, R> {
        private final @Nullable Function<? super T, ? extends Publisher<? extends R>> call;
        private String name = DEFAULT_NAME;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration backoff = DEFAULT_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double jitter = DEFAULT_JITTER;
        private Predicate<? super Throwable> retryOn = e -> true;
        private int maxInFlight = 1;
        private boolean ordered = true;
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable Scheduler scheduler;

        private Builder(@Nullable Function<? super T, ? extends Publisher<? extends R>> call) {
            this.call = call;
        }

        private <U, V> Builder<U, V> withCall(Function<? super U, ? extends Publisher<? extends V>> call) {
            Builder<U, V> b = new Builder<>(Objects.requireNonNull(call, "call"));
            b.name = name;
            b.maxAttempts = maxAttempts;
            b.backoff = backoff;
            b.maxBackoff = maxBackoff;
            b.jitter = jitter;
            b.retryOn = retryOn;
            b.maxInFlight = maxInFlight;
            b.ordered = ordered;
            b.scheduler = scheduler;
            b.meterRegistry = meterRegistry;
            return b;
        }

        /**
         * As {@link #build()} with {@code call} given here, so an untyped lambda gets its element type from the
         * stream the transformer is applied to; this builder's call, if any, is not used.
         *
         * @param <U> the element type
         * @param <V> the result type
         * @param call makes the asynchronous call for one element, subscribed again for each attempt
         * @return a reusable transformer
         * @throws NullPointerException if {@code call} is null
         * @throws IllegalArgumentException if {@code maxBackoff < backoff}
         */
        public <U, V> Function<Flux<U>, Flux<V>> build(Function<? super U, ? extends Publisher<? extends V>> call) {
            return this.<U, V>withCall(call).build();
        }

        /**
         * As {@link #buildOutcomes()} with {@code call} given here (see {@link #build(Function)}).
         *
         * @param <U> the element type
         * @param <V> the result type
         * @param call makes the asynchronous call for one element, subscribed again for each attempt
         * @return a reusable transformer emitting exactly one outcome per element
         * @throws NullPointerException if {@code call} is null
         * @throws IllegalArgumentException if {@code maxBackoff < backoff}
         */
        public <U, V> Function<Flux<U>, Flux<Outcome<U, V>>> buildOutcomes(
                Function<? super U, ? extends Publisher<? extends V>> call) {
            return this.<U, V>withCall(call).buildOutcomes();
        }

        /**
         * Stage name put in {@link RetriesExhaustedException}, so the failure says which retry stage gave up.
         *
         * @param name non-blank; default {@value ElementRetry#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder<T, R> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Attempts per element, the first included ({@code 1} = no retry).
         *
         * @param maxAttempts at least 1; default {@value ElementRetry#DEFAULT_MAX_ATTEMPTS}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxAttempts < 1}
         */
        public Builder<T, R> maxAttempts(int maxAttempts) {
            this.maxAttempts = Checks.atLeast("maxAttempts", maxAttempts, 1);
            return this;
        }

        /**
         * Delay before the first retry; doubles for each further retry, up to {@link #maxBackoff(Duration)}.
         *
         * @param backoff zero or positive; default 100 ms ({@link ElementRetry#DEFAULT_BACKOFF})
         * @return this builder
         * @throws IllegalArgumentException if {@code backoff} is negative
         */
        public Builder<T, R> backoff(Duration backoff) {
            this.backoff = Checks.requireNonNegative("backoff", backoff);
            return this;
        }

        /**
         * Upper bound of a single backoff, so a long run of failures does not push retries out indefinitely.
         *
         * @param maxBackoff zero or positive and not below {@link #backoff(Duration)} (checked when building);
         *     default 10 s ({@link ElementRetry#DEFAULT_MAX_BACKOFF})
         * @return this builder
         * @throws IllegalArgumentException if {@code maxBackoff} is negative
         */
        public Builder<T, R> maxBackoff(Duration maxBackoff) {
            this.maxBackoff = Checks.requireNonNegative("maxBackoff", maxBackoff);
            return this;
        }

        /**
         * Random spread of each backoff as a fraction of it, so that many elements failing together do not retry
         * in lock-step; {@code 0} disables jitter. This is Reactor's {@code Retry.backoff(...).jitter(j)}: retry
         * {@code n} (from 0) has a nominal backoff {@code b = min(backoff * 2^n, maxBackoff)} and waits a uniformly
         * random {@code b + d}, drawn in whole milliseconds, with {@code d} in {@code [-j*b, j*b)} but never taking
         * the wait below {@link #backoff(Duration)} or above {@link #maxBackoff(Duration)}. Hence the first retry
         * only ever waits longer ({@code [backoff, backoff * (1 + j))}), a retry whose nominal backoff is capped
         * only ever waits shorter ({@code [maxBackoff * (1 - j), maxBackoff)}), and the ones between vary both
         * ways. It is not a symmetric ±j on every retry.
         *
         * @param jitter the fraction {@code j}, in {@code [0, 1]}; default {@value ElementRetry#DEFAULT_JITTER}
         * @return this builder
         * @throws IllegalArgumentException if {@code jitter} is not in {@code [0, 1]}
         */
        public Builder<T, R> jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * Which errors are retried (default: all); others fail at once, unchanged (or become a failure
         * {@link Outcome} with {@link #buildOutcomes()}). JVM-fatal errors are never retried.
         *
         * @param retryOn true for an error worth another attempt (e.g. an {@code IOException}, not a validation
         *     error that would fail again)
         * @return this builder
         * @throws NullPointerException if {@code retryOn} is null
         */
        public Builder<T, R> retryOn(Predicate<? super Throwable> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        /**
         * Elements processed at once (default 1: upstream paused during a retry). Above 1, other elements proceed
         * while one waits to retry; results stay in input order unless {@link #unordered()} is set (the rule of
         * every {@code maxInFlight}).
         *
         * @param maxInFlight at least 1; default 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public Builder<T, R> maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Emit results as their calls complete instead of in input order (only matters with
         * {@link #maxInFlight(int)} above 1), so a retrying element holds back nothing.
         *
         * @return this builder
         */
        public Builder<T, R> unordered() {
            this.ordered = false;
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.retry.retries} (counter: retries scheduled, the
         * first attempt not counted) and {@code fluxgate.retry.exhausted} (counter: elements whose attempts ran
         * out), tagged {@code name}. Default: no registry, no meters.
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
         * Scheduler for backoff delays (default {@code Schedulers.parallel()}, resolved when a delay starts); tests
         * pass a virtual-time scheduler here or rely on {@code StepVerifier.withVirtualTime} replacing the default.
         *
         * @param scheduler the scheduler the delays run on; the retried call is re-subscribed on it
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder<T, R> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The {@link Retry} spec used for one element, exposed for reuse elsewhere (e.g. a whole-stream retry).
         *
         * @param element the element named in the {@link RetriesExhaustedException} the spec throws when the
         *     attempts run out; may be null when there is no single element (e.g. a whole-stream retry)
         * @return a new spec: {@code maxAttempts - 1} retries with this backoff, jitter, predicate and scheduler
         * @throws IllegalArgumentException if {@code maxBackoff < backoff}
         */
        public RetryBackoffSpec retrySpec(@Nullable Object element) {
            return retrySpec(element, StageMeters.NONE.counter("", ""), StageMeters.NONE.counter("", ""));
        }

        private RetryBackoffSpec retrySpec(@Nullable Object element, Runnable retried, Runnable exhausted) {
            if (maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") must be >= backoff (" + backoff + ")");
            }
            Predicate<? super Throwable> p = retryOn;
            String n = name;
            RetryBackoffSpec spec = Retry.backoff(maxAttempts - 1L, backoff)
                    .maxBackoff(maxBackoff)
                    .jitter(jitter)
                    .filter(e -> !Exceptions.isJvmFatal(e) && p.test(e))
                    .doBeforeRetry(signal -> retried.run())
                    .onRetryExhaustedThrow((s, signal) -> {
                        exhausted.run();
                        return new RetriesExhaustedException(n, element, signal.totalRetries() + 1, signal.failure());
                    });
            return scheduler != null ? spec.scheduler(scheduler) : spec;
        }

        private StageMeters meters() {
            return meterRegistry == null ? StageMeters.NONE : MicrometerStageMeters.of(meterRegistry, "retry", name);
        }

        private Object[] settings() {
            return new Object[] {"name", name, "maxAttempts", maxAttempts, "backoff", backoff, "maxBackoff", maxBackoff,
                    "jitter", jitter, "maxInFlight", maxInFlight, "ordered", ordered,
                    "scheduler", scheduler != null ? scheduler : "parallel"};
        }

        /**
         * The decorated call: {@code call(element)}'s first value, retried per this configuration. Each
         * subscription to the returned {@code Mono} makes its own attempts; cancelling it cancels the call in
         * flight or the pending backoff.
         *
         * @return a function from an element to a {@code Mono} of its result: empty if the call completes without
         *     a value, an error ({@link RetriesExhaustedException}, or a non-retryable error unchanged) if it fails
         * @throws IllegalArgumentException if {@code maxBackoff < backoff}, or the builder has no call
         */
        public Function<T, Mono<R>> decoratedCall() {
            return decoratedCall(meters());
        }

        private Function<T, Mono<R>> decoratedCall(StageMeters m) {
            retrySpec(null); // validate now rather than on the first failure
            Runnable retried = m.counter("retries", "retries scheduled (first attempts not counted)");
            Runnable exhausted = m.counter("exhausted", "elements whose attempts ran out");
            Function<? super T, ? extends Publisher<? extends R>> c = call;
            if (c == null) {
                throw new IllegalArgumentException("no call: use build(call), buildOutcomes(call) or builder(call)");
            }
            return Described.of("ElementRetry.call", element -> Mono.<R>defer(() -> Mono.from(c.apply(element)))
                    .retryWhen(retrySpec(element, retried, exhausted)), settings());
        }

        /**
         * Builds the transformer; a final failure fails the stream.
         *
         * <p>Emission: one result per element whose call emits a value (an element whose call completes empty
         * emits nothing), in input order (in completion order with {@link #unordered()}). Backpressure: with
         * maxInFlight 1 one element is requested at a time, so upstream is paused while an element retries; above
         * 1, up to {@code maxInFlight} elements are requested ahead. Cancel: cancels upstream, the calls in flight
         * and pending backoffs. Errors: {@link RetriesExhaustedException} or a non-retryable error, after which
         * elements in flight are cancelled.
         *
         * @param <U> the element type of the stream it is applied to (any subtype of {@code T}, so a builder made
         *     with an untyped lambda over {@code Object} fits any stream)
         * @return a reusable transformer; its per-subscription state is created at subscribe time
         * @throws IllegalArgumentException if {@code maxBackoff < backoff}, or the builder has no call
         */
        public <U extends T> Function<Flux<U>, Flux<R>> build() {
            Function<T, Mono<R>> decorated = decoratedCall(meters());
            return Described.of("ElementRetry", source -> inFlight(source, decorated), settings());
        }

        private <U, O> Flux<O> inFlight(Flux<U> source, Function<? super U, Mono<O>> f) {
            int n = maxInFlight;
            return n == 1 ? source.concatMap(f, 0) : ordered ? source.flatMapSequential(f, n, 1) : source.flatMap(f, n, 1);
        }

        /**
         * Builds a transformer emitting one {@link Outcome} per element: the value, or a failure carrying the
         * element and the {@link RetriesExhaustedException} (or the non-retryable error). An empty call result is
         * a failure too. The stream itself does not fail because of an element; an upstream error still fails it.
         * Order, demand and cancellation are as in {@link #build()}.
         *
         * @param <U> the element type of the stream it is applied to (any subtype of {@code T})
         * @return a reusable transformer emitting exactly one outcome per element
         * @throws IllegalArgumentException if {@code maxBackoff < backoff}, or the builder has no call
         */
        public <U extends T> Function<Flux<U>, Flux<Outcome<U, R>>> buildOutcomes() {
            Function<T, Mono<R>> decorated = decoratedCall(meters());
            Function<U, Mono<Outcome<U, R>>> toOutcome = element -> decorated.apply(element)
                    .map(v -> Outcome.<U, R>success(element, v))
                    .switchIfEmpty(Mono.fromSupplier(() -> Outcome.failure(element,
                            new java.util.NoSuchElementException("call returned no value for " + element))))
                    .onErrorResume(e -> !Exceptions.isJvmFatal(e), e -> Mono.just(Outcome.failure(element, e)));
            return Described.of("ElementRetry.outcomes", source -> inFlight(source, toOutcome), settings());
        }
    }
}
