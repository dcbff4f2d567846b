package io.fluxgate.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

import io.fluxgate.internal.Checks;
import io.fluxgate.flow.Clocks;

/**
 * A thread-safe token bucket: {@code permits} per {@code period}, holding at most {@code burst} unused permits.
 * With {@code burst = 1} (the default) permits are evenly spaced, one every {@code period / permits}; a larger
 * burst lets that many pass at once after an idle spell, while the long-run rate stays the same.
 *
 * <p>One limiter may be shared by many streams (and threads) to cap their combined rate: give the same instance to
 * several {@link RateLimit} stages. Implemented as the generic cell rate algorithm (a virtual-scheduling token
 * bucket): one {@code long} of state, O(1) per permit, no timer thread.
 *
 * <p>The bucket starts full. Time comes from an injected nanosecond clock; by default {@code System.nanoTime()},
 * or virtual time under {@code StepVerifier.withVirtualTime} (see {@link Clocks}).
 */
public final class RateLimiter {

    /** Default burst: one permit, i.e. evenly spaced. */
    public static final int DEFAULT_BURST = 1;

    private final int permits;
    private final Duration period;
    private final int burst;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final LongSupplier nanoClock;
    /** Theoretical arrival time of the next permit, on the clock's time line. */
    private long nextFreeNanos;

    private RateLimiter(Builder b) {
        this.permits = b.permits;
        this.period = b.period;
        this.burst = b.burst;
        this.intervalNanos = Math.max(1, b.period.toNanos() / b.permits);
        this.toleranceNanos = (b.burst - 1) * intervalNanos;
        this.nanoClock = b.nanoClock != null ? b.nanoClock : Clocks.defaultNanoClock();
        this.nextFreeNanos = nanoClock.getAsLong() - toleranceNanos;
    }

    /** A builder; {@link Builder#permits(int)} and {@link Builder#per(Duration)} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code permits} per second, evenly spaced.
     *
     * @throws IllegalArgumentException if {@code permits < 1}
     */
    public static RateLimiter perSecond(int permits) {
        return builder().permits(permits).per(Duration.ofSeconds(1)).build();
    }

    /**
     * {@code permits} per {@code period}, evenly spaced.
     *
     * @throws IllegalArgumentException if {@code permits < 1} or {@code period} is not positive
     */
    public static RateLimiter of(int permits, Duration period) {
        return builder().permits(permits).per(period).build();
    }

    /**
     * Takes one permit, waiting if necessary: returns how long the caller must wait before using it
     * ({@link Duration#ZERO} if available now). The permit is reserved immediately, so concurrent callers queue
     * up fairly behind each other; a reserved permit is not returned if the caller gives up.
     */
    public Duration reserve() {
        return Duration.ofNanos(reserveNanos());
    }

    /** As {@link #reserve()}, in nanoseconds. */
    public long reserveNanos() {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            long tat = Math.max(nextFreeNanos, now - toleranceNanos);
            nextFreeNanos = tat + intervalNanos;
            // the permit may be used once the bucket has room for it: tat (earliest slot) is at or before now
            return Math.max(0, tat - now);
        }
    }

    /** Takes one permit if it is available now, without waiting; {@code false} leaves the bucket unchanged. */
    public boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            long tat = Math.max(nextFreeNanos, now - toleranceNanos);
            if (tat > now) {
                return false;
            }
            nextFreeNanos = tat + intervalNanos;
            return true;
        }
    }

    /** Permits per {@link #period()}. */
    public int permits() {
        return permits;
    }

    /** The period the permits are counted over. */
    public Duration period() {
        return period;
    }

    /** The most permits handed out at once after an idle spell. */
    public int burst() {
        return burst;
    }

    /** Spacing between permits at the sustained rate. */
    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }

    @Override
    public String toString() {
        return "RateLimiter[" + permits + " per " + period + ", burst " + burst + "]";
    }

    /** Configuration; each setter validates its argument and names the bad value. */
    public static final class Builder {
        private int permits;
        private Duration period;
        private int burst = DEFAULT_BURST;
        private LongSupplier nanoClock;

        private Builder() {
        }

        /**
         * Permits per period.
         *
         * @throws IllegalArgumentException if {@code permits < 1}
         */
        public Builder permits(int permits) {
            this.permits = Checks.atLeast("permits", permits, 1);
            return this;
        }

        /**
         * The period.
         *
         * @throws IllegalArgumentException if {@code period} is zero or negative
         */
        public Builder per(Duration period) {
            this.period = Checks.requirePositive("period", period);
            return this;
        }

        /**
         * Most permits available at once after idling (bucket capacity); {@code 1} means evenly spaced.
         *
         * @throws IllegalArgumentException if {@code burst < 1}
         */
        public Builder burst(int burst) {
            this.burst = Checks.atLeast("burst", burst, 1);
            return this;
        }

        /** Nanosecond clock (default {@link Clocks#defaultNanoClock()}). */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Builds the limiter.
         *
         * @throws IllegalStateException if permits or period is missing
         */
        public RateLimiter build() {
            if (permits == 0 || period == null) {
                throw new IllegalStateException("permits and per(period) are required");
            }
            return new RateLimiter(this);
        }
    }
}
