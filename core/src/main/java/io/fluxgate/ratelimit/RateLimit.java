package io.fluxgate.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
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

    /** Delays elements to the limiter's rate (never drops). */
    public static <T> Function<Flux<T>, Flux<T>> shaping(RateLimiter limiter) {
        return builder(limiter).build();
    }

    /**
     * Shaping stage with its own limiter of {@code permits} per {@code period}, evenly spaced; each subscription
     * gets a fresh bucket.
     *
     * @throws IllegalArgumentException if {@code permits < 1} or {@code period} is not positive
     */
    public static <T> Function<Flux<T>, Flux<T>> of(int permits, Duration period) {
        RateLimiter.of(permits, period); // validate eagerly so a bad value fails at assembly
        return source -> Flux.defer(() -> source.transform(shaping(RateLimiter.of(permits, period))));
    }

    /** Fails with {@link RateLimitExceededException} when an element finds no permit. */
    public static <T> Function<Flux<T>, Flux<T>> enforcing(RateLimiter limiter, String name) {
        return builder(limiter).enforcing().name(name).build();
    }

    /** A builder over a (possibly shared) limiter. */
    public static Builder builder(RateLimiter limiter) {
        return new Builder(Objects.requireNonNull(limiter, "limiter"));
    }

    /** Configuration of a rate-limit stage. */
    public static final class Builder {
        private final RateLimiter limiter;
        private boolean enforcing;
        private Duration maxWait;
        private String name = DEFAULT_NAME;
        private Scheduler scheduler;

        private Builder(RateLimiter limiter) {
            this.limiter = limiter;
        }

        /** Fail instead of delaying (unless {@link #maxWait(Duration)} allows a wait). */
        public Builder enforcing() {
            this.enforcing = true;
            return this;
        }

        /**
         * Longest an element waits for its permit (Resilience4j's {@code timeoutDuration}); an element whose permit
         * is due later takes none and fails the stream with {@link RateLimitExceededException}. Default: no limit
         * when shaping, {@link Duration#ZERO} when {@link #enforcing()}.
         *
         * @throws IllegalArgumentException if {@code maxWait} is negative
         */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Checks.requireNonNegative("maxWait", maxWait);
            return this;
        }

        /** Stage name used in exceptions. */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /** Scheduler for the delays (default {@code Schedulers.parallel()}, resolved at subscription). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Builds the transformer; it is stateless apart from the limiter, so it can be reused. */
        public <T> Function<Flux<T>, Flux<T>> build() {
            RateLimiter l = limiter;
            String n = name;
            long maxWaitNanos = maxWait != null
                    ? (maxWait.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : maxWait.toNanos())
                    : enforcing ? 0 : Long.MAX_VALUE;
            if (maxWaitNanos == 0) {
                return source -> source.handle((v, sink) -> {
                    if (l.tryAcquire()) {
                        sink.next(v);
                    } else {
                        sink.error(new RateLimitExceededException(n, l, v));
                    }
                });
            }
            Scheduler configured = scheduler;
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
