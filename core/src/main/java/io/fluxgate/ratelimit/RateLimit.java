package io.fluxgate.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongConsumer;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.fluxgate.internal.Time;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

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
     * @throws IllegalArgumentException if {@code permits < 1}, {@code period} is not positive or shorter than
     *     {@code permits} nanoseconds
     */
    public static <T> Function<Flux<T>, Flux<T>> of(int permits, Duration period) {
        RateLimiter.of(permits, period); // validate eagerly so a bad value fails at assembly
        return Described.of("RateLimit", source -> Flux.defer(() -> source.transform(shaping(RateLimiter.of(permits, period)))),
                "name", DEFAULT_NAME, "mode", "shaping", "permits", permits, "period", period, "perSubscription", true);
    }

    /**
     * Fails the stream with {@link RateLimitExceededException} when an element finds no permit at once; elements
     * with a permit pass through undelayed, upstream's demand and cancel passing through unchanged.
     *
     * The stage is named {@value #DEFAULT_NAME}; name it with {@code builder(limiter).enforcing().name(...)}.
     *
     * @param limiter the token bucket, possibly shared
     * @param <T> the element type
     * @return a reusable transformer
     * @throws NullPointerException if {@code limiter} is null
     */
    public static <T> Function<Flux<T>, Flux<T>> enforcing(RateLimiter limiter) {
        return builder(limiter).enforcing().build();
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
     * As {@link #enforcing(RateLimiter)}, over a limiter asked asynchronously: one element is asked about at a time, in
     * order, and one without a permit fails the stream with {@link RateLimitExceededException}. Named
     * {@value #DEFAULT_NAME}; name it with {@code builder(limiter).enforcing().name(name).build()}.
     *
     * @param limiter the shared limiter
     * @param <T> the element type
     * @return a reusable transformer
     * @throws NullPointerException if {@code limiter} is null
     */
    public static <T> Function<Flux<T>, Flux<T>> enforcing(AsyncRateLimiter limiter) {
        return builder(limiter).enforcing().build();
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
        private @Nullable MeterRegistry meterRegistry;
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
         * Stage name used in exceptions, meter tags and {@code toString()}.
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
         * {@code StepVerifier.withVirtualTime} can replace it). Delayed elements are emitted on it. The limiter's
         * clock is aligned with it when the stage is built: a limiter on the default clock then reads
         * {@code scheduler.now()} (for every stage sharing it), its bucket state kept; a limiter built with its own
         * {@code nanoClock} keeps that clock.
         *
         * @param scheduler the scheduler the waits run on and the limiter's clock
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.ratelimit.permits} (counter: permits taken),
         * {@code fluxgate.ratelimit.rejected} (counter: elements refused, failing the stream) and
         * {@code fluxgate.ratelimit.wait} (timer: how long an element waited for its permit), tagged
         * {@code name}. Default: no registry, no meters.
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
         * @throws IllegalArgumentException if a scheduler is set and the limiter was already aligned with another
         *     stage's scheduler
         */
        public <T> Function<Flux<T>, Flux<T>> build() {
            String n = name;
            Scheduler configured = scheduler;
            AsyncRateLimiter remote = asyncLimiter;
            if (configured != null && limiter != null) {
                limiter.alignClock(configured);
            }
            StageMeters m = meterRegistry == null ? StageMeters.NONE
                    : MicrometerStageMeters.of(meterRegistry, "ratelimit", n);
            Runnable permits = m.counter("permits", "permits taken");
            Runnable rejected = m.counter("rejected", "elements refused a permit (the stream failed)");
            LongConsumer waited = m.timer("wait", "time an element waited for its permit");
            long maxWaitNanos = maxWait != null ? Time.saturatedNanos(maxWait) : enforcing ? 0 : Long.MAX_VALUE;
            int inFlight = maxInFlight;
            Object[] settings = {"name", n, "mode", enforcing ? "enforcing" : "shaping",
                    "limiter", remote != null ? remote : limiter,
                    "maxWait", maxWait != null ? maxWait : enforcing ? Duration.ZERO : "unbounded",
                    "scheduler", configured != null ? configured : "parallel", "maxInFlight", inFlight};
            if (remote != null) {
                return Described.of("RateLimit", source -> Flux.defer(() -> {
                    Scheduler s = Time.schedulerOr(configured);
                    Function<T, Mono<T>> permit = v -> remote.tryReserveNanos(maxWaitNanos).flatMap(wait -> {
                        if (wait < 0) {
                            rejected.run();
                            return Mono.error(new RateLimitExceededException(n, remote, v));
                        }
                        permits.run();
                        waited.accept(wait);
                        return wait == 0 ? Mono.just(v) : Mono.just(v).delayElement(Duration.ofNanos(wait), s);
                    });
                    // as below: ask only when the element is next in line, one element at a time (by default)
                    return inFlight == 1 ? source.concatMap(permit, 0) : source.flatMapSequential(permit, inFlight, 1);
                }), settings);
            }
            RateLimiter l = Objects.requireNonNull(limiter);
            if (maxWaitNanos == 0) {
                return Described.of("RateLimit", source -> source.handle((v, sink) -> {
                    if (l.tryAcquire()) {
                        permits.run();
                        sink.next(v);
                    } else {
                        rejected.run();
                        sink.error(new RateLimitExceededException(n, l, v));
                    }
                }), settings);
            }
            return Described.of("RateLimit", source -> Flux.defer(() -> {
                Scheduler s = Time.schedulerOr(configured);
                // concatMap without prefetch: reserve the permit only when the element is next in line, and pull
                // the next element only after this one is out
                return source.concatMap(v -> {
                    long wait = l.tryReserveNanos(maxWaitNanos);
                    if (wait < 0) {
                        rejected.run();
                        return Mono.error(new RateLimitExceededException(n, l, v));
                    }
                    permits.run();
                    waited.accept(wait);
                    return wait == 0 ? Mono.just(v) : Mono.just(v).delayElement(Duration.ofNanos(wait), s);
                }, 0);
            }), settings);
        }
    }
}
