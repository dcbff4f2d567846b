package io.fluxgate.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Rate-limit stage over a {@link RateLimiter}.
 *
 * <p><b>Shaping</b> (default): every element takes one permit and is delayed until the permit is due; nothing is
 * dropped. Elements stay in order; one element at a time is held (upstream is asked for the next only when the
 * held one has been emitted), so a rate-limited stage never buffers more than one element, and the slowdown
 * propagates upstream as backpressure.
 *
 * <p><b>Enforcing</b>: an element arriving while no permit is available fails the stream with
 * {@link RateLimitExceededException} naming the stage (use it to assert that a producer respects a contract).
 *
 * <p><b>Bounded wait</b> ({@link Builder#maxWait(Duration)}, Resilience4j's {@code timeoutDuration}): an element
 * waits for its permit at most this long; one whose permit is due later takes no permit and fails the stream with
 * {@link RateLimitExceededException}. Shaping waits without limit by default (nothing is dropped), enforcing waits
 * zero by default; {@code enforcing().maxWait(d)} tolerates jitter of up to {@code d}. Resilience4j waits up to
 * 5 s by default in both cases; we keep shaping unbounded because its contract is to slow the producer down, and
 * the wait propagates upstream as backpressure instead of holding a thread.
 *
 * <pre>{@code
 * RateLimiter api = RateLimiter.builder().permits(50).per(Duration.ofSeconds(1)).burst(10).build();
 * requests.transform(RateLimit.shaping(api))          // share `api` between streams to cap their sum
 * }</pre>
 *
 * <p>Cancelling while an element waits cancels the wait and discards the element; its permit stays spent.
 */
public final class RateLimit {

    /** Default stage name. */
    public static final String DEFAULT_NAME = "rate-limit";

    private RateLimit() {
    }

    /**
     * Delays elements to the limiter's rate (never drops), waiting as long as needed; see the class comment for
     * emission, backpressure and cancel.
     *
     * @param limiter the token bucket; share one instance between stages to cap their combined rate
     * @param <T> the element type
     * @return a reusable transformer
     * @throws NullPointerException if {@code limiter} is null
     */
    public static <T> Function<Flux<T>, Flux<T>> shaping(RateLimiter limiter) {
        return builder(limiter).build();
    }

    /**
     * Shaping stage with its own limiter of {@code permits} per {@code period}, evenly spaced; each subscription
     * gets a fresh bucket, so reusing the transformer does not make streams share (or inherit) a rate.
     *
     * @param permits permits per {@code period}, at least 1
     * @param period the period the permits are counted over, positive
     * @param <T> the element type
     * @return a reusable shaping transformer (burst 1, no wait limit)
     * @throws IllegalArgumentException if {@code permits < 1} or {@code period} is not positive
     */
    public static <T> Function<Flux<T>, Flux<T>> of(int permits, Duration period) {
        RateLimiter.of(permits, period); // validate eagerly so a bad value fails at assembly
        return source -> Flux.defer(() -> source.transform(shaping(RateLimiter.of(permits, period))));
    }

    /**
     * Fails the stream with {@link RateLimitExceededException} when an element finds no permit at once; elements
     * with a permit pass through undelayed, upstream's demand and cancel passing through unchanged.
     *
     * @param limiter the token bucket, possibly shared
     * @param name the stage name put in the exception, non-blank
     * @param <T> the element type
     * @return a reusable transformer
     * @throws NullPointerException if {@code limiter} is null
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public static <T> Function<Flux<T>, Flux<T>> enforcing(RateLimiter limiter, String name) {
        return builder(limiter).enforcing().name(name).build();
    }

    /**
     * A builder over a (possibly shared) limiter; shaping, unbounded wait and the default name unless set.
     *
     * @param limiter the token bucket the stage takes its permits from
     * @return a new builder
     * @throws NullPointerException if {@code limiter} is null
     */
    public static Builder builder(RateLimiter limiter) {
        return new Builder(Objects.requireNonNull(limiter, "limiter"), null);
    }

    /**
     * As {@link #shaping(RateLimiter)}, over a limiter asked asynchronously (e.g. one shared through Redis by several
     * instances): each element asks for its permit when it is next in line, then waits as told.
     *
     * @param limiter the shared limiter
     * @param <T> the element type
     * @return a reusable transformer
     * @throws NullPointerException if {@code limiter} is null
     */
    public static <T> Function<Flux<T>, Flux<T>> shaping(AsyncRateLimiter limiter) {
        return builder(limiter).build();
    }

    /**
     * As {@link #enforcing(RateLimiter, String)}, over a limiter asked asynchronously: one element is asked about at a
     * time, in order, and one without a permit fails the stream with {@link RateLimitExceededException}.
     *
     * @param limiter the shared limiter
     * @param name the stage name put in the exception, non-blank
     * @param <T> the element type
     * @return a reusable transformer
     * @throws NullPointerException if {@code limiter} is null
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public static <T> Function<Flux<T>, Flux<T>> enforcing(AsyncRateLimiter limiter, String name) {
        return builder(limiter).enforcing().name(name).build();
    }

    /**
     * A builder over a limiter asked asynchronously; the same settings and semantics as
     * {@link #builder(RateLimiter)}, except that an element is held while its permit is asked for (one at a time, in
     * order), also when enforcing. An error of the limiter fails the stream (a limiter configured to fail open answers
     * "no wait" instead).
     *
     * @param limiter the limiter the stage takes its permits from
     * @return a new builder
     * @throws NullPointerException if {@code limiter} is null
     */
    public static Builder builder(AsyncRateLimiter limiter) {
        return new Builder(null, Objects.requireNonNull(limiter, "limiter"));
    }

    /** Configuration of a rate-limit stage; not thread-safe, the transformers it builds are immutable. */
    public static final class Builder {
        private final @Nullable RateLimiter limiter;
        private final @Nullable AsyncRateLimiter asyncLimiter;
        private boolean enforcing;
        private @Nullable Duration maxWait;
        private String name = DEFAULT_NAME;
        private @Nullable Scheduler scheduler;
        private int maxInFlight = 1;

        private Builder(@Nullable RateLimiter limiter, @Nullable AsyncRateLimiter asyncLimiter) {
            this.limiter = limiter;
            this.asyncLimiter = asyncLimiter;
        }

        /**
         * Fail instead of delaying (unless {@link #maxWait(Duration)} allows a wait), e.g. to assert that a
         * producer respects a contracted rate.
         *
         * @return this builder
         */
        public Builder enforcing() {
            this.enforcing = true;
            return this;
        }

        /**
         * Longest an element waits for its permit (Resilience4j's {@code timeoutDuration}); an element whose permit
         * is due later takes none and fails the stream with {@link RateLimitExceededException}. Default: no limit
         * when shaping, {@link Duration#ZERO} when {@link #enforcing()}.
         *
         * @param maxWait zero or positive; durations beyond about 292 years count as no limit
         * @return this builder
         * @throws IllegalArgumentException if {@code maxWait} is negative
         */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Checks.requireNonNegative("maxWait", maxWait);
            return this;
        }

        /**
         * Stage name used in exceptions.
         *
         * @param name non-blank; default {@value RateLimit#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Scheduler for the delays (default {@code Schedulers.parallel()}, resolved at subscription, so that
         * {@code StepVerifier.withVirtualTime} can replace it). Delayed elements are emitted on it.
         *
         * @param scheduler the scheduler the waits run on
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * With an {@link AsyncRateLimiter} only: how many elements may be asking for (or waiting for) their permits at
         * once. {@code 1} (default) holds one element at a time, like the local stage; more hides the limiter's round
         * trip at high rates: permits are still reserved in element order (one connection answers in order) and
         * elements are emitted in order, each no earlier than its permit. A stage over a local {@link RateLimiter}
         * ignores it.
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
         * Builds the transformer; it is stateless apart from the limiter, so it can be reused.
         *
         * @param <T> the element type
         * @return a transformer as described in the class comment: with a zero wait (enforcing by default) it
         *     neither delays nor holds elements, otherwise it holds one element at a time
         */
        public <T> Function<Flux<T>, Flux<T>> build() {
            String n = name;
            long maxWaitNanos = maxWait != null
                    ? (maxWait.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : maxWait.toNanos())
                    : enforcing ? 0 : Long.MAX_VALUE;
            Scheduler configured = scheduler;
            AsyncRateLimiter remote = asyncLimiter;
            int inFlight = maxInFlight;
            if (remote != null) {
                return source -> Flux.defer(() -> {
                    Scheduler s = configured != null ? configured : Schedulers.parallel();
                    Function<T, Mono<T>> permit = v -> remote.tryReserveNanos(maxWaitNanos).flatMap(wait -> {
                        if (wait < 0) {
                            return Mono.error(new RateLimitExceededException(n, remote, v));
                        }
                        return wait == 0 ? Mono.just(v) : Mono.just(v).delayElement(Duration.ofNanos(wait), s);
                    });
                    // as below: ask only when the element is next in line, one element at a time (by default)
                    return inFlight == 1 ? source.concatMap(permit, 0) : source.flatMapSequential(permit, inFlight, 1);
                });
            }
            RateLimiter l = Objects.requireNonNull(limiter);
            if (maxWaitNanos == 0) {
                return source -> source.handle((v, sink) -> {
                    if (l.tryAcquire()) {
                        sink.next(v);
                    } else {
                        sink.error(new RateLimitExceededException(n, l, v));
                    }
                });
            }
            return source -> Flux.defer(() -> {
                Scheduler s = configured != null ? configured : Schedulers.parallel();
                // concatMap without prefetch: reserve the permit only when the element is next in line, and pull
                // the next element only after this one is out
                return source.concatMap(v -> {
                    long wait = l.tryReserveNanos(maxWaitNanos);
                    if (wait < 0) {
                        return Mono.error(new RateLimitExceededException(n, l, v));
                    }
                    return wait == 0 ? Mono.just(v) : Mono.just(v).delayElement(Duration.ofNanos(wait), s);
                }, 0);
            });
        }
    }
}
