package io.fluxgate.heartbeat.internal;

import java.time.Duration;
import java.util.function.LongSupplier;

import io.fluxgate.heartbeat.StageHealth;
import io.fluxgate.heartbeat.StageHealth.Status;
import io.fluxgate.heartbeat.StageStalledException;
import io.fluxgate.heartbeat.StallListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.util.annotation.Nullable;

/**
 * The stall state machine of one subscription of a watched stage; plain Java on an injected clock, driven by the
 * operator's hooks (input, output, request) and a periodic check. Public only for the API class in the parent
 * package; not part of the API.
 *
 * <p>The stall clock starts at the later of (a) the first input since the last output and (b) the moment downstream
 * demand last went from zero to positive, so time spent legitimately backpressured never counts as a stall. Events
 * fire on edges only and outside the lock.
 */
public final class StageMonitor {

    private static final Logger log = LoggerFactory.getLogger(StageMonitor.class);
    private static final long NONE = Long.MIN_VALUE;

    private final String stage;
    private final long stallAfterNanos;
    private final long failAfterNanos; // Long.MAX_VALUE: never fail
    private final LongSupplier clock;
    private final StallListener listener;

    // guarded by this
    private long inputs;
    private long outputs;
    private long pending;
    private long firstPendingAt = NONE;
    private long demand;
    private long demandSince = NONE;
    private boolean stalled;
    @Nullable
    private StageStalledException failure;
    private long stalls;

    public StageMonitor(String stage, Duration stallAfter, @Nullable Duration failAfter, LongSupplier clock,
                        StallListener listener) {
        this.stage = stage;
        this.stallAfterNanos = stallAfter.toNanos();
        this.failAfterNanos = failAfter == null ? Long.MAX_VALUE : failAfter.toNanos();
        this.clock = clock;
        this.listener = listener;
    }

    public void onInput() {
        long now = clock.getAsLong();
        synchronized (this) {
            inputs++;
            if (pending++ == 0) {
                firstPendingAt = now;
            }
        }
    }

    public void onOutput() {
        boolean recovered;
        StageHealth h = null;
        synchronized (this) {
            outputs++;
            pending = 0;
            firstPendingAt = NONE;
            if (demand != Long.MAX_VALUE && demand > 0) {
                demand--;
            }
            recovered = stalled && failure == null;
            if (recovered) {
                stalled = false;
                h = snapshot(clock.getAsLong());
            }
        }
        if (recovered) {
            fire(true, h);
        }
    }

    public void onRequest(long n) {
        long now = clock.getAsLong();
        synchronized (this) {
            if (demand == 0) {
                demandSince = now;
            }
            long d = demand + n;
            demand = d < 0 ? Long.MAX_VALUE : d;
        }
    }

    /**
     * Re-evaluates; fires edge events.
     *
     * @return the exception to fail the stage with, the first time the failure threshold is crossed; else null
     */
    @Nullable
    public StageStalledException check() {
        long now = clock.getAsLong();
        Boolean edge = null;
        StageHealth h;
        StageStalledException failNow = null;
        synchronized (this) {
            if (failure != null) {
                return null;
            }
            long age = stallAge(now);
            boolean isStalled = age >= stallAfterNanos;
            if (isStalled && age >= failAfterNanos) {
                failure = new StageStalledException(stage, Duration.ofNanos(age), pending);
                failNow = failure;
            }
            if (isStalled != stalled) {
                stalled = isStalled;
                edge = isStalled;
                if (isStalled) {
                    stalls++;
                }
            }
            h = snapshot(now);
        }
        if (edge != null) {
            fire(!edge, h);
        }
        if (failNow != null) {
            try {
                listener.onFailed(failNow);
            } catch (Throwable ex) {
                log.warn("stall listener of stage '{}' failed", stage, ex);
            }
        }
        return failNow;
    }

    /** The subscription ended: a stall that was not a failure is over. */
    public void close() {
        StageHealth h = null;
        synchronized (this) {
            pending = 0;
            firstPendingAt = NONE;
            demand = 0;
            if (stalled && failure == null) {
                stalled = false;
                h = snapshot(clock.getAsLong());
            }
        }
        if (h != null) {
            fire(true, h);
        }
    }

    @Nullable
    public synchronized StageStalledException failure() {
        return failure;
    }

    public synchronized long stalls() {
        return stalls;
    }

    public StageHealth health() {
        long now = clock.getAsLong();
        synchronized (this) {
            return snapshot(now);
        }
    }

    // guarded by this; -1 when the stall condition does not hold
    private long stallAge(long now) {
        if (pending == 0 || demand == 0) {
            return -1;
        }
        long since = Math.max(firstPendingAt, demandSince);
        return Math.max(0, now - since);
    }

    // guarded by this
    private StageHealth snapshot(long now) {
        long age = stallAge(now);
        Status status;
        if (failure != null) {
            status = Status.FAILED;
        } else if (pending == 0) {
            status = Status.IDLE;
        } else if (demand == 0) {
            status = Status.BACKPRESSURED;
        } else if (age >= stallAfterNanos) {
            status = Status.STALLED;
        } else {
            status = Status.BUSY;
        }
        Duration oldest = pending == 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, now - firstPendingAt));
        Duration stalledFor = status == Status.STALLED ? Duration.ofNanos(age)
                : status == Status.FAILED ? failure.stalledFor() : Duration.ZERO;
        return new StageHealth(stage, status, pending, oldest, stalledFor, inputs, outputs);
    }

    private void fire(boolean recovered, StageHealth h) {
        try {
            if (recovered) {
                listener.onRecovered(h);
            } else {
                listener.onStalled(h);
            }
        } catch (Throwable ex) {
            log.warn("stall listener of stage '{}' failed", stage, ex);
        }
    }
}
