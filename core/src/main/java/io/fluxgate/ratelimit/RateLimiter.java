package io.fluxgate.ratelimit;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Time;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe token bucket: {@code permits} per {@code period}, holding at most {@code burst} unused permits.
 * With {@code burst = 1} (the default) permits are evenly spaced, one every {@code period / permits}; a larger
 * burst lets that many pass at once after an idle spell, while the long-run rate stays the same.
 *
 * <p>One limiter may be shared by many streams (and threads) to cap their combined rate: give the same instance to
 * several {@link RateLimit} stages. Implemented as the generic cell rate algorithm (a virtual-scheduling token
 * bucket): O(1) per permit, no timer thread.
 *
 * <h2>Exact rate</h2> The interval {@code period / permits} is kept as an exact fraction of a nanosecond (whole
 * nanoseconds plus a remainder in {@code 1/permits} ns), never rounded: 300M/s and 999,999,999/s hand out exactly that many
 * permits per second, and {@link #tryAcquire()} makes the same decisions as Bucket4j's greedy refill at any rate.
 * A wait is rounded up to the next whole nanosecond (a permit is never handed out before it is due).
 *
 * <h2>Late wake-ups are made up (catch-up)</h2> A caller that was told to wait (it is being throttled) and wakes
 * up later than its slot still gets the permits it missed: its next reservations are granted at once, on the
 * original schedule, until it is back on time. Without this, every wake-up later than one interval would lose the
 * difference for good and a burst-1 limiter would run below its rate (at 10k/s with 10% of wake-ups 300 &micro;s
 * late: -17%). Guava keeps the rate with up to one second of stored permits, which also lets that many through
 * after any idle spell; here only a throttled caller is credited, and only while the first slot it missed passed at
 * most {@link Builder#catchUp(Duration)} ago (default {@value #DEFAULT_CATCH_UP_MILLIS} ms, beyond the burst's own
 * tolerance): a caller that comes back later than that counts as having been idle, and an idle caller gets at most
 * {@code burst} permits at once. {@link #tryAcquire()} never uses
 * the credit (a caller that does not wait has no wake-up to be late for). Consequence: in any stretch of
 * {@code d} nanoseconds at most {@code burst + (d + catchUp) / interval} permits are handed out, and exactly
 * {@code burst + d / interval} counting each permit at its scheduled slot.
 *
 * <h2>Bounded waits</h2> {@link #tryReserveNanos(long)} reserves a permit only if it is due within a given wait,
 * as Resilience4j's {@code timeoutDuration}; {@link RateLimit.Builder#maxWait(Duration)} uses it.
 *
 * <p>The bucket starts full. Time comes from an injected nanosecond clock; by default {@code System.nanoTime()},
 * or virtual time under {@code StepVerifier.withVirtualTime} (the default clock checks on every read whether one is installed).
 */
public final class RateLimiter {

    /** Default burst: one permit, i.e. evenly spaced. */
    public static final int DEFAULT_BURST = 1;

    /** Default {@link Builder#catchUp(Duration)} in milliseconds. */
    public static final long DEFAULT_CATCH_UP_MILLIS = 100;

    /** Default {@link Builder#catchUp(Duration)}: late wake-ups of throttled callers are made up to 100 ms. */
    public static final Duration DEFAULT_CATCH_UP = Duration.ofMillis(DEFAULT_CATCH_UP_MILLIS);

    private final int permits;
    private final Duration period;
    private final int burst;
    private final Duration catchUp;
    /** The interval is {@code intervalWhole + intervalFrac / permits} nanoseconds, exactly. */
    private final long intervalWhole;
    private final long intervalFrac;
    /** The tolerance {@code (burst - 1) * interval}, in the same exact form. */
    private final long toleranceWhole;
    private final long toleranceFrac;
    private final long catchUpNanos;
    /** The clock; the default one may be replaced once by a stage's scheduler clock ({@link #alignClock}). */
    private LongSupplier nanoClock;
    private final boolean clockInjected;
    /** Theoretical arrival time of the next permit: {@code tatWhole + tatFrac / permits} on the clock's line. */
    private long tatWhole;
    private long tatFrac;
    /**
     * Whether callers are being throttled: a grant found no spare permit, and no idle spell has refilled the
     * bucket since. Only then is lateness credited.
     */
    private boolean throttled;
    private reactor.core.scheduler.@Nullable Scheduler alignedTo;

    private RateLimiter(Builder b) {
        this.permits = b.permits;
        this.period = b.period;
        this.burst = b.burst;
        this.catchUp = b.catchUp;
        // capped at a quarter of the clock's range so that differences cannot overflow
        this.catchUpNanos = Time.saturatedNanos(b.catchUp, Long.MAX_VALUE / 4);
        BigInteger n = BigInteger.valueOf(b.permits);
        BigInteger p = BigInteger.valueOf(b.period.toNanos());
        BigInteger[] interval = p.divideAndRemainder(n);
        this.intervalWhole = interval[0].longValueExact();
        this.intervalFrac = interval[1].longValueExact();
        BigInteger[] tolerance = p.multiply(BigInteger.valueOf(b.burst - 1L)).divideAndRemainder(n);
        this.toleranceWhole = tolerance[0].min(BigInteger.valueOf(Long.MAX_VALUE / 4)).longValueExact();
        this.toleranceFrac = tolerance[1].longValueExact();
        this.clockInjected = b.nanoClock != null;
        this.nanoClock = b.nanoClock != null ? b.nanoClock : Time.defaultNanoClock();
        // the bucket starts full: the next permit was due one tolerance ago
        long now = nanoClock.getAsLong();
        this.tatWhole = lowerWhole(now);
        this.tatFrac = lowerFrac();
    }

    /**
     * A builder; {@link Builder#permits(int)} and {@link Builder#per(Duration)} are required.
     *
     * @return a new builder with burst {@value #DEFAULT_BURST} and catch-up {@value #DEFAULT_CATCH_UP_MILLIS} ms
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code permits} per second, evenly spaced.
     *
     * @param permits permits per second, at least 1
     * @return a new limiter with a full bucket (burst 1)
     * @throws IllegalArgumentException if {@code permits < 1}
     */
    public static RateLimiter perSecond(int permits) {
        return builder().permits(permits).per(Duration.ofSeconds(1)).build();
    }

    /**
     * {@code permits} per {@code period}, evenly spaced.
     *
     * @param permits permits per {@code period}, at least 1
     * @param period the period, positive
     * @return a new limiter with a full bucket (burst 1)
     * @throws IllegalArgumentException if {@code permits < 1}, {@code period} is not positive, or {@code period} is
     *     shorter than {@code permits} nanoseconds (more than one permit a nanosecond, which the clock cannot space)
     */
    public static RateLimiter of(int permits, Duration period) {
        return builder().permits(permits).per(period).build();
    }

    /**
     * Takes one permit, waiting if necessary: returns how long the caller must wait before using it
     * ({@link Duration#ZERO} if available now). The permit is reserved immediately, so concurrent callers queue
     * up fairly behind each other; a reserved permit is not returned if the caller gives up.
     *
     * @return the wait before the permit is due, zero or positive
     */
    public Duration reserve() {
        return Duration.ofNanos(reserveNanos());
    }

    /**
     * As {@link #reserve()}, in nanoseconds, without allocating a {@code Duration}.
     *
     * @return nanoseconds to wait before the permit is due, zero or positive
     */
    public long reserveNanos() {
        return tryReserveNanos(Long.MAX_VALUE);
    }

    /**
     * Takes one permit if it is due within {@code maxWaitNanos}: returns the nanoseconds to wait before using it
     * (0 if available now), or {@code -1} if it is due later, in which case nothing is reserved (Resilience4j's
     * {@code reservePermission(timeout)}).
     *
     * @param maxWaitNanos the longest acceptable wait, zero or positive; {@code 0} takes a permit only if it is
     *     available now (as {@link #tryAcquire()}), {@code Long.MAX_VALUE} always reserves (as {@link #reserve()})
     * @return nanoseconds to wait before using the reserved permit ({@code 0..maxWaitNanos}), or {@code -1} if none
     *     was reserved
     * @throws IllegalArgumentException if {@code maxWaitNanos} is negative
     */
    public long tryReserveNanos(long maxWaitNanos) {
        if (maxWaitNanos < 0) {
            throw new IllegalArgumentException("maxWaitNanos must be >= 0, was " + maxWaitNanos);
        }
        synchronized (this) {
            long now = nanoClock.getAsLong();
            long lowerWhole = lowerWhole(now);
            long lowerFrac = lowerFrac();
            long slotWhole = tatWhole;
            long slotFrac = tatFrac;
            boolean reset = false;
            if (compare(slotWhole, slotFrac, lowerWhole, lowerFrac) < 0) {
                // the bucket would hold more than burst permits: either an idle spell (cap it at burst) or a
                // throttled caller waking up late (keep the schedule so the permits it missed are made up)
                reset = !(throttled && maxWaitNanos > 0
                        && compare(slotWhole, slotFrac, lowerWhole - catchUpNanos, lowerFrac) >= 0);
                if (reset) {
                    slotWhole = lowerWhole;
                    slotFrac = lowerFrac;
                }
            }
            // ceil(slot - now): a permit is never used before it is due
            long wait = slotWhole - now + (slotFrac > 0 ? 1 : 0);
            if (wait < 0) {
                wait = 0;
            }
            if (wait > maxWaitNanos) {
                return -1;
            }
            tatWhole = slotWhole + intervalWhole;
            tatFrac = slotFrac + intervalFrac;
            if (tatFrac >= permits) {
                tatFrac -= permits;
                tatWhole++;
            }
            // throttled: this caller found no spare permit (its slot is not before now), or was throttled and is
            // still on the schedule; an idle reset ends it
            throttled = throttled && !reset || compare(slotWhole, slotFrac, now, 0) >= 0;
            return wait;
        }
    }

    /**
     * Takes one permit if it is available now, without waiting; {@code false} leaves the bucket unchanged. Never
     * uses the catch-up credit, so a limiter used only through this method is an exact token bucket (Bucket4j's
     * greedy refill).
     *
     * @return whether a permit was taken
     */
    public boolean tryAcquire() {
        return tryReserveNanos(0) == 0;
    }

    /**
     * Makes the limiter read time from {@code scheduler} (a {@link RateLimit} stage's waits run there), keeping its
     * state: the schedule is moved onto the new clock's line at the current instant of each. A limiter built with
     * its own {@link Builder#nanoClock(LongSupplier)} keeps it (its owner chose the time line), and a scheduler
     * other than the one already aligned is refused, since one limiter has one time line.
     *
     * @throws IllegalArgumentException if the limiter is aligned to another scheduler
     */
    synchronized void alignClock(reactor.core.scheduler.Scheduler scheduler) {
        if (scheduler == alignedTo || clockInjected) {
            return;
        }
        if (alignedTo != null) {
            throw new IllegalArgumentException("cannot align " + this + " with scheduler " + scheduler
                    + ": it already reads scheduler " + alignedTo + "; one limiter has one clock");
        }
        LongSupplier next = Time.nanoClockOf(scheduler);
        long shift = next.getAsLong() - nanoClock.getAsLong();
        tatWhole += shift;
        nanoClock = next;
        alignedTo = scheduler;
    }

    /** Whole nanoseconds of {@code now - tolerance}, rounded down; {@link #lowerFrac()} is the remainder. */
    private long lowerWhole(long now) {
        return now - toleranceWhole - (toleranceFrac > 0 ? 1 : 0);
    }

    private long lowerFrac() {
        return toleranceFrac > 0 ? permits - toleranceFrac : 0;
    }

    /** Compares two exact times on the (wrapping) nanosecond line. */
    private static int compare(long aWhole, long aFrac, long bWhole, long bFrac) {
        long d = aWhole - bWhole;
        if (d != 0) {
            return d < 0 ? -1 : 1;
        }
        return Long.compare(aFrac, bFrac);
    }

    /**
     * Permits per {@link #period()}.
     *
     * @return at least 1
     */
    public int permits() {
        return permits;
    }

    /**
     * The period the permits are counted over.
     *
     * @return a positive duration
     */
    public Duration period() {
        return period;
    }

    /**
     * The most permits handed out at once after an idle spell (the bucket's capacity).
     *
     * @return at least 1
     */
    public int burst() {
        return burst;
    }

    /**
     * Spacing between permits at the sustained rate, rounded down to whole nanoseconds (at least 1 ns) for
     * display; the limiter itself uses the exact fraction.
     *
     * @return {@code period / permits}, at least 1 ns
     */
    public Duration interval() {
        return Duration.ofNanos(Math.max(1, intervalWhole));
    }

    /**
     * How late a throttled caller may come back and still get the permits it missed.
     *
     * @return zero (no catch-up) or positive
     */
    public Duration catchUp() {
        return catchUp;
    }

    @Override
    public String toString() {
        return "RateLimiter[" + permits + " per " + period + ", burst " + burst + "]";
    }

    /** Configuration; each setter validates its argument and names the bad value. Not thread-safe. */
    public static final class Builder {
        private int permits;
        private @Nullable Duration period;
        private int burst = DEFAULT_BURST;
        private Duration catchUp = DEFAULT_CATCH_UP;
        private @Nullable LongSupplier nanoClock;

        private Builder() {
        }

        /**
         * Permits per period. Required.
         *
         * @param permits at least 1 and at most the period in nanoseconds (checked by {@link #build()}); the interval
         *     {@code period / permits} is kept exactly, so any such count is honoured
         * @return this builder
         * @throws IllegalArgumentException if {@code permits < 1}
         */
        public Builder permits(int permits) {
            this.permits = Checks.atLeast("permits", permits, 1);
            return this;
        }

        /**
         * The period the {@link #permits(int)} are counted over. Required.
         *
         * @param period positive
         * @return this builder
         * @throws IllegalArgumentException if {@code period} is zero or negative
         */
        public Builder per(Duration period) {
            this.period = Checks.requirePositive("period", period);
            return this;
        }

        /**
         * Most permits available at once after idling (bucket capacity); {@code 1} means evenly spaced.
         *
         * @param burst at least 1; default {@value RateLimiter#DEFAULT_BURST}
         * @return this builder
         * @throws IllegalArgumentException if {@code burst < 1}
         */
        public Builder burst(int burst) {
            this.burst = Checks.atLeast("burst", burst, 1);
            return this;
        }

        /**
         * How late a throttled caller (one that was told to wait) may come back and still be given the permits it
         * missed, at once, so that late wake-ups do not lower the long-run rate (default
         * {@value RateLimiter#DEFAULT_CATCH_UP_MILLIS} ms). {@link Duration#ZERO} makes the limiter a plain token bucket in
         * which time a caller is late for is lost.
         *
         * @param catchUp zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code catchUp} is negative
         */
        public Builder catchUp(Duration catchUp) {
            this.catchUp = Checks.requireNonNegative("catchUp", catchUp);
            return this;
        }

        /**
         * Nanosecond clock (default {@code System.nanoTime()}, virtual time under {@code StepVerifier.withVirtualTime}), injected so the algorithm is tested without
         * timers.
         *
         * @param nanoClock a monotonic clock in nanoseconds, like {@code System::nanoTime}; only differences of its
         *     readings are used
         * @return this builder
         * @throws NullPointerException if {@code nanoClock} is null
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Builds the limiter, its bucket full.
         *
         * @return a new, thread-safe limiter
         * @throws IllegalArgumentException if permits or period is missing, or the period is shorter than
         *     {@code permits} nanoseconds (more than one permit a nanosecond)
         */
        public RateLimiter build() {
            if (permits == 0 || period == null) {
                throw new IllegalArgumentException("permits and per(period) are required, were permits=" + permits
                        + ", period=" + period);
            }
            if (period.compareTo(Duration.ofNanos(permits)) < 0) {
                // the clock ticks in nanoseconds: more than one permit a nanosecond is a burst, not a rate
                throw new IllegalArgumentException("period " + period + " is too short for " + permits
                        + " permits: at most one permit a nanosecond (period >= " + Duration.ofNanos(permits)
                        + "); use a longer period or fewer permits");
            }
            return new RateLimiter(this);
        }
    }
}
