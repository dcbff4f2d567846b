package io.fluxgate.breaker;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.Time;
import io.fluxgate.breaker.internal.ElementCall;
import io.fluxgate.breaker.internal.Gate;
import io.fluxgate.breaker.internal.StateMachine;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A named circuit breaker that protects <em>each element's call</em> inside a stream, not the stream as a
 * whole: Resilience4j's Reactor operator takes one permission per subscription, so a long-lived Flux is one
 * endless call; here every element takes its own permission and records its own outcome.
 *
 * <p>Thread-safe and meant to be shared: one instance per downstream dependency, used by any number of streams
 * and single calls at once. The state machine follows Resilience4j's (CLOSED, OPEN, HALF_OPEN, DISABLED,
 * FORCED_OPEN, METRICS_ONLY; count- or time-based windows; see {@link CircuitBreakerConfig}), with one addition:
 * asynchronous calls still in flight count as slow calls as soon as they pass the slow-call threshold, so a
 * downstream that hangs opens the breaker before any timeout fires. The in-flight calls are re-examined when
 * calls start and by a light periodic task on the breaker's scheduler that runs only while calls are in flight.
 *
 * <h2>Where we differ from Resilience4j, and why</h2>
 * Everything else follows Resilience4j 2.3 exactly, checked side by side on the same manual clock
 * ({@code ResilienceParityTest}): a call is permitted only strictly after {@code waitDurationInOpenState}; HALF_OPEN
 * reads OPEN from the moment {@code maxWaitDurationInHalfOpenState} is over; a manual transition to the current
 * state starts it afresh; the transitions Resilience4j refuses throw {@link IllegalStateTransitionException};
 * rate-exceeded events are published only when CLOSED opens; FORCED_OPEN carries the backoff attempt count.
 * <ul>
 * <li><b>Outcomes go to the state that permitted the call.</b> Resilience4j records an outcome in whatever state
 * is current when the call completes, so a call permitted in CLOSED that completes during HALF_OPEN counts as a
 * probe (without having taken a probe permit) and can close or re-open the breaker. We record it in the window of
 * the state occupancy that permitted it (the OPEN that follows CLOSED or HALF_OPEN keeps that window, so a late
 * outcome still shows there), and only probes decide HALF_OPEN, because with per-element calls many long calls
 * from before the opening are routinely still running when HALF_OPEN starts, and their outcomes say nothing about
 * whether the dependency has recovered.</li>
 * <li><b>Per element, not per subscription</b> (above), and {@link OpenBehavior#BACKPRESSURE} to pause instead of
 * failing.</li>
 * <li><b>In-flight slow calls</b> count as slow before they finish (above): Resilience4j sees a hanging call only
 * when it ends.</li>
 * <li><b>{@link CircuitBreakerMetrics#notPermittedCalls()} is cumulative</b> since the breaker was built, as a
 * Micrometer counter must be; Resilience4j restarts it with every state.</li>
 * </ul>
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.of("payments", CircuitBreakerConfig.ofDefaults());
 * orders.transform(breaker.protect(order -> paymentClient.charge(order)))          // FAIL_FAST, errors end the stream
 * orders.transform(breaker.protect(order -> paymentClient.charge(order),
 *                                  (order, error) -> deadLetters.send(order, error))) // FAIL_FAST, stream goes on
 * orders.transform(breaker.protect(order -> paymentClient.charge(order), OpenBehavior.BACKPRESSURE)) // pauses
 * paymentClient.refund(id).transform(breaker.protectMono())                         // one single call
 * }</pre>
 */
public final class CircuitBreaker {

    private final String name;
    private final CircuitBreakerConfig config;
    private final StateMachine sm;
    private final Gate gate;
    private final CircuitBreakerEvents events;
    private final @Nullable CircuitBreakerMeters meters;

    private CircuitBreaker(Builder b) {
        this.name = b.name;
        this.config = b.config;
        Observer observer = new Observer();
        this.events = new CircuitBreakerEvents(name, this::refreshCallObservation);
        this.sm = new StateMachine(name, config, b.nanoClock, observer);
        this.gate = new Gate(name, sm, b.scheduler);
        this.meters = b.meterRegistry == null ? null : new CircuitBreakerMeters(b.meterRegistry, name, sm);
        refreshCallObservation();
    }

    /**
     * A breaker with {@link CircuitBreakerConfig#ofDefaults()}, no meters and the parallel scheduler.
     *
     * @param name the breaker's name, used in exceptions, events and meter tags; non-blank
     * @return a new CLOSED breaker
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static CircuitBreaker ofDefaults(String name) {
        return builder().name(name).build();
    }

    /**
     * A breaker with the given configuration, no meters and the parallel scheduler.
     *
     * @param name the breaker's name, used in exceptions, events and meter tags; non-blank
     * @param config the thresholds, window and waits
     * @return a new CLOSED breaker
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is blank
     */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config) {
        return builder().name(name).config(config).build();
    }

    /**
     * A builder for a breaker with meters, a scheduler or a clock of its own; {@link Builder#name(String)} is
     * required.
     *
     * @return a new builder with the default configuration
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The name given when building, as it appears in {@link CallNotPermittedException}, events and meter tags.
     *
     * @return the non-blank name
     */
    public String name() {
        return name;
    }

    /**
     * The configuration, fixed for the breaker's life.
     *
     * @return the configuration
     */
    public CircuitBreakerConfig config() {
        return config;
    }

    /**
     * The current state. An elapsed wait in OPEN shows as OPEN until the next call attempt (as in Resilience4j
     * without {@code automaticTransitionFromOpenToHalfOpenEnabled}); an expired
     * {@code maxWaitDurationInHalfOpenState} shows as OPEN from the moment of expiry.
     *
     * @return the state at the moment of the call
     */
    public CircuitBreakerState state() {
        return sm.state();
    }

    /**
     * A snapshot of the current window and the calls in flight.
     *
     * @return a new, immutable snapshot; it does not follow later calls
     */
    public CircuitBreakerMetrics metrics() {
        return sm.metrics();
    }

    /**
     * Listener registration; see {@link CircuitBreakerEvents}.
     *
     * @return this breaker's registry of listeners (always the same instance)
     */
    public CircuitBreakerEvents events() {
        return events;
    }

    // ------------------------------------------------------------------ manual transitions

    /**
     * To CLOSED with an empty window and no backoff history; when already CLOSED, the window is emptied (as in
     * Resilience4j) without a transition event.
     */
    public void transitionToClosedState() {
        sm.transitionTo(CircuitBreakerState.CLOSED);
    }

    /**
     * To OPEN, keeping the current window for {@link #metrics()}; the wait is the backoff step after the current
     * one ({@code openStateBackoff}: the attempt count is carried through OPEN, HALF_OPEN and FORCED_OPEN). When
     * already OPEN, the wait restarts (one step further), as in Resilience4j, without a transition event.
     *
     * @throws IllegalStateTransitionException from METRICS_ONLY (Resilience4j refuses it too)
     */
    public void transitionToOpenState() {
        sm.transitionTo(CircuitBreakerState.OPEN);
    }

    /**
     * To HALF_OPEN with {@code permittedNumberOfCallsInHalfOpenState} fresh probe permits and an empty window; when
     * already HALF_OPEN, the permits, window and max wait are renewed (as in Resilience4j), without a transition
     * event. Calls in flight from before keep their outcome to themselves (see the class comment).
     *
     * @throws IllegalStateTransitionException from CLOSED or METRICS_ONLY (Resilience4j refuses both)
     */
    public void transitionToHalfOpenState() {
        if (!sm.transitionTo(CircuitBreakerState.HALF_OPEN)) {
            gate.scheduleHalfOpenExpiry(); // renewed: a new max wait (a state change schedules it in onTransition)
        }
    }

    /** Calls pass, nothing is recorded, until another manual transition. */
    public void transitionToDisabledState() {
        sm.transitionTo(CircuitBreakerState.DISABLED);
    }

    /** No call passes until another manual transition. BACKPRESSURE streams stay paused. */
    public void transitionToForcedOpenState() {
        sm.transitionTo(CircuitBreakerState.FORCED_OPEN);
    }

    /**
     * Calls pass and are recorded; rate events fire; the breaker never opens by itself. From here Resilience4j
     * allows only CLOSED, FORCED_OPEN and DISABLED (and METRICS_ONLY afresh).
     */
    public void transitionToMetricsOnlyState() {
        sm.transitionTo(CircuitBreakerState.METRICS_ONLY);
    }

    /** Back to CLOSED with an empty window and no backoff history; publishes {@link CircuitBreakerEvent.Reset}. */
    public void reset() {
        sm.reset();
        if (events.wants(CircuitBreakerEvent.Reset.class)) {
            events.publish(new CircuitBreakerEvent.Reset(name, Instant.now()));
        }
    }

    // ------------------------------------------------------------------ operators

    /**
     * Protects each element's call, {@link OpenBehavior#FAIL_FAST} without fallback: a refused or failed call ends
     * the stream with its error. Emission, backpressure and cancel as described in {@link Protection}.
     *
     * @param call the protected asynchronous call for one element; each subscription to it is one call
     * @param <T> the element type
     * @param <R> the result type
     * @return a reusable transformer
     * @see Protection
     * @throws NullPointerException if call is null
     */
    public <T, R> Function<Flux<T>, Flux<R>> protect(Function<? super T, ? extends Publisher<? extends R>> call) {
        return this.<T, R>protecting(call).build();
    }

    /**
     * Protects each element's call with the given open behaviour, without fallback.
     *
     * @param call the protected asynchronous call for one element; each subscription to it is one call
     * @param whenOpen whether a refused element fails the stream or waits for the breaker
     * @param <T> the element type
     * @param <R> the result type
     * @return a reusable transformer
     * @see Protection
     * @throws NullPointerException if an argument is null
     */
    public <T, R> Function<Flux<T>, Flux<R>> protect(Function<? super T, ? extends Publisher<? extends R>> call,
                                                     OpenBehavior whenOpen) {
        return this.<T, R>protecting(call).whenOpen(whenOpen).build();
    }

    /**
     * Protects each element's call, {@link OpenBehavior#FAIL_FAST}; a refused or failed element goes to
     * {@code fallback} and the stream goes on.
     *
     * @param call the protected asynchronous call for one element; each subscription to it is one call
     * @param fallback the output for an element and its error ({@link CallNotPermittedException} when refused);
     *     see {@link Protection#fallback(BiFunction)}
     * @param <T> the element type
     * @param <R> the result type
     * @return a reusable transformer
     * @see Protection
     * @throws NullPointerException if an argument is null
     */
    public <T, R> Function<Flux<T>, Flux<R>> protect(
            Function<? super T, ? extends Publisher<? extends R>> call,
            BiFunction<? super T, ? super Throwable, ? extends Publisher<? extends R>> fallback) {
        return this.<T, R>protecting(call).fallback(fallback).build();
    }

    /**
     * A builder for a protecting transformer with every option.
     *
     * @param call the protected asynchronous call for one element; each subscription to it is one call
     * @param <T> the element type
     * @param <R> the result type
     * @return a new builder: FAIL_FAST, no fallback, maxInFlight 1 (ordered), prefetch 32
     * @throws NullPointerException if call is null
     */
    public <T, R> Protection<T, R> protecting(Function<? super T, ? extends Publisher<? extends R>> call) {
        return new Protection<>(this, Objects.requireNonNull(call, "call"));
    }

    /**
     * {@link #protectMono(OpenBehavior)} with {@link OpenBehavior#FAIL_FAST}.
     *
     * @param <R> the value type
     * @return a reusable transformer for {@code mono.transform(...)}
     */
    public <R> Function<Mono<R>, Mono<R>> protectMono() {
        return protectMono(OpenBehavior.FAIL_FAST);
    }

    /**
     * Protects a single call: every subscription to the returned Mono takes one permission (so
     * {@code retry()} downstream is one call per attempt) and records success on the value or on empty
     * completion, failure on error, and releases on cancel (or records a slow call if it was already slow).
     * Refused: FAIL_FAST signals {@link CallNotPermittedException}; BACKPRESSURE delays the subscription until a
     * permission is available.
     *
     * @param whenOpen whether a refused subscription fails at once or waits for a permission
     * @param <R> the value type
     * @return a reusable transformer for {@code mono.transform(...)}
     * @throws NullPointerException if whenOpen is null
     */
    public <R> Function<Mono<R>, Mono<R>> protectMono(OpenBehavior whenOpen) {
        Objects.requireNonNull(whenOpen, "whenOpen");
        ElementCall<Mono<R>, R> call = gate.elementCall(Function.identity(), whenOpen, null);
        return Described.of("CircuitBreaker.protectMono", mono -> Mono.defer(() -> Mono.fromDirect(call.apply(mono))),
                "name", name, "whenOpen", whenOpen);
    }

    /** Stops the breaker's periodic in-flight check, if running; the breaker stays usable and restarts it. */
    public void dispose() {
        gate.dispose();
    }

    @Override
    public String toString() {
        return "CircuitBreaker[name=" + name + ", state=" + sm.state() + ", config=" + config + ']';
    }

    private void refreshCallObservation() {
        // read by the state machine constructor's caller before sm exists
        if (sm != null) {
            sm.observeCalls(meters != null || events.wantsCallEvents());
        }
    }

    /**
     * Options of a protecting transformer: {@code breaker.protecting(call).whenOpen(...).fallback(...).build()}.
     *
     * <h2>Emission</h2> Each upstream element is handed to {@code call} (at most {@code maxInFlight} at once,
     * default 1) and the call's elements are emitted in upstream order (as they come with {@code unordered()}). With no fallback, a call's error and a
     * {@link CallNotPermittedException} end the stream (the outcome has been recorded first); with a fallback,
     * {@code fallback(element, error)} supplies the element's output instead and the stream goes on.
     * <h2>Backpressure</h2> Upstream is requested {@code prefetch} elements ahead (default 32; 0 = one at a
     * time); calls are subscribed as downstream demand allows. In {@link OpenBehavior#BACKPRESSURE} a refused
     * element waits, so upstream demand stops until the breaker lets calls through again.
     * <h2>Cancel and discard</h2> Cancelling the stream cancels the calls in flight, each releasing its permission
     * (or recording a slow call if it was already slow); queued elements are discarded through Reactor's discard
     * hook. Every permission is recorded or released exactly once, whatever ends the call (error, empty,
     * cancel, timeout, zip, an exception thrown by {@code call} itself).
     * <h2>Reuse</h2> The built function holds no per-subscription state and can be applied to many streams.
     *
     * @param <T> the element type
     * @param <R> the result type
     */
    public static final class Protection<T, R> {
        private final CircuitBreaker breaker;
        private final Function<? super T, ? extends Publisher<? extends R>> call;
        private OpenBehavior whenOpen = OpenBehavior.FAIL_FAST;
        private @Nullable BiFunction<? super T, ? super Throwable, ? extends Publisher<? extends R>> fallback;
        private int maxInFlight = 1;
        private boolean ordered = true;
        private int prefetch = Queues.XS_BUFFER_SIZE;

        private Protection(CircuitBreaker breaker, Function<? super T, ? extends Publisher<? extends R>> call) {
            this.breaker = breaker;
            this.call = call;
        }

        /**
         * What a refused element does: FAIL_FAST (default) or BACKPRESSURE.
         *
         * @param behavior see {@link OpenBehavior}
         * @return this builder
         * @throws NullPointerException if {@code behavior} is null
         */
        public Protection<T, R> whenOpen(OpenBehavior behavior) {
            this.whenOpen = Objects.requireNonNull(behavior, "whenOpen");
            return this;
        }

        /**
         * Output for an element whose call failed or was refused ({@link CallNotPermittedException}); the stream
         * goes on. Return {@code Mono.empty()} to emit nothing for it. If the fallback throws, the stream ends
         * with that exception (the original one attached as suppressed).
         *
         * @param fallback the output for an element and the error of its call (or the refusal); default none
         * @return this builder
         * @throws NullPointerException if {@code fallback} is null
         */
        public Protection<T, R> fallback(
                BiFunction<? super T, ? super Throwable, ? extends Publisher<? extends R>> fallback) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            return this;
        }

        /**
         * Calls in flight at once per stream (default 1). Output keeps upstream order, so a slow call holds back
         * the output of later ones, unless {@link #unordered()} is set (the rule of every {@code maxInFlight}).
         *
         * @param maxInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public Protection<T, R> maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Emit each call's output as soon as it is ready instead of in upstream order (only matters with
         * {@link #maxInFlight(int)} above 1).
         *
         * @return this builder
         */
        public Protection<T, R> unordered() {
            this.ordered = false;
            return this;
        }

        /**
         * Upstream elements requested ahead (default 32); 0 requests one at a time (maxInFlight 1 only), so a
         * paused BACKPRESSURE stream holds no queued elements.
         *
         * @param prefetch zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code prefetch} is negative
         */
        public Protection<T, R> prefetch(int prefetch) {
            if (prefetch < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, was " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Builds the transformer described in the class comment.
         *
         * @return a reusable transformer; per-subscription state is created at subscribe time
         * @throws IllegalArgumentException if prefetch is 0 with maxInFlight above 1
         */
        public Function<Flux<T>, Flux<R>> build() {
            if (prefetch == 0 && maxInFlight > 1) {
                throw new IllegalArgumentException("prefetch 0 needs maxInFlight 1, was " + maxInFlight);
            }
            ElementCall<T, R> mapper = breaker.gate.elementCall(call, whenOpen, fallback);
            int concurrency = maxInFlight;
            int pf = prefetch;
            Object[] settings = {"name", breaker.name, "whenOpen", whenOpen, "maxInFlight", concurrency,
                    "ordered", ordered, "prefetch", pf, "fallback", fallback != null};
            if (concurrency == 1) {
                return Described.of("CircuitBreaker.protect", flux -> flux.concatMap(mapper, pf), settings);
            }
            if (!ordered) {
                return Described.of("CircuitBreaker.protect", flux -> flux.flatMap(mapper, concurrency, pf), settings);
            }
            return Described.of("CircuitBreaker.protect", flux -> flux.flatMapSequential(mapper, concurrency, pf),
                    settings);
        }
    }

    /** Builder of a {@link CircuitBreaker}. */
    public static final class Builder {
        private @Nullable String name;
        private CircuitBreakerConfig config = CircuitBreakerConfig.ofDefaults();
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable Scheduler scheduler;
        private @Nullable LongSupplier nanoClock;

        private Builder() {
        }

        /**
         * The breaker's name, used in exceptions, events, meter tags and {@code toString()}. Required.
         *
         * @param name non-blank
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * The thresholds, window and waits.
         *
         * @param config default {@link CircuitBreakerConfig#ofDefaults()}
         * @return this builder
         * @throws NullPointerException if {@code config} is null
         */
        public Builder config(CircuitBreakerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Records meters in {@code registry}: Resilience4j's {@code resilience4j.circuitbreaker.*} meters, so their
         * dashboards work unchanged, plus {@code resilience4j.circuitbreaker.in.flight.calls}, tagged {@code name}
         * (the breaker's name; the prefix is fixed for that compatibility). Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the breaker is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Where BACKPRESSURE waits and the periodic in-flight check run (default {@link Schedulers#parallel()},
         * looked up at each use, so a breaker used inside {@code StepVerifier.withVirtualTime} waits and reads
         * time on the virtual clock wherever it was built).
         *
         * @param scheduler the scheduler; also the default clock (see {@link #nanoClock(LongSupplier)})
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The time source for call durations and waits (default: the scheduler's clock when a scheduler is set,
         * else {@link System#nanoTime()}, or the virtual clock while {@code StepVerifier.withVirtualTime} has
         * replaced {@code Schedulers.parallel()}).
         *
         * @param nanoClock a monotonic clock in nanoseconds; only differences of its readings are used
         * @return this builder
         * @throws NullPointerException if {@code nanoClock} is null
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Builds the breaker, CLOSED, and registers its meters if a registry was given.
         *
         * @return a new, thread-safe breaker
         * @throws IllegalArgumentException if no name was set
         */
        public CircuitBreaker build() {
            if (name == null) {
                throw new IllegalArgumentException("name is required: CircuitBreaker.builder().name(...)");
            }
            if (nanoClock == null) {
                // no scheduler: System.nanoTime(), or the virtual clock while StepVerifier.withVirtualTime has
                // replaced Schedulers.parallel(), checked on every read (as the waits resolve the scheduler)
                nanoClock = Time.nanoClockOf(scheduler);
            }
            return new CircuitBreaker(this);
        }
    }

    /** Turns state-machine notifications into events, meters and BACKPRESSURE wake-ups. */
    private final class Observer implements StateMachine.Observer {
        @Override
        public void onTransition(CircuitBreakerState from, CircuitBreakerState to) {
            gate.signalChange();
            if (to == CircuitBreakerState.HALF_OPEN) {
                gate.scheduleHalfOpenExpiry();
            }
            if (events.wants(CircuitBreakerEvent.StateTransition.class)) {
                events.publish(new CircuitBreakerEvent.StateTransition(name, Instant.now(), from, to));
            }
        }

        @Override
        public void onRateExceeded(boolean failureRate, float rate) {
            if (failureRate && events.wants(CircuitBreakerEvent.FailureRateExceeded.class)) {
                events.publish(new CircuitBreakerEvent.FailureRateExceeded(name, Instant.now(), rate));
            } else if (!failureRate && events.wants(CircuitBreakerEvent.SlowCallRateExceeded.class)) {
                events.publish(new CircuitBreakerEvent.SlowCallRateExceeded(name, Instant.now(), rate));
            }
        }

        @Override
        public void onCall(int kind, long elapsedNanos, Throwable error) {
            if (meters != null) {
                meters.onCall(kind, elapsedNanos);
            }
            switch (kind) {
                case StateMachine.SUCCESS -> {
                    if (events.wants(CircuitBreakerEvent.Success.class)) {
                        events.publish(new CircuitBreakerEvent.Success(name, Instant.now(), Duration.ofNanos(elapsedNanos)));
                    }
                }
                case StateMachine.ERROR -> {
                    if (events.wants(CircuitBreakerEvent.Error.class)) {
                        events.publish(new CircuitBreakerEvent.Error(name, Instant.now(), Duration.ofNanos(elapsedNanos), error));
                    }
                }
                case StateMachine.IGNORED -> {
                    if (events.wants(CircuitBreakerEvent.IgnoredError.class)) {
                        events.publish(new CircuitBreakerEvent.IgnoredError(name, Instant.now(),
                                Duration.ofNanos(elapsedNanos), error));
                    }
                }
                default -> {
                    if (events.wants(CircuitBreakerEvent.Released.class)) {
                        events.publish(new CircuitBreakerEvent.Released(name, Instant.now(), Duration.ofNanos(elapsedNanos)));
                    }
                }
            }
        }

        @Override
        public void onNotPermitted(CircuitBreakerState state) {
            if (events.wants(CircuitBreakerEvent.CallNotPermitted.class)) {
                events.publish(new CircuitBreakerEvent.CallNotPermitted(name, Instant.now(), state));
            }
        }

        @Override
        public void onPermitReleased() {
            gate.signalChange();
        }
    }
}
