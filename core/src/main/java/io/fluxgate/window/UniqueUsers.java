package io.fluxgate.window;

import org.jspecify.annotations.Nullable;
import io.fluxgate.internal.Checks;
import io.fluxgate.heartbeat.Heartbeat;
import io.fluxgate.heartbeat.IdleDetector;
import io.fluxgate.heartbeat.Pulse;
import io.fluxgate.window.internal.WindowOperator;
import io.fluxgate.window.internal.WindowSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Event-time tumbling-window distinct-user counts: {@code flux.transform(UniqueUsers.perWindow(...)...build())}.
 *
 * <h2>Semantics</h2>
 * Event time is a {@code long} in the configured unit (epoch seconds, epoch millis; {@link Instant}s become millis) and
 * all arithmetic stays in that unit, saturating instead of overflowing. For a window size {@code s} a record with
 * event time {@code ts} belongs to {@code [m, m + s)} with {@code m = Math.floorDiv(ts, s) * s}. The watermark is
 * {@code W = maxEventTime - allowedLateness} (with {@link Builder#partitions partitions}: the minimum over active
 * partitions); before the first record there is none. A window closes as soon as {@code W >= m + s}; closed windows
 * that received records are emitted once, in ascending start order (several sizes: by start, then size). A record
 * whose window has closed is late and goes to the {@link LatePolicy}. On completion every open window is emitted in
 * ascending order.
 *
 * <h2>Errors, cancel, backpressure</h2>
 * An upstream error (or an exception thrown by a user function) is propagated at once: open windows are NOT flushed
 * and closed windows still waiting for demand are discarded, because they are partial or not yet acknowledged and a
 * crash-safe consumer replays them from the last {@link Checkpoint}. Cancel drops all state and discards the queued
 * input records and results ({@code Operators.onDiscard}). The operator requests upstream in batches of
 * {@link #DEFAULT_PREFETCH} (replenishing at 75%) and stops consuming input while more than
 * {@link WindowOperator#PENDING_BOUND} results wait for downstream demand, so a slow consumer stops the source.
 * Memory is bounded by open (and retained) windows times their users, never by stream length.
 *
 * <p>The transformer is immutable and reusable: every subscription gets fresh state.
 *
 * @param <T> the record type
 */
public final class UniqueUsers<T> implements Function<Flux<T>, Flux<WindowCount>> {

    /** Allowed lateness unless configured: none. */
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ZERO;
    /**
     * lgK of {@link Builder#approximate()}: 2^12 registers, ~1.6% relative standard error; 4 KiB per open window (a
     * byte per register while counting), the same in each result's sketch (a copy), whose serialized image is 2 KiB.
     */
    public static final int DEFAULT_LG_K = 12;
    /** Upstream prefetch. */
    public static final int DEFAULT_PREFETCH = 256;
    /** {@link Builder#partitionIdleTimeout(Duration)} unless configured: partitions never go idle. */
    public static final @Nullable Duration DEFAULT_PARTITION_IDLE_TIMEOUT = null;
    /** Default stage name (meter tag {@code name}, {@code toString()}). */
    public static final String DEFAULT_NAME = "unique-users";

    private final WindowSpec<T> spec;

    private UniqueUsers(WindowSpec<T> spec) {
        this.spec = spec;
    }

    /**
     * Starts a builder for tumbling windows of {@code size} (add more sizes with {@link Builder#alsoWindow}).
     * Defaults: zero lateness, {@link LatePolicy#drop()}, exact counting, no idle flush, no future bound, no metrics,
     * one partition, no checkpoints. {@link Builder#build()} requires a user id and an event time;
     * {@link Builder#buildForPulses()} builds the same operator over a {@link Heartbeat} tick stream, whose ticks
     * drive the idle flush.
     *
     * @param <T> the record type
     * @param size the first tumbling window length; positive, and a whole number of the event-time unit
     * @return a builder with the defaults above
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws NullPointerException     if {@code size} is null
     */
    public static <T> Builder<T> perWindow(Duration size) {
        return new Builder<T>().alsoWindow(size);
    }

    /**
     * Applies the operator to {@code source}; see the class documentation for emission, backpressure, error and
     * cancel behaviour.
     */
    @Override
    public Flux<WindowCount> apply(Flux<T> source) {
        return new WindowOperator<>(source, spec);
    }

    /**
     * Internal: the immutable configuration (benchmarks drive the algorithm directly with it). Not a supported API.
     *
     * @return the validated configuration this operator was built from
     */
    public WindowSpec<T> spec() {
        return spec;
    }

    @Override
    public String toString() {
        return "UniqueUsers" + spec;
    }

    /**
     * Collects the configuration; every setter validates its argument at once. Not thread-safe; {@link #build()}
     * takes an immutable snapshot, so a builder may be reused.
     *
     * <p>The record type is fixed by the first typed setter: {@link #userId}, {@link #userKey} and the event-time
     * setters return the builder typed for the record type their function takes, so
     * {@code events.transform(UniqueUsers.perWindow(d).userId(Event::uid).eventTimeSeconds(Event::ts).build())}
     * needs no type witness.
     *
     * @param <T> the record type
     */
    public static final class Builder<T> {
        private final List<Duration> sizes = new ArrayList<>();
        private Function<? super T, ? extends CharSequence> userId;
        private ToLongFunction<? super T> userKey;
        private ToLongFunction<? super T> eventTime;
        private ChronoUnit unit;
        private Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;
        private LatePolicy<? super T> latePolicy = LatePolicy.drop();
        private Duration idleFlush;
        private Scheduler scheduler;
        private Duration maxFutureSkew;
        private boolean approximate;
        private int lgK = DEFAULT_LG_K;
        private MeterRegistry registry;
        private String name = DEFAULT_NAME;
        private WindowStats stats;
        private Function<? super T, ?> partitionOf;
        private Duration partitionIdleTimeout = DEFAULT_PARTITION_IDLE_TIMEOUT;
        private ToLongFunction<? super T> positionOf;
        private ResumeState resume = ResumeState.empty();
        private int prefetch = DEFAULT_PREFETCH;

        private Builder() {
        }

        /**
         * Adds another tumbling window size computed in the same pass; results are tagged with their size.
         *
         * @param size another tumbling window length; positive and not already configured
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is not positive or already configured
         */
        public Builder<T> alsoWindow(Duration size) {
            Objects.requireNonNull(size, "size");
            if (size.isZero() || size.isNegative()) {
                throw new IllegalArgumentException("window size must be > 0, was " + size);
            }
            if (sizes.contains(size)) {
                throw new IllegalArgumentException("window size configured twice: " + size);
            }
            sizes.add(size);
            return this;
        }

        /**
         * The user id; its 64-bit {@code UidHash} is counted (collision probability ~ n^2/2^65 for n users in a
         * window). Replaces {@link #userKey}. A null id fails the stream.
         *
         * @param userId extracts the user id of a record; called once per record, must not return null
         * @param <U> the record type, fixed by this function's parameter type
         * @return this builder, typed for {@code U}
         */
        public <U extends T> Builder<U> userId(Function<? super U, ? extends CharSequence> userId) {
            Builder<U> self = narrow();
            self.userId = Objects.requireNonNull(userId, "userId");
            self.userKey = null;
            return self;
        }

        /**
         * A 64-bit user key counted as is (no hashing, no collisions). Replaces {@link #userId}.
         *
         * @param userKey extracts the 64-bit user key of a record, called once per record
         * @param <U> the record type, fixed by this function's parameter type
         * @return this builder, typed for {@code U}
         */
        public <U extends T> Builder<U> userKey(ToLongFunction<? super U> userKey) {
            Builder<U> self = narrow();
            self.userKey = Objects.requireNonNull(userKey, "userKey");
            self.userId = null;
            return self;
        }

        /**
         * Event time in epoch seconds; sizes and lateness must then be whole seconds.
         *
         * @param seconds extracts a record's event time in seconds since the epoch
         * @param <U> the record type, fixed by this function's parameter type
         * @return this builder, typed for {@code U}
         */
        public <U extends T> Builder<U> eventTimeSeconds(ToLongFunction<? super U> seconds) {
            Builder<U> self = narrow();
            self.eventTime = Objects.requireNonNull(seconds, "eventTimeSeconds");
            self.unit = ChronoUnit.SECONDS;
            return self;
        }

        /**
         * Event time in epoch milliseconds; sizes and lateness must then be whole milliseconds.
         *
         * @param millis extracts a record's event time in milliseconds since the epoch
         * @param <U> the record type, fixed by this function's parameter type
         * @return this builder, typed for {@code U}
         */
        public <U extends T> Builder<U> eventTimeMillis(ToLongFunction<? super U> millis) {
            Builder<U> self = narrow();
            self.eventTime = Objects.requireNonNull(millis, "eventTimeMillis");
            self.unit = ChronoUnit.MILLIS;
            return self;
        }

        /**
         * Event time as an {@link Instant}, kept as epoch millis (an Instant beyond the long range fails the stream).
         *
         * @param instant extracts a record's event time; must not return null
         * @param <U> the record type, fixed by this function's parameter type
         * @return this builder, typed for {@code U}
         */
        public <U extends T> Builder<U> eventTime(Function<? super U, Instant> instant) {
            Objects.requireNonNull(instant, "eventTime");
            Builder<U> self = narrow();
            self.eventTime = t -> instant.apply(t).toEpochMilli();
            self.unit = ChronoUnit.MILLIS;
            return self;
        }

        /**
         * This builder, typed for a subtype of its record type. Sound because the builder only ever consumes records
         * ({@code ? super T} functions), and a consumer of {@code T} also consumes any {@code U extends T}. It is what
         * lets {@code UniqueUsers.perWindow(size).userId(Event::uid)} infer {@code Event} from the first typed setter
         * without a type witness (Caffeine's builder does the same).
         */
        @SuppressWarnings("unchecked")
        private <U extends T> Builder<U> narrow() {
            return (Builder<U>) this;
        }

        /**
         * How far the watermark trails the largest event time. Default {@link #DEFAULT_ALLOWED_LATENESS}.
         *
         * @param lateness zero or positive; a record older than the watermark by more than this is late
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder<T> allowedLateness(Duration lateness) {
            Objects.requireNonNull(lateness, "allowedLateness");
            if (lateness.isNegative()) {
                throw new IllegalArgumentException("allowedLateness must be >= 0, was " + lateness);
            }
            this.allowedLateness = lateness;
            return this;
        }

        /**
         * What to do with late (and future) records. Default {@link LatePolicy#drop()}.
         *
         * @param policy receives late and future records (drop, side output, fail, ...)
         * @return this builder
         */
        public Builder<T> lateRecords(LatePolicy<? super T> policy) {
            this.latePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * When no record arrives for {@code interval} of processing time, advance the watermark by the processing time
         * that passed since the last record, and keep doing so every {@code interval} while the stream stays quiet.
         * Off by default. Time comes from {@link #scheduler(Scheduler)}; quiet is measured by an {@link IdleDetector},
         * the idle detection {@link Heartbeat} uses. To let a heartbeat's ticks drive the flush instead of this
         * operator's own timer, see {@link #buildForPulses()}.
         *
         * @param interval the processing-time silence after which the watermark advances; positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> idleFlush(Duration interval) {
            Objects.requireNonNull(interval, "idleFlush");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("idleFlush must be > 0, was " + interval);
            }
            this.idleFlush = interval;
            return this;
        }

        /**
         * The processing-time clock and timer of idle flush, partition idleness and the future bound. Default {@link Schedulers#parallel()}.
         *
         * @param scheduler supplies processing time and runs the timers
         * @return this builder
         */
        public Builder<T> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Records whose event time is more than {@code skew} ahead of processing time (the scheduler's epoch clock)
         * do not advance the watermark and go to the late-record policy with reason FUTURE. Off by default.
         *
         * @param skew zero or positive; how far ahead of processing time an event time may be
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder<T> maxFutureSkew(Duration skew) {
            Objects.requireNonNull(skew, "maxFutureSkew");
            if (skew.isNegative()) {
                throw new IllegalArgumentException("maxFutureSkew must be >= 0, was " + skew);
            }
            this.maxFutureSkew = skew;
            return this;
        }

        /**
         * Exact counting (the default): 64-bit keys in a primitive hash set per window.
         *
         * @return this builder
         */
        public Builder<T> exact() {
            this.approximate = false;
            return this;
        }

        /**
         * Approximate counting with a HyperLogLog sketch of {@link #DEFAULT_LG_K}.
         *
         * @return this builder
         */
        public Builder<T> approximate() {
            return approximate(DEFAULT_LG_K);
        }

        /**
         * Approximate counting with a HyperLogLog sketch of 2^lgK registers; results carry a mergeable {@link UniqueSketch}.
         *
         * @param lgK log2 of the number of HyperLogLog registers, 4 to 21; relative error about 1.04 /
         *     sqrt(2^lgK)
         * @return this builder
         * @throws IllegalArgumentException if lgK is outside 4..21
         */
        public Builder<T> approximate(int lgK) {
            this.lgK = Checks.inRange("lgK", lgK, 4, 21);
            this.approximate = true;
            return this;
        }

        /**
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value UniqueUsers#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder<T> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}, tagged {@code name}: counters {@code fluxgate.window.events},
         * {@code .late}, {@code .future}, {@code .dropped}, {@code .side.output}, {@code .replayed.skipped},
         * {@code .windows.emitted}, {@code .revisions.emitted} and a gauge {@code fluxgate.window.windows.open}.
         * Default: no registry, no meters.
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T> meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Cumulative, thread-safe counters every subscription adds to (see {@link WindowStats}).
         *
         * @param stats the counters to add to; may be shared by several operators
         * @return this builder
         */
        public Builder<T> stats(WindowStats stats) {
            this.stats = Objects.requireNonNull(stats, "stats");
            return this;
        }

        /**
         * Per-partition watermarks: each partition tracks its own max event time and the watermark is the minimum over
         * active partitions minus the lateness (never moving backwards). Keys must have equals/hashCode.
         *
         * @param partitionOf the partition of a record (e.g. its Kafka partition); called once per record
         * @return this builder
         */
        public Builder<T> partitions(Function<? super T, ?> partitionOf) {
            this.partitionOf = Objects.requireNonNull(partitionOf, "partitionOf");
            return this;
        }

        /**
         * A partition without records for {@code timeout} of processing time stops holding the watermark back until
         * its next record. Default: never.
         *
         * @param timeout positive processing-time silence after which a partition is idle
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> partitionIdleTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "partitionIdleTimeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("partitionIdleTimeout must be > 0, was " + timeout);
            }
            this.partitionIdleTimeout = timeout;
            return this;
        }

        /**
         * The position of a record within its partition (e.g. a Kafka offset; increasing in arrival order). Enables
         * a {@link Checkpoint} on every result.
         *
         * @param positionOf the position of a record within its partition
         * @return this builder
         */
        public Builder<T> positions(ToLongFunction<? super T> positionOf) {
            this.positionOf = Objects.requireNonNull(positionOf, "positionOf");
            return this;
        }

        /**
         * Continue after a restart from a {@link Checkpoint} (see {@link Checkpoint#toResumeState()}).
         *
         * @param state the resume state of the last committed checkpoint
         * @return this builder
         */
        public Builder<T> resumeFrom(ResumeState state) {
            this.resume = Objects.requireNonNull(state, "state");
            return this;
        }

        /**
         * Upstream batch size (replenished at 75%). Default {@link #DEFAULT_PREFETCH}.
         *
         * @param prefetch positive number of records requested from upstream at a time
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> prefetch(int prefetch) {
            if (prefetch <= 0) {
                throw new IllegalArgumentException("prefetch must be > 0, was " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * @return the reusable transformer
         * @throws IllegalArgumentException if no user id/key or no event time was configured, a window size, the
         *                                  lateness or the UPDATE retention is not a whole multiple of the event-time
         *                                  unit, or a resume state names an unknown size
         */
        public UniqueUsers<T> build() {
            return new UniqueUsers<>(spec(false));
        }

        /**
         * The operator over a {@link Heartbeat} tick stream, so the heartbeat's idle detection drives the idle flush:
         * <pre>{@code
         * events.transform(Heartbeat.every(Duration.ofSeconds(10)).ticks())          // Flux<Pulse<Event>>
         *       .transform(UniqueUsers.<Event>perWindow(Duration.ofMinutes(1))
         *               .userId(Event::user).eventTimeMillis(Event::ts).buildForPulses())
         * }</pre>
         * Every {@link Pulse.Item} is a record, exactly as for {@link #build()}. Every {@link Pulse.Tick} reports
         * processing-time silence; the watermark advances by the silence reported since the last record (the
         * heartbeat restarts its interval after each tick, so the ticks' silences add up), the same rule as
         * {@link #idleFlush(Duration)}: a quiet stream closes its last window after its size of silence, and a stream
         * whose records keep arriving never sees a tick and is never flushed early. A tick before the first record
         * does nothing. Ticks are not records: they are not counted, never late, and carry no position. Both operators
         * read processing time from their {@link Scheduler} through the same clock ({@link IdleDetector#clockOf}),
         * so giving both the same scheduler (or running both under {@code StepVerifier.withVirtualTime}) keeps them
         * on one timeline; an {@link #idleFlush(Duration)} configured as well applies in addition (the watermark only
         * takes the larger advance). Emission, backpressure, errors and cancel are as for {@link #build()}; on cancel
         * queued pulses are discarded as received.
         *
         * @return a reusable {@code Flux<Pulse<T>> -> Flux<WindowCount>}
         * @throws IllegalArgumentException as {@link #build()}
         */
        public Function<Flux<Pulse<T>>, Flux<WindowCount>> buildForPulses() {
            WindowSpec<T> spec = spec(true);
            return io.fluxgate.internal.Described.of("UniqueUsers.pulses", pulses -> applyToPulses(pulses, spec),
                    "spec", spec);
        }

        @SuppressWarnings("unchecked")
        private static <T> Flux<WindowCount> applyToPulses(Flux<Pulse<T>> pulses, WindowSpec<T> spec) {
            // Erased to T so the one drain loop serves both forms; the engine of a pulse spec unwraps each element.
            return new WindowOperator<>((Flux<T>) (Flux<?>) pulses, spec);
        }

        private WindowSpec<T> spec(boolean pulses) {
            if (userId == null && userKey == null) {
                throw new IllegalArgumentException("a user id is required: userId(...) or userKey(...)");
            }
            if (eventTime == null) {
                throw new IllegalArgumentException(
                        "an event time is required: eventTimeSeconds(...), eventTimeMillis(...) or eventTime(...)");
            }
            long[] sizeUnits = new long[sizes.size()];
            for (int i = 0; i < sizeUnits.length; i++) {
                sizeUnits[i] = toUnits("window size", sizes.get(i), unit);
            }
            long lateness = toUnits("allowedLateness", allowedLateness, unit);
            long retention = toUnits("UPDATE retention", latePolicy.retention(), unit);
            long futureSkew = maxFutureSkew == null ? -1 : floorUnits(maxFutureSkew, unit);
            for (Duration d : resume.emittedUpTo().keySet()) {
                if (!sizes.contains(d)) {
                    throw new IllegalArgumentException("resume state names a window size not configured: " + d
                            + " (configured: " + sizes + ")");
                }
            }
            if (partitionOf == null) {
                for (Object k : resume.maxEventTimeBefore().keySet()) {
                    if (!Checkpoint.SINGLE_PARTITION.equals(k)) {
                        throw new IllegalArgumentException("resume state names partition " + k
                                + " but no partitions(...) is configured; the only partition is "
                                + Checkpoint.SINGLE_PARTITION);
                    }
                }
            }
            return new WindowSpec<>(List.copyOf(sizes), sizeUnits, unit, eventTime, userId, userKey,
                    lateness, latePolicy, retention, idleFlush, scheduler,
                    futureSkew, approximate, lgK, registry, name, stats, partitionOf, partitionIdleTimeout,
                    positionOf, resume, prefetch, pulses);
        }

        static long toUnits(String what, Duration d, ChronoUnit unit) {
            try {
                if (unit == ChronoUnit.SECONDS) {
                    if (d.getNano() != 0) {
                        throw new IllegalArgumentException(what + " must be a whole number of seconds (the event-time unit), was " + d);
                    }
                    return d.getSeconds();
                }
                if (d.getNano() % 1_000_000 != 0) {
                    throw new IllegalArgumentException(what + " must be a whole number of milliseconds (the event-time unit), was " + d);
                }
                return d.toMillis();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(what + " is too large for the event-time unit: " + d, e);
            }
        }

        static long floorUnits(Duration d, ChronoUnit unit) {
            if (unit == ChronoUnit.SECONDS) {
                return d.getSeconds();
            }
            try {
                return d.toMillis();
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
    }
}
