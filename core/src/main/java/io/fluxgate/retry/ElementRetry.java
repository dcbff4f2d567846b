package io.fluxgate.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fluxgate.internal.Checks;
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
 * a file, a Kafka poll loop) pauses too. With {@link Builder#concurrency(int)} above 1, up to that many elements
 * are processed at once and results are emitted as they complete (unordered); the others keep flowing while one
 * retries.
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
        private final Function<? super T, ? extends Publisher<? extends R>> call;
        private String name = DEFAULT_NAME;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration backoff = DEFAULT_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double jitter = DEFAULT_JITTER;
        private Predicate<? super Throwable> retryOn = e -> true;
        private int concurrency = 1;
        private @Nullable Scheduler scheduler;

        private Builder(Function<? super T, ? extends Publisher<? extends R>> call) {
            this.call = call;
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
         * Elements processed at once (default 1: ordered, upstream paused during a retry). Above 1, results are
         * emitted in completion order and other elements proceed while one waits to retry.
         *
         * @param concurrency at least 1; default 1
         * @return this builder
         * @throws IllegalArgumentException if {@code concurrency < 1}
         */
        public Builder<T, R> concurrency(int concurrency) {
            this.concurrency = Checks.atLeast("concurrency", concurrency, 1);
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
         * @throws IllegalStateException if {@code maxBackoff < backoff}
         */
        public RetryBackoffSpec retrySpec(@Nullable Object element) {
            if (maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalStateException("maxBackoff (" + maxBackoff + ") must be >= backoff (" + backoff + ")");
            }
            Predicate<? super Throwable> p = retryOn;
            String n = name;
            RetryBackoffSpec spec = Retry.backoff(maxAttempts - 1L, backoff)
                    .maxBackoff(maxBackoff)
                    .jitter(jitter)
                    .filter(e -> !Exceptions.isJvmFatal(e) && p.test(e))
                    .onRetryExhaustedThrow((s, signal) ->
                            new RetriesExhaustedException(n, element, signal.totalRetries() + 1, signal.failure()));
            return scheduler != null ? spec.scheduler(scheduler) : spec;
        }

        /**
         * The decorated call: {@code call(element)}'s first value, retried per this configuration. Each
         * subscription to the returned {@code Mono} makes its own attempts; cancelling it cancels the call in
         * flight or the pending backoff.
         *
         * @return a function from an element to a {@code Mono} of its result: empty if the call completes without
         *     a value, an error ({@link RetriesExhaustedException}, or a non-retryable error unchanged) if it fails
         * @throws IllegalStateException if {@code maxBackoff < backoff}
         */
        public Function<T, Mono<R>> decoratedCall() {
            retrySpec(null); // validate now rather than on the first failure
            Function<? super T, ? extends Publisher<? extends R>> c = call;
            return element -> Mono.<R>defer(() -> Mono.from(c.apply(element))).retryWhen(retrySpec(element));
        }

        /**
         * Builds the transformer; a final failure fails the stream.
         *
         * <p>Emission: one result per element whose call emits a value (an element whose call completes empty
         * emits nothing), in input order with concurrency 1, else in completion order. Backpressure: with
         * concurrency 1 one element is requested at a time, so upstream is paused while an element retries; above
         * 1, up to {@code concurrency} elements are requested ahead. Cancel: cancels upstream, the calls in flight
         * and pending backoffs. Errors: {@link RetriesExhaustedException} or a non-retryable error, after which
         * elements in flight are cancelled.
         *
         * @return a reusable transformer; its per-subscription state is created at subscribe time
         * @throws IllegalStateException if {@code maxBackoff < backoff}
         */
        public Function<Flux<T>, Flux<R>> build() {
            Function<T, Mono<R>> decorated = decoratedCall();
            int n = concurrency;
            return source -> n == 1 ? source.concatMap(decorated, 0) : source.flatMap(decorated, n, 1);
        }

        /**
         * Builds a transformer emitting one {@link Outcome} per element: the value, or a failure carrying the
         * element and the {@link RetriesExhaustedException} (or the non-retryable error). An empty call result is
         * a failure too. The stream itself does not fail because of an element; an upstream error still fails it.
         * Order, demand and cancellation are as in {@link #build()}.
         *
         * @return a reusable transformer emitting exactly one outcome per element
         * @throws IllegalStateException if {@code maxBackoff < backoff}
         */
        public Function<Flux<T>, Flux<Outcome<T, R>>> buildOutcomes() {
            Function<T, Mono<R>> decorated = decoratedCall();
            int n = concurrency;
            Function<T, Mono<Outcome<T, R>>> toOutcome = element -> decorated.apply(element)
                    .map(v -> Outcome.<T, R>success(element, v))
                    .switchIfEmpty(Mono.fromSupplier(() -> Outcome.failure(element,
                            new java.util.NoSuchElementException("call returned no value for " + element))))
                    .onErrorResume(e -> !Exceptions.isJvmFatal(e), e -> Mono.just(Outcome.failure(element, e)));
            return source -> n == 1 ? source.concatMap(toOutcome, 0) : source.flatMap(toOutcome, n, 1);
        }
    }
}
