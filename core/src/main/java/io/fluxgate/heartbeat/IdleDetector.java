package io.fluxgate.heartbeat;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Time;
import reactor.core.scheduler.Scheduler;

/**
 * Idle detection on an injected clock: a source is idle once no activity was marked for {@code interval}.
 *
 * <p>This is the clock abstraction the timed operators share (heartbeat, and any operator with an idle flush): time
 * is read from a Reactor {@link Scheduler} through {@link #clockOf(Scheduler)}, so under
 * {@code StepVerifier.withVirtualTime} every operator sees the same virtual time and their idle rules compose. The
 * detector never schedules anything itself: the operator arms one timer at {@link #nanosUntilIdle()} and re-checks
 * when it fires, which costs one timer per interval instead of one per element.
 *
 * <p>Two operators compose on it: {@link Heartbeat} injects a {@link Pulse.Tick} when its detector finds the source
 * idle, and the window operator's idle flush ({@code io.fluxgate.window.UniqueUsers.Builder#idleFlush}) advances
 * its watermark when its detector does; {@code UniqueUsers.Builder#buildForPulses()} lets the heartbeat's ticks drive
 * the window's flush directly.
 *
 * <p>{@link #markActive()} may be called from any thread; the rest reads consistent-enough values for a timer.
 */
public final class IdleDetector {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private volatile long lastActive;

    /**
     * @param interval the silence after which the source is idle, positive; saturated at {@code Long.MAX_VALUE}
     *     nanoseconds
     * @param nanoClock a monotonic nanosecond clock, e.g. {@link #clockOf(Scheduler)}
     * @throws IllegalArgumentException if {@code interval} is not positive
     * @throws NullPointerException     if an argument is null
     */
    public IdleDetector(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = Time.saturatedNanos(Checks.requirePositive("interval", interval));
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.lastActive = nanoClock.getAsLong();
    }

    /**
     * @param scheduler the scheduler whose clock to read
     * @return the scheduler's clock in nanoseconds ({@link Scheduler#now}), virtual under a VirtualTimeScheduler
     */
    public static LongSupplier clockOf(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler");
        return Time.nanoClockOf(scheduler);
    }

    /** Records activity now: the idle interval starts again. */
    public void markActive() {
        lastActive = nanoClock.getAsLong();
    }

    /**
     * Records activity at {@code nowNanos}, a value the caller just read from this detector's clock: a hot path that
     * already reads the clock per element saves a second read.
     *
     * @param nowNanos a value just read from this detector's clock
     */
    public void markActive(long nowNanos) {
        lastActive = nowNanos;
    }

    /** @return nanoseconds until the source counts as idle; zero or negative when it already is */
    public long nanosUntilIdle() {
        return nanosUntilIdle(nanoClock.getAsLong());
    }

    /**
     * @param nowNanos a value just read from this detector's clock
     * @return {@link #nanosUntilIdle()} at {@code nowNanos}, a value read from this detector's clock
     */
    public long nanosUntilIdle(long nowNanos) {
        return intervalNanos - silenceNanos(nowNanos);
    }

    /**
     * @param nowNanos a value just read from this detector's clock
     * @return nanoseconds since the last activity at {@code nowNanos} (never negative), a value read from this detector's clock
     */
    public long silenceNanos(long nowNanos) {
        return Math.max(0L, nowNanos - lastActive);
    }

    /** @return whether nothing was marked for at least the interval */
    public boolean isIdle() {
        return nanosUntilIdle() <= 0;
    }

    /** @return how long since the last activity */
    public Duration silence() {
        return Duration.ofNanos(silenceNanos(nanoClock.getAsLong()));
    }

    /** @return the idle interval (saturated at {@code Long.MAX_VALUE} nanoseconds) */
    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }
}
