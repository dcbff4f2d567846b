package io.fluxgate.window.internal;

import io.fluxgate.window.LatePolicy;
import io.fluxgate.window.ResumeState;
import io.fluxgate.window.WindowStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import reactor.core.scheduler.Scheduler;

/**
 * The validated, immutable configuration of a {@code UniqueUsers} operator, times already converted to the
 * event-time unit. Internal: built only by {@code UniqueUsers.Builder}.
 */
public final class WindowSpec<T> {

    public final List<Duration> sizes;
    final long[] sizeUnits;
    public final ChronoUnit unit;
    final ToLongFunction<? super T> eventTime;
    final Function<? super T, ? extends CharSequence> userId;
    final ToLongFunction<? super T> userKey;
    final long lateness;
    final LatePolicy<? super T> latePolicy;
    final long retention;
    final Duration idleFlush;
    /** The configured scheduler, or null for {@code Schedulers.parallel()} looked up at subscription. */
    final @org.jspecify.annotations.Nullable Scheduler scheduler;
    final long maxFutureSkew;
    final boolean approximate;
    final int lgK;
    final Metrics metrics;
    final WindowStats stats;
    final Function<? super T, ?> partitionOf;
    final Duration partitionIdleTimeout;
    final ToLongFunction<? super T> positionOf;
    final ResumeState resume;
    final int prefetch;
    /** The input is {@code Pulse<T>} (heartbeat items and ticks) rather than {@code T}. */
    final boolean pulses;
    /** The stage name: meter tag and {@code toString()}. */
    final String name;

    public WindowSpec(List<Duration> sizes, long[] sizeUnits, ChronoUnit unit, ToLongFunction<? super T> eventTime,
                      Function<? super T, ? extends CharSequence> userId, ToLongFunction<? super T> userKey,
                      long lateness, LatePolicy<? super T> latePolicy, long retention, Duration idleFlush,
                      Scheduler scheduler, long maxFutureSkew, boolean approximate, int lgK, MeterRegistry registry,
                      String metricsName, WindowStats stats, Function<? super T, ?> partitionOf,
                      Duration partitionIdleTimeout, ToLongFunction<? super T> positionOf, ResumeState resume,
                      int prefetch, boolean pulses) {
        this.sizes = sizes;
        this.sizeUnits = sizeUnits.clone();
        this.unit = unit;
        this.eventTime = eventTime;
        this.userId = userId;
        this.userKey = userKey;
        this.lateness = lateness;
        this.latePolicy = latePolicy;
        this.retention = retention;
        this.idleFlush = idleFlush;
        this.scheduler = scheduler;
        this.maxFutureSkew = maxFutureSkew;
        this.approximate = approximate;
        this.lgK = lgK;
        this.name = metricsName;
        this.metrics = registry == null ? null : new Metrics(registry, metricsName);
        this.stats = stats;
        this.partitionOf = partitionOf;
        this.partitionIdleTimeout = partitionIdleTimeout;
        this.positionOf = positionOf;
        this.resume = resume;
        this.prefetch = prefetch;
        this.pulses = pulses;
    }

    /** True when the operator needs a processing-time timer. */
    boolean timed() {
        return idleFlush != null || (partitionOf != null && partitionIdleTimeout != null);
    }

    @Override
    public String toString() {
        return "[name=" + name + ", sizes=" + sizes + ", unit=" + unit + ", lateness=" + lateness + ", late=" + latePolicy
                + (idleFlush != null ? ", idleFlush=" + idleFlush : "")
                + (maxFutureSkew >= 0 ? ", maxFutureSkew=" + maxFutureSkew : "")
                + (approximate ? ", approximate(lgK=" + lgK + ")" : ", exact")
                + (pulses ? ", pulses" : "") + (partitionOf != null ? ", partitioned" : "") + (positionOf != null ? ", checkpoints" : "") + "]";
    }

    /** Meters shared by all subscriptions of one operator. */
    static final class Metrics {
        final Counter events;
        final Counter late;
        final Counter future;
        final Counter dropped;
        final Counter sideOutput;
        final Counter replayedSkipped;
        final Counter windowsEmitted;
        final Counter revisionsEmitted;
        final AtomicLong openWindows = new AtomicLong();

        Metrics(MeterRegistry r, String name) {
            // the naming scheme of every operator: fluxgate.<operator>.<measure>, tagged name=<stage>
            String p = "fluxgate.window";
            io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("name", name);
            events = r.counter(p + ".events", tags);
            late = r.counter(p + ".late", tags);
            future = r.counter(p + ".future", tags);
            dropped = r.counter(p + ".dropped", tags);
            sideOutput = r.counter(p + ".side.output", tags);
            replayedSkipped = r.counter(p + ".replayed.skipped", tags);
            windowsEmitted = r.counter(p + ".windows.emitted", tags);
            revisionsEmitted = r.counter(p + ".revisions.emitted", tags);
            r.gauge(p + ".windows.open", tags, openWindows);
        }

        void add(WindowStats.Snapshot d) {
            inc(events, d.events());
            inc(late, d.late());
            inc(future, d.future());
            inc(dropped, d.dropped());
            inc(sideOutput, d.sideOutput());
            inc(replayedSkipped, d.replayedSkipped());
            inc(windowsEmitted, d.windowsEmitted());
            inc(revisionsEmitted, d.revisionsEmitted());
        }

        private static void inc(Counter c, long n) {
            if (n != 0) {
                c.increment(n);
            }
        }
    }
}
