package io.fluxgate.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one home of the time helpers every operator needs: the default nanosecond clock (which follows
 * {@code StepVerifier.withVirtualTime}), a scheduler's clock, the default scheduler resolved at use, and
 * {@code Duration}-to-nanoseconds conversion that saturates instead of throwing. Internal: not part of the API.
 *
 * <p>Reactor's schedulers report {@code now()} from {@code System.currentTimeMillis()}: millisecond resolution and
 * wall-clock jumps, too coarse for sub-millisecond rate limits and call latencies. The default clock is therefore
 * {@link System#nanoTime()}, except while {@code Schedulers.parallel()} has been replaced by a virtual-time
 * scheduler (reactor-test), whose clock it then follows. The check is made on every read, so one operator instance
 * works in both worlds.
 */
public final class Time {

    private static final String VIRTUAL_TIME_SCHEDULER = "reactor.test.scheduler.VirtualTimeScheduler";

    private static final LongSupplier DEFAULT = () -> {
        Scheduler actual = unwrap(Schedulers.parallel());
        return isVirtual(actual) ? actual.now(TimeUnit.NANOSECONDS) : System.nanoTime();
    };

    private Time() {
    }

    /** @return monotonic nanoseconds, or virtual time while a virtual-time scheduler is installed */
    public static LongSupplier defaultNanoClock() {
        return DEFAULT;
    }

    /**
     * @param scheduler the configured scheduler, or {@code null} for none
     * @return the clock of {@code scheduler}, or {@link #defaultNanoClock()} when none was configured
     */
    public static LongSupplier nanoClockOf(@Nullable Scheduler scheduler) {
        return scheduler == null ? DEFAULT : () -> scheduler.now(TimeUnit.NANOSECONDS);
    }

    /**
     * @param scheduler the configured scheduler, or {@code null} for none
     * @return {@code scheduler}, or {@code Schedulers.parallel()} looked up now (so a virtual-time scheduler
     *     installed by {@code StepVerifier.withVirtualTime} is found); call it at subscription, not at assembly
     */
    public static Scheduler schedulerOr(@Nullable Scheduler scheduler) {
        return scheduler != null ? scheduler : Schedulers.parallel();
    }

    /**
     * @param d a duration, not negative
     * @return {@code d} in nanoseconds, {@link Long#MAX_VALUE} when it does not fit (about 292 years)
     */
    public static long saturatedNanos(Duration d) {
        return saturatedNanos(d, Long.MAX_VALUE);
    }

    /**
     * @param d   a duration, not negative
     * @param cap the largest result
     * @return {@code d} in nanoseconds, at most {@code cap}
     */
    public static long saturatedNanos(Duration d, long cap) {
        return d.compareTo(Duration.ofNanos(cap)) >= 0 ? cap : d.toNanos();
    }

    private static Scheduler unwrap(Scheduler parallel) {
        // Schedulers.parallel() hands out a caching wrapper (a Supplier of the real scheduler)
        return parallel instanceof Supplier<?> wrapper && wrapper.get() instanceof Scheduler inner ? inner : parallel;
    }

    private static boolean isVirtual(Scheduler s) {
        return s.getClass().getName().equals(VIRTUAL_TIME_SCHEDULER);
    }
}
