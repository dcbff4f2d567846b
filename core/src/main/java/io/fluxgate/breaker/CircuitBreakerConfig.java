package io.fluxgate.breaker;

import io.fluxgate.internal.Checks;
import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Immutable configuration of a {@link CircuitBreaker}. Every option and default mirrors Resilience4j's
 * {@code CircuitBreakerConfig} so a configuration can be carried over one to one.
 *
 * <p>Obtain one with {@link #ofDefaults()} or {@link #builder()}; {@link #toBuilder()} copies it for a variant.
 */
public final class CircuitBreakerConfig {

    /** How the calls that decide the rates are chosen. */
    public enum SlidingWindowType {
        /** The last {@code slidingWindowSize} calls. */
        COUNT_BASED,
        /** The calls of the last {@code slidingWindowSize} seconds. */
        TIME_BASED
    }

    /** Default {@link Builder#failureRateThreshold(float)}: open at 50% failed calls. */
    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    /** Default {@link Builder#slowCallRateThreshold(float)}: 100%, i.e. slowness alone opens only if every call is slow. */
    public static final float DEFAULT_SLOW_CALL_RATE_THRESHOLD = 100f;
    /** Default {@link Builder#slowCallDurationThreshold(Duration)}: 60 s. */
    public static final Duration DEFAULT_SLOW_CALL_DURATION_THRESHOLD = Duration.ofSeconds(60);
    /** Default {@link Builder#permittedNumberOfCallsInHalfOpenState(int)}: 10 probes. */
    public static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 10;
    /** Default {@link Builder#maxWaitDurationInHalfOpenState(Duration)}: zero, i.e. HALF_OPEN waits for its probes. */
    public static final Duration DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE = Duration.ZERO;
    /** Default {@link Builder#slidingWindowType(SlidingWindowType)}: the last N calls. */
    public static final SlidingWindowType DEFAULT_SLIDING_WINDOW_TYPE = SlidingWindowType.COUNT_BASED;
    /** Default {@link Builder#slidingWindowSize(int)}: 100 calls. */
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 100;
    /** Default {@link Builder#minimumNumberOfCalls(int)}: 100 calls before any rate is computed. */
    public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 100;
    /** Default {@link Builder#waitDurationInOpenState(Duration)}: 60 s. */
    public static final Duration DEFAULT_WAIT_DURATION_IN_OPEN_STATE = Duration.ofSeconds(60);
    /** 1.0 = no backoff: every opening waits {@link #DEFAULT_WAIT_DURATION_IN_OPEN_STATE}. */
    public static final double DEFAULT_OPEN_BACKOFF_MULTIPLIER = 1.0;
    /** Default {@link Builder#writableStackTraceEnabled(boolean)}: stack traces filled in, as in Resilience4j. */
    public static final boolean DEFAULT_WRITABLE_STACK_TRACE_ENABLED = true;
    /** Largest count-based window: the four window counters are packed into one 64-bit word. */
    public static final int MAX_COUNT_BASED_WINDOW_SIZE = 65_535;

    private static final CircuitBreakerConfig DEFAULTS = new Builder().build();

    private final float failureRateThreshold;
    private final float slowCallRateThreshold;
    private final Duration slowCallDurationThreshold;
    private final int permittedNumberOfCallsInHalfOpenState;
    private final Duration maxWaitDurationInHalfOpenState;
    private final SlidingWindowType slidingWindowType;
    private final int slidingWindowSize;
    private final int minimumNumberOfCalls;
    private final Duration waitDurationInOpenState;
    private final double openBackoffMultiplier;
    private final Duration maxWaitDurationInOpenState;
    private final boolean writableStackTraceEnabled;
    private final Predicate<Throwable> recordExceptionPredicate;
    private final Predicate<Throwable> ignoreExceptionPredicate;
    private final List<Class<? extends Throwable>> recordExceptions;
    private final List<Class<? extends Throwable>> ignoreExceptions;

    private CircuitBreakerConfig(Builder b) {
        this.failureRateThreshold = b.failureRateThreshold;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
        this.slowCallDurationThreshold = b.slowCallDurationThreshold;
        this.permittedNumberOfCallsInHalfOpenState = b.permittedNumberOfCallsInHalfOpenState;
        this.maxWaitDurationInHalfOpenState = b.maxWaitDurationInHalfOpenState;
        this.slidingWindowType = b.slidingWindowType;
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumNumberOfCalls = b.minimumNumberOfCalls;
        this.waitDurationInOpenState = b.waitDurationInOpenState;
        this.openBackoffMultiplier = b.openBackoffMultiplier;
        this.maxWaitDurationInOpenState = b.maxWaitDurationInOpenState == null
                ? b.waitDurationInOpenState : b.maxWaitDurationInOpenState;
        this.writableStackTraceEnabled = b.writableStackTraceEnabled;
        this.recordExceptionPredicate = b.recordExceptionPredicate;
        this.ignoreExceptionPredicate = b.ignoreExceptionPredicate;
        this.recordExceptions = List.copyOf(b.recordExceptions);
        this.ignoreExceptions = List.copyOf(b.ignoreExceptions);
    }

    /**
     * The Resilience4j defaults: count-based window of 100 calls, 50% failures, 60 s open, 10 probes.
     *
     * @return the shared default configuration
     */
    public static CircuitBreakerConfig ofDefaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults ({@code DEFAULT_*}).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset with this configuration, for a variant of it; this configuration is not changed.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the failure rate in percent, in (0, 100], at or above which the breaker opens */
    public float failureRateThreshold() { return failureRateThreshold; }

    /** @return the slow-call rate in percent, in (0, 100], at or above which the breaker opens */
    public float slowCallRateThreshold() { return slowCallRateThreshold; }

    /** @return the positive duration above which a call (or a call still in flight) counts as slow */
    public Duration slowCallDurationThreshold() { return slowCallDurationThreshold; }

    /** @return the number of probes let through in HALF_OPEN, in [1, {@value #MAX_COUNT_BASED_WINDOW_SIZE}] */
    public int permittedNumberOfCallsInHalfOpenState() { return permittedNumberOfCallsInHalfOpenState; }

    /** @return the longest stay in HALF_OPEN before going back to OPEN; {@link Duration#ZERO} for no limit */
    public Duration maxWaitDurationInHalfOpenState() { return maxWaitDurationInHalfOpenState; }

    /** @return whether the window counts the last calls or the calls of the last seconds */
    public SlidingWindowType slidingWindowType() { return slidingWindowType; }

    /** @return the window size: calls for COUNT_BASED, seconds for TIME_BASED; at least 1 */
    public int slidingWindowSize() { return slidingWindowSize; }

    /** @return the calls needed in the window before a rate is computed, at least 1 */
    public int minimumNumberOfCalls() { return minimumNumberOfCalls; }

    /** @return the wait in OPEN before the first probe, after the first opening (at least 1 ms) */
    public Duration waitDurationInOpenState() { return waitDurationInOpenState; }

    /** @return the factor the wait in OPEN grows by per consecutive opening; 1.0 (default) for no backoff */
    public double openBackoffMultiplier() { return openBackoffMultiplier; }

    /** @return the cap on the wait in OPEN under backoff; equal to {@link #waitDurationInOpenState()} without it */
    public Duration maxWaitDurationInOpenState() { return maxWaitDurationInOpenState; }

    /** @return whether a {@link CallNotPermittedException} fills in its stack trace */
    public boolean writableStackTraceEnabled() { return writableStackTraceEnabled; }

    /**
     * The wait in OPEN for the {@code attempt}-th consecutive opening (1 = first opening after CLOSED):
     * {@code waitDurationInOpenState * multiplier^(attempt-1)}, capped at {@link #maxWaitDurationInOpenState()}.
     *
     * @param attempt the count of consecutive openings; values below 1 are taken as 1
     * @return the wait before the first probe, between {@link #waitDurationInOpenState()} and the cap
     */
    public Duration waitDurationInOpenState(int attempt) {
        if (attempt <= 1 || openBackoffMultiplier == 1.0) {
            return waitDurationInOpenState;
        }
        double nanos = waitDurationInOpenState.toNanos() * Math.pow(openBackoffMultiplier, attempt - 1);
        long cap = maxWaitDurationInOpenState.toNanos();
        return nanos >= cap ? maxWaitDurationInOpenState : Duration.ofNanos((long) nanos);
    }

    /**
     * Whether a failure counts as ignored (releases its permission, counts in no rate). Ignore wins over record,
     * as in Resilience4j.
     *
     * @param error the failure of a call
     * @return true if it matches {@link Builder#ignoreException(Predicate)} or one of
     *     {@link Builder#ignoreExceptions(Class[])} (subclasses included)
     */
    public boolean isIgnored(Throwable error) {
        return ignoreExceptionPredicate.test(error) || matches(ignoreExceptions, error);
    }

    /**
     * Whether a failure that is not ignored counts as a failure. As in Resilience4j, a failure that is neither
     * recorded nor ignored counts as a success.
     *
     * @param error the failure of a call, already known not to be ignored
     * @return true if it matches one of {@link Builder#recordExceptions(Class[])} or a predicate set with
     *     {@link Builder#recordException(Predicate)}; with neither set, every error is recorded
     */
    public boolean isRecorded(Throwable error) {
        if (!recordExceptions.isEmpty()) {
            return matches(recordExceptions, error) || recordExceptionPredicate != Builder.ALL && recordExceptionPredicate.test(error);
        }
        return recordExceptionPredicate.test(error);
    }

    private static boolean matches(List<Class<? extends Throwable>> types, Throwable error) {
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(error)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "CircuitBreakerConfig{failureRateThreshold=" + failureRateThreshold
                + ", slowCallRateThreshold=" + slowCallRateThreshold
                + ", slowCallDurationThreshold=" + slowCallDurationThreshold
                + ", permittedNumberOfCallsInHalfOpenState=" + permittedNumberOfCallsInHalfOpenState
                + ", maxWaitDurationInHalfOpenState=" + maxWaitDurationInHalfOpenState
                + ", slidingWindowType=" + slidingWindowType
                + ", slidingWindowSize=" + slidingWindowSize
                + ", minimumNumberOfCalls=" + minimumNumberOfCalls
                + ", waitDurationInOpenState=" + waitDurationInOpenState
                + ", openBackoffMultiplier=" + openBackoffMultiplier
                + ", maxWaitDurationInOpenState=" + maxWaitDurationInOpenState
                + ", recordExceptions=" + recordExceptions
                + ", ignoreExceptions=" + ignoreExceptions + '}';
    }

    /** Builder; each setter validates its argument and names the bad value in the exception. Not thread-safe. */
    public static final class Builder {
        static final Predicate<Throwable> ALL = t -> true;
        static final Predicate<Throwable> NONE = t -> false;

        private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private float slowCallRateThreshold = DEFAULT_SLOW_CALL_RATE_THRESHOLD;
        private Duration slowCallDurationThreshold = DEFAULT_SLOW_CALL_DURATION_THRESHOLD;
        private int permittedNumberOfCallsInHalfOpenState = DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE;
        private Duration maxWaitDurationInHalfOpenState = DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE;
        private SlidingWindowType slidingWindowType = DEFAULT_SLIDING_WINDOW_TYPE;
        private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        private int minimumNumberOfCalls = DEFAULT_MINIMUM_NUMBER_OF_CALLS;
        private Duration waitDurationInOpenState = DEFAULT_WAIT_DURATION_IN_OPEN_STATE;
        private double openBackoffMultiplier = DEFAULT_OPEN_BACKOFF_MULTIPLIER;
        private @Nullable Duration maxWaitDurationInOpenState;
        private boolean writableStackTraceEnabled = DEFAULT_WRITABLE_STACK_TRACE_ENABLED;
        private Predicate<Throwable> recordExceptionPredicate = ALL;
        private Predicate<Throwable> ignoreExceptionPredicate = NONE;
        private final List<Class<? extends Throwable>> recordExceptions = new ArrayList<>();
        private final List<Class<? extends Throwable>> ignoreExceptions = new ArrayList<>();

        private Builder() {
        }

        private Builder(CircuitBreakerConfig c) {
            this.failureRateThreshold = c.failureRateThreshold;
            this.slowCallRateThreshold = c.slowCallRateThreshold;
            this.slowCallDurationThreshold = c.slowCallDurationThreshold;
            this.permittedNumberOfCallsInHalfOpenState = c.permittedNumberOfCallsInHalfOpenState;
            this.maxWaitDurationInHalfOpenState = c.maxWaitDurationInHalfOpenState;
            this.slidingWindowType = c.slidingWindowType;
            this.slidingWindowSize = c.slidingWindowSize;
            this.minimumNumberOfCalls = c.minimumNumberOfCalls;
            this.waitDurationInOpenState = c.waitDurationInOpenState;
            this.openBackoffMultiplier = c.openBackoffMultiplier;
            this.maxWaitDurationInOpenState = c.maxWaitDurationInOpenState;
            this.writableStackTraceEnabled = c.writableStackTraceEnabled;
            this.recordExceptionPredicate = c.recordExceptionPredicate;
            this.ignoreExceptionPredicate = c.ignoreExceptionPredicate;
            this.recordExceptions.addAll(c.recordExceptions);
            this.ignoreExceptions.addAll(c.ignoreExceptions);
        }

        /**
         * Failure rate in percent (0 exclusive, 100 inclusive) at or above which the breaker opens.
         *
         * @param percent in (0, 100]; default {@value CircuitBreakerConfig#DEFAULT_FAILURE_RATE_THRESHOLD}
         * @return this builder
         * @throws IllegalArgumentException if {@code percent} is outside (0, 100] or NaN
         */
        public Builder failureRateThreshold(float percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("failureRateThreshold must be in (0, 100], was " + percent);
            }
            this.failureRateThreshold = percent;
            return this;
        }

        /**
         * Slow-call rate in percent (0 exclusive, 100 inclusive) at or above which the breaker opens.
         *
         * @param percent in (0, 100]; default {@value CircuitBreakerConfig#DEFAULT_SLOW_CALL_RATE_THRESHOLD}
         * @return this builder
         * @throws IllegalArgumentException if {@code percent} is outside (0, 100] or NaN
         */
        public Builder slowCallRateThreshold(float percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("slowCallRateThreshold must be in (0, 100], was " + percent);
            }
            this.slowCallRateThreshold = percent;
            return this;
        }

        /**
         * A call taking longer than this is slow; calls still in flight count as slow once older than this, so a
         * hanging dependency opens the breaker before its calls time out.
         *
         * @param threshold positive; default 60 s
         * @return this builder
         * @throws IllegalArgumentException if {@code threshold} is null, zero or negative
         */
        public Builder slowCallDurationThreshold(Duration threshold) {
            this.slowCallDurationThreshold = Checks.requirePositive("slowCallDurationThreshold", threshold);
            return this;
        }

        /**
         * Probes let through in HALF_OPEN (at most {@value #MAX_COUNT_BASED_WINDOW_SIZE}); their outcome decides.
         *
         * @param calls in [1, {@value #MAX_COUNT_BASED_WINDOW_SIZE}]; default
         *     {@value CircuitBreakerConfig#DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE}
         * @return this builder
         * @throws IllegalArgumentException if {@code calls} is out of range
         */
        public Builder permittedNumberOfCallsInHalfOpenState(int calls) {
            if (calls < 1 || calls > MAX_COUNT_BASED_WINDOW_SIZE) {
                throw new IllegalArgumentException("permittedNumberOfCallsInHalfOpenState must be in [1, "
                        + MAX_COUNT_BASED_WINDOW_SIZE + "], was " + calls);
            }
            this.permittedNumberOfCallsInHalfOpenState = calls;
            return this;
        }

        /**
         * Longest stay in HALF_OPEN before going back to OPEN, so probes that never finish cannot keep the breaker
         * half open; {@link Duration#ZERO} (default) = no limit.
         *
         * @param maxWait zero or positive
         * @return this builder
         * @throws NullPointerException if {@code maxWait} is null
         * @throws IllegalArgumentException if {@code maxWait} is negative
         */
        public Builder maxWaitDurationInHalfOpenState(Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWaitDurationInHalfOpenState");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWaitDurationInHalfOpenState must be >= 0, was " + maxWait);
            }
            this.maxWaitDurationInHalfOpenState = maxWait;
            return this;
        }

        /**
         * Whether the rates are over the last {@link #slidingWindowSize(int)} calls or seconds.
         *
         * @param type default {@link SlidingWindowType#COUNT_BASED}
         * @return this builder
         * @throws NullPointerException if {@code type} is null
         * @throws IllegalArgumentException if {@code type} is COUNT_BASED and the size set is above
         *     {@value #MAX_COUNT_BASED_WINDOW_SIZE} (use {@link #slidingWindow(int, int, SlidingWindowType)} to change
         *     both)
         */
        public Builder slidingWindowType(SlidingWindowType type) {
            this.slidingWindowType = Objects.requireNonNull(type, "slidingWindowType");
            if (type == SlidingWindowType.COUNT_BASED && slidingWindowSize > MAX_COUNT_BASED_WINDOW_SIZE) {
                throw new IllegalArgumentException("COUNT_BASED window size must be <= " + MAX_COUNT_BASED_WINDOW_SIZE
                        + ", was " + slidingWindowSize);
            }
            return this;
        }

        /**
         * Calls (COUNT_BASED, at most {@value #MAX_COUNT_BASED_WINDOW_SIZE}) or seconds (TIME_BASED).
         *
         * @param size at least 1; default {@value CircuitBreakerConfig#DEFAULT_SLIDING_WINDOW_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if {@code size < 1}, or above {@value #MAX_COUNT_BASED_WINDOW_SIZE}
         *     while the type is COUNT_BASED
         */
        public Builder slidingWindowSize(int size) {
            Checks.atLeast("slidingWindowSize", size, 1);
            if (slidingWindowType == SlidingWindowType.COUNT_BASED && size > MAX_COUNT_BASED_WINDOW_SIZE) {
                throw new IllegalArgumentException("COUNT_BASED slidingWindowSize must be <= "
                        + MAX_COUNT_BASED_WINDOW_SIZE + ", was " + size);
            }
            this.slidingWindowSize = size;
            return this;
        }

        /**
         * Shorthand for type, size and minimum calls, validated together (so a large TIME_BASED size can be set on
         * a COUNT_BASED builder).
         *
         * @param size calls or seconds, see {@link #slidingWindowSize(int)}
         * @param minimumNumberOfCalls see {@link #minimumNumberOfCalls(int)}
         * @param type see {@link #slidingWindowType(SlidingWindowType)}
         * @return this builder
         * @throws IllegalArgumentException if a value is out of its range
         * @throws NullPointerException if {@code type} is null
         */
        public Builder slidingWindow(int size, int minimumNumberOfCalls, SlidingWindowType type) {
            slidingWindowType(SlidingWindowType.TIME_BASED); // relax the cap while the size changes
            slidingWindowSize(size);
            minimumNumberOfCalls(minimumNumberOfCalls);
            return slidingWindowType(type);
        }

        /**
         * Calls needed in the window before any rate is computed; as in Resilience4j, a COUNT_BASED window uses at
         * most its size, and HALF_OPEN decides after {@code min(minimumNumberOfCalls, permitted probes)}.
         *
         * @param calls at least 1; default {@value CircuitBreakerConfig#DEFAULT_MINIMUM_NUMBER_OF_CALLS}
         * @return this builder
         * @throws IllegalArgumentException if {@code calls < 1}
         */
        public Builder minimumNumberOfCalls(int calls) {
            this.minimumNumberOfCalls = Checks.atLeast("minimumNumberOfCalls", calls, 1);
            return this;
        }

        /**
         * Wait in OPEN before the first probe is allowed.
         *
         * @param wait at least 1 ms; default 60 s
         * @return this builder
         * @throws NullPointerException if {@code wait} is null
         * @throws IllegalArgumentException if {@code wait} is below 1 ms
         */
        public Builder waitDurationInOpenState(Duration wait) {
            Objects.requireNonNull(wait, "waitDurationInOpenState");
            if (wait.toMillis() < 1) {
                throw new IllegalArgumentException("waitDurationInOpenState must be >= 1 ms, was " + wait);
            }
            this.waitDurationInOpenState = wait;
            return this;
        }

        /**
         * Exponential backoff on repeated openings (OPEN → HALF_OPEN → OPEN without closing in between): the n-th
         * consecutive opening waits {@code waitDurationInOpenState * multiplier^(n-1)}, at most {@code maxWait}.
         * The count is Resilience4j's {@code attempts}: every opening adds one (a manual OPEN while OPEN too), and
         * so does FORCED_OPEN, which carries it; CLOSED, DISABLED, METRICS_ONLY and reset clear it.
         *
         * @param multiplier finite, at least 1 (1 = no growth); default
         *     {@value CircuitBreakerConfig#DEFAULT_OPEN_BACKOFF_MULTIPLIER}
         * @param maxWait the cap on a single wait in OPEN, positive and (checked by {@link #build()}) not below
         *     {@link #waitDurationInOpenState(Duration)}
         * @return this builder
         * @throws IllegalArgumentException if the multiplier is below 1 or not finite, or maxWait is not positive
         */
        public Builder openStateBackoff(double multiplier, Duration maxWait) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("openStateBackoff multiplier must be finite and >= 1, was " + multiplier);
            }
            this.openBackoffMultiplier = multiplier;
            this.maxWaitDurationInOpenState = Checks.requirePositive("openStateBackoff maxWait", maxWait);
            return this;
        }

        /**
         * Whether {@link CallNotPermittedException} fills in its stack trace (default true, as Resilience4j).
         * Turn off when an open breaker rejects at high rate.
         *
         * @param enabled default true
         * @return this builder
         */
        public Builder writableStackTraceEnabled(boolean enabled) {
            this.writableStackTraceEnabled = enabled;
            return this;
        }

        /**
         * Failures counted as failures (default all). Failures neither recorded nor ignored count as successes.
         * Combined with {@link #recordExceptions(Class[])}, an error matching either is recorded.
         *
         * @param predicate true for an error that should count towards the failure rate
         * @return this builder
         * @throws NullPointerException if {@code predicate} is null
         */
        public Builder recordException(Predicate<Throwable> predicate) {
            this.recordExceptionPredicate = Objects.requireNonNull(predicate, "recordException predicate");
            return this;
        }

        /**
         * Exception types (and their subclasses) counted as failures; once any is given, other errors are recorded
         * only if the {@link #recordException(Predicate)} predicate (if set) matches. Adds to earlier calls.
         *
         * @param types the types to record
         * @return this builder
         * @throws NullPointerException if {@code types} or one of them is null
         */
        @SafeVarargs
        public final Builder recordExceptions(Class<? extends Throwable>... types) {
            this.recordExceptions.addAll(List.of(nonNullTypes("recordExceptions", types)));
            return this;
        }

        /**
         * Failures that count neither as failure nor success (default none); ignore wins over record. An ignored
         * call releases its permission, so it does not use up a HALF_OPEN probe.
         *
         * @param predicate true for an error that should count in no rate (e.g. a client's own validation error)
         * @return this builder
         * @throws NullPointerException if {@code predicate} is null
         */
        public Builder ignoreException(Predicate<Throwable> predicate) {
            this.ignoreExceptionPredicate = Objects.requireNonNull(predicate, "ignoreException predicate");
            return this;
        }

        /**
         * Exception types (and their subclasses) that count in no rate; ignore wins over record. Adds to earlier
         * calls.
         *
         * @param types the types to ignore
         * @return this builder
         * @throws NullPointerException if {@code types} or one of them is null
         */
        @SafeVarargs
        public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
            this.ignoreExceptions.addAll(List.of(nonNullTypes("ignoreExceptions", types)));
            return this;
        }

        /**
         * Builds the immutable configuration; the builder can go on being used for variants.
         *
         * @return the configuration
         * @throws IllegalArgumentException if the {@link #openStateBackoff(double, Duration)} cap is below the wait
         *     in OPEN
         */
        public CircuitBreakerConfig build() {
            if (maxWaitDurationInOpenState != null && maxWaitDurationInOpenState.compareTo(waitDurationInOpenState) < 0) {
                throw new IllegalArgumentException("openStateBackoff maxWait must be >= waitDurationInOpenState ("
                        + waitDurationInOpenState + "), was " + maxWaitDurationInOpenState);
            }
            return new CircuitBreakerConfig(this);
        }

        private static Class<? extends Throwable>[] nonNullTypes(String name, Class<? extends Throwable>[] types) {
            Objects.requireNonNull(types, name);
            for (Class<? extends Throwable> t : types) {
                Objects.requireNonNull(t, name + " contains null");
            }
            return types;
        }
    }
}
