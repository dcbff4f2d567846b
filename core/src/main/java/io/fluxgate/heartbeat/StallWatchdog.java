package io.fluxgate.heartbeat;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.Time;
import io.fluxgate.heartbeat.StageHealth.Status;
import io.fluxgate.heartbeat.internal.StageMonitor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Watches a stage ({@code Function<Flux<T>, Flux<R>>}) for stalls: elements went in, downstream has demand
 * outstanding, yet nothing came out for {@code stallAfter}. That is told apart from legitimate backpressure (no
 * downstream demand: {@link Status#BACKPRESSURED}) and from a quiet source (nothing went in since the last output:
 * {@link Status#IDLE}).
 *
 * <pre>{@code
 * StallWatchdog enrich = StallWatchdog.builder("enrich")
 *         .stallAfter(Duration.ofSeconds(10))
 *         .failAfter(Duration.ofMinutes(1))          // optional
 *         .listener(new StallListener() { ... })
 *         .meterRegistry(registry)
 *         .build();
 * flux.transform(enrich.watch(f -> f.flatMap(this::callEnrichment, 8)));
 * // a health endpoint: enrich.health().isHealthy()
 * }</pre>
 *
 * <p><b>Semantics.</b> The stall clock starts at the later of the first input since the last output and the moment
 * downstream demand last became positive. Checks run every {@code checkEvery} on the scheduler, so a stall is
 * reported between {@code stallAfter} and {@code stallAfter + checkEvery} after it began. Events are edge-triggered
 * (one {@link StallListener#onStalled}, one {@link StallListener#onRecovered}); recovery is reported as soon as the
 * stage emits again. "Inputs since the last output" is the in-flight measure, so it suits 1:1, 1:N and N:1 stages
 * alike; a stage that filters out long runs of inputs should get a {@code stallAfter} longer than those runs.
 *
 * <p><b>Failing.</b> With {@code failAfter}, a stage stalled that long is cancelled and the stream fails with a
 * {@link StageStalledException} naming it. Without it, the watchdog only observes.
 *
 * <p><b>Metrics</b> (with a registry), tagged {@code name}: gauges {@code fluxgate.watchdog.inflight},
 * {@code fluxgate.watchdog.oldest.inflight.age} (seconds), {@code fluxgate.watchdog.stalled} (0/1) and counter
 * {@code fluxgate.watchdog.stalls}. They and {@link #health()} aggregate over the watched subscriptions (worst status).
 *
 * <p>The watchdog adds no demand and no buffering: requests, cancel and discard pass through unchanged.
 */
public final class StallWatchdog {

    /** Default stage name. */
    public static final String DEFAULT_NAME = "stage";
    /** Default stall threshold: 30 seconds without output while elements are inside and demand is outstanding. */
    public static final Duration DEFAULT_STALL_AFTER = Duration.ofSeconds(30);
    /** Gauge of the elements that entered the stage since its last output. */
    public static final String INFLIGHT = "fluxgate.watchdog.inflight";
    /** Gauge of the age of the oldest element inside the stage, in seconds. */
    public static final String OLDEST_AGE = "fluxgate.watchdog.oldest.inflight.age";
    /** Gauge that is 1 while the stage is stalled or failed, 0 otherwise. */
    public static final String STALLED = "fluxgate.watchdog.stalled";
    /** Counter of stall episodes. */
    public static final String STALLS = "fluxgate.watchdog.stalls";

    private final String stage;
    private final Duration stallAfter;
    @Nullable
    private final Duration failAfter;
    private final Duration checkEvery;
    private final StallListener listener;
    @Nullable
    private final Scheduler scheduler;
    private final Set<StageMonitor> active = ConcurrentHashMap.newKeySet();
    private final AtomicReference<StageMonitor> last = new AtomicReference<>();
    private volatile long endedStalls;

    private StallWatchdog(Builder b) {
        this.stage = b.stage;
        this.stallAfter = b.stallAfter;
        this.failAfter = b.failAfter;
        this.checkEvery = b.checkEvery != null ? b.checkEvery : defaultCheckEvery(b.stallAfter);
        this.listener = b.listener;
        this.scheduler = b.scheduler;
        if (b.registry != null) {
            Tags tags = Tags.of("name", stage);
            Gauge.builder(INFLIGHT, this, w -> w.health().inFlight()).tags(tags)
                    .description("elements that entered the stage since its last output").register(b.registry);
            Gauge.builder(OLDEST_AGE, this, w -> w.health().oldestInFlightAge().toNanos() / 1e9).tags(tags)
                    .baseUnit("seconds").description("age of the oldest element inside the stage").register(b.registry);
            Gauge.builder(STALLED, this, w -> w.health().isHealthy() ? 0 : 1).tags(tags)
                    .description("1 while the stage is stalled or failed").register(b.registry);
            FunctionCounter.builder(STALLS, this, StallWatchdog::stalls).tags(tags)
                    .description("stall episodes detected").register(b.registry);
        }
    }

    private static Duration defaultCheckEvery(Duration stallAfter) {
        Duration quarter = stallAfter.dividedBy(4);
        if (quarter.isZero()) {
            return Duration.ofNanos(1);
        }
        return quarter.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : quarter;
    }

    /**
     * A builder; name the watched stage with {@link Builder#name(String)}.
     *
     * @return a builder with {@link #DEFAULT_NAME}, {@link #DEFAULT_STALL_AFTER}, no failing, no listener, no metrics
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the stage name */
    public String stage() {
        return stage;
    }

    /**
     * Wraps {@code stage}; every subscription gets its own monitor and check timer (started on subscribe, stopped on
     * termination or cancel).
     *
     * @param <T> the stage's input type
     * @param <R> the stage's output type
     * @param stage the stage to watch; applied once per subscription
     * @return {@code Flux<T> -> Flux<R>}: the stage's output, unchanged unless it fails with {@link StageStalledException}
     */
    public <T, R> Function<Flux<T>, Flux<R>> watch(Function<? super Flux<T>, ? extends Publisher<R>> stage) {
        Objects.requireNonNull(stage, "stage");
        return Described.of("StallWatchdog", in -> Flux.defer(() -> {
            Scheduler s = Time.schedulerOr(scheduler);
            StageMonitor m = new StageMonitor(this.stage, stallAfter, failAfter, Time.nanoClockOf(s), listener);
            Sinks.One<Boolean> kill = Sinks.one();
            AtomicReference<Disposable> checks = new AtomicReference<>();
            Flux<R> out = Flux.from(stage.apply(in.doOnNext(x -> m.onInput())))
                    .takeUntilOther(kill.asMono())
                    .concatWith(Mono.defer(() -> {
                        StageStalledException e = m.failure();
                        return e == null ? Mono.empty() : Mono.error(e);
                    }));
            long period = checkEvery.toNanos();
            return out
                    .doOnNext(x -> m.onOutput())
                    .doOnRequest(m::onRequest)
                    .doOnSubscribe(sub -> {
                        active.add(m);
                        last.set(m);
                        checks.set(s.schedulePeriodically(() -> {
                            if (m.check() != null) {
                                kill.tryEmitValue(Boolean.TRUE);
                            }
                        }, period, period, TimeUnit.NANOSECONDS));
                    })
                    .doFinally(sig -> {
                        Disposable d = checks.getAndSet(null);
                        if (d != null) {
                            d.dispose();
                        }
                        m.close();
                        if (active.remove(m)) {
                            synchronized (this) {
                                endedStalls += m.stalls();
                            }
                        }
                    });
        }), "name", this.stage, "stallAfter", stallAfter, "failAfter", failAfter != null ? failAfter : "never",
                "checkEvery", checkEvery, "scheduler", scheduler != null ? scheduler : "parallel");
    }

    @Override
    public String toString() {
        return Described.describe("StallWatchdog", "name", stage, "stallAfter", stallAfter,
                "failAfter", failAfter != null ? failAfter : "never", "checkEvery", checkEvery);
    }

    /**
     * @return the worst status over the watched subscriptions; after a failure, {@link Status#FAILED} until the
     * stage is subscribed again; {@link Status#IDLE} when nothing is watched
     */
    public StageHealth health() {
        StageHealth worst = null;
        for (StageMonitor m : active) {
            StageHealth h = m.health();
            if (worst == null || h.status().compareTo(worst.status()) > 0) {
                worst = h;
            }
        }
        if (worst != null) {
            return worst;
        }
        StageMonitor l = last.get();
        if (l != null && l.failure() != null) {
            return l.health();
        }
        StageHealth h = l != null ? l.health() : null;
        return new StageHealth(stage, Status.IDLE, 0, Duration.ZERO, Duration.ZERO,
                h == null ? 0 : h.inputs(), h == null ? 0 : h.outputs());
    }

    /** @return stall episodes detected since the watchdog was built */
    public long stalls() {
        long n = endedStalls;
        for (StageMonitor m : active) {
            n += m.stalls();
        }
        return n;
    }

    /** Settings; each setter validates and names the bad value. */
    public static final class Builder {
        private String stage = DEFAULT_NAME;
        private Duration stallAfter = DEFAULT_STALL_AFTER;
        @Nullable
        private Duration failAfter;
        @Nullable
        private Duration checkEvery;
        private StallListener listener = new StallListener() {
        };
        @Nullable
        private Scheduler scheduler;
        @Nullable
        private MeterRegistry registry;

        private Builder() {
        }

        /**
         * The watched stage's name, reported in health, events, meter tags, {@link StageStalledException} and
         * {@code toString()}.
         *
         * @param name non-blank; default {@value StallWatchdog#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.stage = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Stall threshold; 30 s by default. @throws IllegalArgumentException if not positive
         *
         * @param stallAfter how long a stage may go without output while it holds elements and has demand,
         *     positive
         * @return this builder
         */
        public Builder stallAfter(Duration stallAfter) {
            this.stallAfter = Checks.requirePositive("stallAfter", stallAfter);
            return this;
        }

        /**
         * Fail the stage once stalled this long (measured like stallAfter); off by default. @throws IllegalArgumentException if not positive
         *
         * @param failAfter how long a stall may last before the stage is failed, positive and not shorter than
         *     {@code stallAfter}
         * @return this builder
         */
        public Builder failAfter(Duration failAfter) {
            this.failAfter = Checks.requirePositive("failAfter", failAfter);
            return this;
        }

        /**
         * Period of the stall check; {@code min(stallAfter / 4, 1 s)} by default. @throws IllegalArgumentException if not positive
         *
         * @param checkEvery the period of the stall check, positive; bounds how late a stall is reported
         * @return this builder
         */
        public Builder checkEvery(Duration checkEvery) {
            this.checkEvery = Checks.requirePositive("checkEvery", checkEvery);
            return this;
        }

        /**
         * Receives the edge-triggered stall, recovery and failure notifications; none by default.
         *
         * @param listener the listener; called on the checks' scheduler or the stage's thread, must be quick
         * @return this builder
         */
        public Builder listener(StallListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Clock and timer of the checks; {@code Schedulers.parallel()} by default, resolved per subscription.
         *
         * @param scheduler supplies the clock and runs the checks
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Records meters in {@code registry}: gauges {@code fluxgate.watchdog.inflight},
         * {@code fluxgate.watchdog.oldest.inflight.age}, {@code fluxgate.watchdog.stalled} and a counter
         * {@code fluxgate.watchdog.stalls}, tagged {@code name} (see the class comment). Default: no registry, no meters.
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * @return a new watchdog; the builder may be reused
         * @throws IllegalArgumentException if {@code failAfter < stallAfter}
         */
        public StallWatchdog build() {
            if (failAfter != null && failAfter.compareTo(stallAfter) < 0) {
                throw new IllegalArgumentException("failAfter " + failAfter + " must not be shorter than stallAfter " + stallAfter);
            }
            return new StallWatchdog(this);
        }
    }
}
