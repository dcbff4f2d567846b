package io.fluxgate.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fluxgate.internal.Checks;
import io.fluxgate.outcome.Outcome;
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

    /** A builder around {@code call}, with the defaults above and every non-fatal error retryable. */
    public static <T, R> Builder<T, R> builder(Function<? super T, ? extends Publisher<? extends R>> call) {
        return new Builder<>(Objects.requireNonNull(call, "call"));
    }

    /**
     * Shorthand: {@code call} retried up to {@code maxAttempts} attempts with the default backoff.
     *
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> of(int maxAttempts,
                                                      Function<? super T, ? extends Publisher<? extends R>> call) {
        return ElementRetry.<T, R>builder(call).maxAttempts(maxAttempts).build();
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder<T, R> {
        private final Function<? super T, ? extends Publisher<? extends R>> call;
        private String name = DEFAULT_NAME;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration backoff = DEFAULT_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double jitter = DEFAULT_JITTER;
        private Predicate<? super Throwable> retryOn = e -> true;
        private int concurrency = 1;
        private Scheduler scheduler;

        private Builder(Function<? super T, ? extends Publisher<? extends R>> call) {
            this.call = call;
        }

        /** Stage name put in {@link RetriesExhaustedException}. */
        public Builder<T, R> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Attempts per element, the first included ({@code 1} = no retry).
         *
         * @throws IllegalArgumentException if {@code maxAttempts < 1}
         */
        public Builder<T, R> maxAttempts(int maxAttempts) {
            this.maxAttempts = Checks.atLeast("maxAttempts", maxAttempts, 1);
            return this;
        }

        /**
         * Delay before the first retry; doubles for each further retry.
         *
         * @throws IllegalArgumentException if {@code backoff} is negative
         */
        public Builder<T, R> backoff(Duration backoff) {
            this.backoff = Checks.requireNonNegative("backoff", backoff);
            return this;
        }

        /**
         * Upper bound of a single backoff.
         *
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
         * @throws IllegalArgumentException if {@code jitter} is not in {@code [0, 1]}
         */
        public Builder<T, R> jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** Which errors are retried (default: all); others fail at once. JVM-fatal errors are never retried. */
        public Builder<T, R> retryOn(Predicate<? super Throwable> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        /**
         * Elements processed at once (default 1: ordered, upstream paused during a retry). Above 1, results are
         * emitted in completion order and other elements proceed while one waits to retry.
         *
         * @throws IllegalArgumentException if {@code concurrency < 1}
         */
        public Builder<T, R> concurrency(int concurrency) {
            this.concurrency = Checks.atLeast("concurrency", concurrency, 1);
            return this;
        }

        /** Scheduler for backoff delays (default {@code Schedulers.parallel()}, resolved when a delay starts). */
        public Builder<T, R> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The {@link Retry} spec used for one element, exposed for reuse elsewhere (e.g. a whole-stream retry).
         *
         * @throws IllegalStateException if {@code maxBackoff < backoff}
         */
        public RetryBackoffSpec retrySpec(Object element) {
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
         * The decorated call: {@code call(element)}'s first value, retried per this configuration.
         *
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
         * a failure too. The stream itself does not fail because of an element.
         *
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
