package io.fluxgate.flow;

import org.jspecify.annotations.Nullable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The default nanosecond clock of the flow-control operators.
 *
 * <p>Reactor's schedulers report {@code now()} from {@code System.currentTimeMillis()}: millisecond resolution
 * and wall-clock jumps, too coarse for sub-millisecond rate limits and call latencies. Operators therefore use
 * {@link System#nanoTime()}, except when {@code Schedulers.parallel()} has been replaced by a virtual-time scheduler
 * (reactor-test's {@code StepVerifier.withVirtualTime}), whose clock they must follow. The check is made on every
 * read, so the same operator instance works in both worlds.
 */
public final class Clocks {

    private static final String VIRTUAL_TIME_SCHEDULER = "reactor.test.scheduler.VirtualTimeScheduler";

    private static final LongSupplier DEFAULT = () -> {
        Scheduler parallel = Schedulers.parallel();
        // Schedulers.parallel() hands out a caching wrapper (a Supplier of the real scheduler)
        Scheduler actual = parallel instanceof Supplier<?> wrapper && wrapper.get() instanceof Scheduler inner
                ? inner : parallel;
        return actual.getClass().getName().equals(VIRTUAL_TIME_SCHEDULER)
                ? actual.now(TimeUnit.NANOSECONDS) : System.nanoTime();
    };

    private Clocks() {
    }

    /**
     * Monotonic nanoseconds, or virtual time when a virtual-time scheduler is installed.
     *
     * @return a nanosecond clock; read it on every use, it changes when a virtual-time scheduler is installed or
     *     removed
     */
    public static LongSupplier defaultNanoClock() {
        return DEFAULT;
    }

    /**
     * The clock of {@code scheduler} when one was configured, else {@link #defaultNanoClock()}.
     *
     * @param scheduler the configured scheduler, or {@code null} for none
     * @return a nanosecond clock
     */
    public static LongSupplier nanoClockOf(@Nullable Scheduler scheduler) {
        return scheduler == null ? DEFAULT : () -> scheduler.now(TimeUnit.NANOSECONDS);
    }
}
