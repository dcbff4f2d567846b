package io.fluxgate.heartbeat;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.fluxgate.control.Durations;
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
 * <p>{@link #markActive()} may be called from any thread; the rest reads consistent-enough values for a timer.
 */
public final class IdleDetector {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private volatile long lastActive;

    /**
     * @throws IllegalArgumentException if {@code interval} is not positive
     * @throws NullPointerException     if an argument is null
     */
    public IdleDetector(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = Durations.requirePositive("interval", interval).toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.lastActive = nanoClock.getAsLong();
    }

    /** @return the scheduler's clock in nanoseconds ({@link Scheduler#now}), virtual under a VirtualTimeScheduler */
    public static LongSupplier clockOf(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler");
        return () -> scheduler.now(TimeUnit.NANOSECONDS);
    }

    /** Records activity now: the idle interval starts again. */
    public void markActive() {
        lastActive = nanoClock.getAsLong();
    }

    /** @return nanoseconds until the source counts as idle; zero or negative when it already is */
    public long nanosUntilIdle() {
        return lastActive + intervalNanos - nanoClock.getAsLong();
    }

    /** @return whether nothing was marked for at least the interval */
    public boolean isIdle() {
        return nanosUntilIdle() <= 0;
    }

    /** @return how long since the last activity */
    public Duration silence() {
        return Duration.ofNanos(Math.max(0L, nanoClock.getAsLong() - lastActive));
    }

    /** @return the idle interval */
    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }
}
