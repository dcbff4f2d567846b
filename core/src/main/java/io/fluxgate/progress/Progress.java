package io.fluxgate.progress;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.fluxgate.internal.Time;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import java.util.function.LongConsumer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A pass-through stage that counts the elements flowing through it and reports counts, rates and an ETA to a
 * {@link ProgressListener} at a fixed interval.
 *
 * <pre>{@code
 * flux.transform(Progress.builder()
 *         .name("import")
 *         .total(rows)
 *         .interval(Duration.ofSeconds(1))
 *         .listener(bar::draw)
 *         .build())
 * }</pre>
 *
 * <p>Emission and backpressure are untouched: every element is passed on as it arrives, demand and cancellation
 * travel upstream unchanged, nothing is buffered. Reports are produced on the configured {@link Scheduler}
 * (default {@link Schedulers#parallel()}); time is measured with {@code System.nanoTime()} (or the configured
 * scheduler's clock), and {@code StepVerifier.withVirtualTime} drives both deterministically. After the stream completes, fails or is
 * cancelled, the listener receives one final snapshot with a terminal state, and no periodic report follows it.
 */
public final class Progress {

    /** Default reporting interval: one second. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    /** Default stage name used in snapshots. */
    public static final String DEFAULT_NAME = "progress";
    /** Marker for an unknown total. */
    public static final long UNKNOWN_TOTAL = -1;

    private Progress() {
    }

    /**
     * A builder with the defaults: {@link #DEFAULT_NAME}, {@link #DEFAULT_INTERVAL}, unknown total, parallel scheduler.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Shorthand for {@code builder().interval(interval).listener(listener).build()}.
     *
     * @param <T> the element type
     * @param interval how often the listener is called, positive
     * @param listener receives the snapshots
     * @return {@code Flux<T> -> Flux<T>}, elements unchanged
     * @throws IllegalArgumentException if {@code interval} is not positive
     * @throws NullPointerException     if an argument is null
     */
    public static <T> Function<Flux<T>, Flux<T>> every(Duration interval, ProgressListener listener) {
        return builder().interval(interval).listener(listener).build();
    }

    /** Immutable-once-built configuration; each setter validates its argument and names the bad value. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private long total = UNKNOWN_TOTAL;
        private Duration interval = DEFAULT_INTERVAL;
        private @Nullable Scheduler scheduler; // null: Schedulers.parallel() resolved at subscribe time (virtual-time friendly)
        private @Nullable ProgressListener listener;
        private @Nullable MeterRegistry meterRegistry;

        private Builder() {
        }

        /**
         * Name carried in every snapshot, meter tags and {@code toString()}, e.g. the pipeline stage.
         *
         * @param name the name; not blank; default {@value Progress#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Expected number of elements; enables {@link ProgressSnapshot#fraction()} and {@link ProgressSnapshot#eta()}.
         *
         * @param total the expected count, zero or more
         * @return this builder
         * @throws IllegalArgumentException if {@code total} is negative
         */
        public Builder total(long total) {
            this.total = Checks.atLeast("total", total, 0);
            return this;
        }

        /**
         * How often the listener is called while the stream runs.
         *
         * @param interval the reporting period, positive
         * @return this builder
         * @throws IllegalArgumentException if {@code interval} is zero or negative
         */
        public Builder interval(Duration interval) {
            this.interval = Checks.requirePositive("interval", interval);
            return this;
        }

        /**
         * Scheduler that runs periodic reports; when set, its clock is also the time source.
         *
         * @param scheduler runs the reports and supplies the clock
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Receiver of the snapshots. Required unless a {@link #meterRegistry(MeterRegistry)} is set.
         *
         * @param listener the receiver; see {@link ProgressListener} for threading
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder listener(ProgressListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.progress.count} (counter: elements, or their weight
         * with {@link #build(ToLongFunction)}) and {@code fluxgate.progress.runs.completed}, {@code .failed},
         * {@code .cancelled} (counters: subscriptions that ended so), tagged {@code name}. Default: none.
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
         * Builds the transformer. State (counters, timer) is created per subscription, so the function may be
         * reused for several streams; each gets its own count.
         *
         * @param <T> the element type
         * @return {@code Flux<T> -> Flux<T>}, elements unchanged
         * @throws IllegalArgumentException if neither a listener nor a meter registry was set
         */
        public <T> Function<Flux<T>, Flux<T>> build() {
            return assemble(null);
        }

        /**
         * As {@link #build()}, counting the weight of each element instead of 1 (its size in bytes, the records in a
         * batch, ...): {@link ProgressSnapshot#count()}, the {@link #total(long) total}, the rates and the ETA are then
         * in that unit. The weigher runs on the stream's thread for every element and must be cheap; a negative
         * weight fails the stream with an {@link IllegalArgumentException} naming it.
         *
         * @param <T> the element type
         * @param weigher the weight of one element, zero or more
         * @return {@code Flux<T> -> Flux<T>}, elements unchanged
         * @throws IllegalArgumentException if neither a listener nor a meter registry was set
         * @throws NullPointerException  if {@code weigher} is null
         */
        public <T> Function<Flux<T>, Flux<T>> build(ToLongFunction<? super T> weigher) {
            return assemble(Objects.requireNonNull(weigher, "weigher"));
        }

        /** weigher null: each element counts 1. */
        private <T> Function<Flux<T>, Flux<T>> assemble(@Nullable ToLongFunction<? super T> weigher) {
            if (listener == null && meterRegistry == null) {
                throw new IllegalArgumentException("a listener (or a meterRegistry) is required, neither was set");
            }
            String n = name;
            long t = total;
            long intervalNanos = Time.saturatedNanos(interval);
            Scheduler configured = scheduler;
            ProgressListener userListener = listener;
            ProgressListener l = userListener;
            if (meterRegistry != null) {
                StageMeters m = MicrometerStageMeters.of(meterRegistry, "progress", n);
                Runnable completed = m.counter("runs.completed", "subscriptions that completed");
                Runnable failed = m.counter("runs.failed", "subscriptions that failed");
                Runnable cancelled = m.counter("runs.cancelled", "subscriptions that were cancelled");
                l = snapshot -> {
                    switch (snapshot.state()) {
                        case COMPLETED -> completed.run();
                        case FAILED -> failed.run();
                        case CANCELLED -> cancelled.run();
                        default -> { }
                    }
                    if (userListener != null) {
                        userListener.onProgress(snapshot);
                    }
                };
            }
            ProgressListener listenerOrMeters = l;
            LongConsumer counted = meterRegistry == null ? w -> { }
                    : MicrometerStageMeters.of(meterRegistry, "progress", n).amount("count", "elements (or weight) seen");
            Object[] settings = {"name", n, "total", t == UNKNOWN_TOTAL ? "unknown" : t, "interval", interval,
                    "weighted", weigher != null, "scheduler", configured != null ? configured : "parallel"};
            return Described.of("Progress", source -> Flux.defer(() -> {
                Scheduler s = Time.schedulerOr(configured);
                ProgressTracker tracker = new ProgressTracker(n, t, Time.nanoClockOf(configured), listenerOrMeters);
                Disposable[] ticker = new Disposable[1];
                return source
                        .doOnSubscribe(sub -> {
                            tracker.start();
                            ticker[0] = s.schedulePeriodically(tracker::reportRunning, intervalNanos, intervalNanos,
                                    TimeUnit.NANOSECONDS);
                        })
                        .doOnNext(weigher == null ? v -> {
                            tracker.increment();
                            counted.accept(1);
                        } : v -> {
                            long w = weigher.applyAsLong(v);
                            if (w < 0) {
                                throw new IllegalArgumentException("negative progress weight " + w + " of " + v);
                            }
                            tracker.add(w);
                            counted.accept(w);
                        })
                        .doFinally(signal -> {
                            if (ticker[0] != null) {
                                ticker[0].dispose();
                            }
                            tracker.reportFinal(signal == SignalType.ON_COMPLETE ? ProgressSnapshot.State.COMPLETED
                                    : signal == SignalType.ON_ERROR ? ProgressSnapshot.State.FAILED
                                    : ProgressSnapshot.State.CANCELLED);
                        });
            }), settings);
        }
    }
}
