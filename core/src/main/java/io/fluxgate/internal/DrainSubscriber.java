package io.fluxgate.internal;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.annotation.Nullable;
import reactor.util.context.Context;

/**
 * The Reactive Streams plumbing shared by Fluxgate's hand-written, WIP-serialised operators (batching, heartbeats,
 * windows). Public only because those subscribers live in their features' packages; not part of the API.
 *
 * <p>It owns what those operators did identically: downstream demand in {@code requested} (a field updater,
 * {@link Operators#addCap} on request, decremented by what one drain pass emitted unless unbounded), the one WIP
 * counter every signal enters the drain loop through, terminal signals that only record and drain (a second one is
 * dropped to Reactor's hooks), and an idempotent cancel that cancels upstream and discards what is buffered at once
 * if no drain is running (otherwise the running drain loop sees {@code cancelled} and discards). What is emitted, when,
 * and how much is asked of upstream stays in the subclass's {@link #drainPass} and {@link #upstreamRequest}.
 *
 * @param <I> upstream element type
 * @param <O> downstream element type
 */
public abstract class DrainSubscriber<I, O> implements CoreSubscriber<I>, Subscription, Scannable {

    protected final CoreSubscriber<? super O> actual;
    /** The scheduler signals may be emitted from (timers), reported as RUN_ON with RUN_STYLE ASYNC; null: SYNC. */
    @Nullable
    private final Scheduler runOn;

    protected Subscription s;

    protected volatile long requested;
    @SuppressWarnings("rawtypes")
    protected static final AtomicLongFieldUpdater<DrainSubscriber> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(DrainSubscriber.class, "requested");

    protected volatile int wip;
    @SuppressWarnings("rawtypes")
    protected static final AtomicIntegerFieldUpdater<DrainSubscriber> WIP =
            AtomicIntegerFieldUpdater.newUpdater(DrainSubscriber.class, "wip");

    protected volatile boolean done;
    protected volatile boolean cancelled;
    /** Set before {@code done}; volatile so the drain loop sees it without taking the subclass's lock. */
    @Nullable
    protected volatile Throwable error;

    protected DrainSubscriber(CoreSubscriber<? super O> actual, @Nullable Scheduler runOn) {
        this.actual = actual;
        this.runOn = runOn;
    }

    /** What {@link #drainPass} returns once it has delivered a terminal signal or seen cancel. */
    protected static final long TERMINATED = -1L;

    /**
     * One pass of the drain loop, under WIP: emits at most {@code r} elements (the demand read at the start of the
     * pass) and returns how many it emitted, or {@link #TERMINATED} after a terminal signal or cancel; WIP then
     * stays taken, so nothing runs after the terminal signal.
     */
    protected abstract long drainPass(long r);

    /**
     * After a pass has been accounted for: how many elements to ask upstream for (0 for none). Operators that keep
     * their own prefetch return the default 0.
     */
    protected long upstreamRequest() {
        return 0L;
    }

    /** Discards everything buffered; runs under WIP (from cancel, or from the drain loop once it sees cancel). */
    protected abstract void discardAll();

    /** Releases what must stop at cancel even while another thread drains (timers); runs once, before discard. */
    protected void onCancel() {
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(this.s, s)) {
            this.s = s;
            actual.onSubscribe(this);
        }
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        error = t;
        done = true;
        drain();
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        done = true;
        drain();
    }

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            Operators.addCap(REQUESTED, this, n);
            drain();
        }
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        s.cancel();
        onCancel();
        if (WIP.getAndIncrement(this) == 0) {
            discardAll();
        }
    }

    /**
     * How a signal enters the drain loop: on the signalling thread, if no drain is running. An operator that emits
     * from a worker overrides this to take WIP the same way and run {@code drainLoop(1)} on the worker.
     */
    protected void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        drainLoop(1);
    }

    /** The single drain loop, entered with {@code missed} WIP units already taken. */
    protected final void drainLoop(int missed) {
        for (;;) {
            long r = requested;
            long e = drainPass(r);
            if (e == TERMINATED) {
                return;
            }
            if (e != 0L && r != Long.MAX_VALUE) {
                REQUESTED.addAndGet(this, -e);
            }
            long n = upstreamRequest();
            if (n > 0) {
                s.request(n);
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /**
     * The drain loop's cancel check: once cancelled, discards what is buffered and tells the loop to return
     * (without releasing WIP, so no later signal drains again).
     */
    protected final boolean discardIfCancelled() {
        if (cancelled) {
            discardAll();
            return true;
        }
        return false;
    }

    /** The attributes every drain subscriber reports alike; subclasses answer the rest and fall back to this. */
    @Override
    @Nullable
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return s;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
            return requested;
        }
        if (key == Attr.CANCELLED) {
            return cancelled;
        }
        if (key == Attr.TERMINATED) {
            return done;
        }
        if (key == Attr.RUN_ON) {
            return runOn;
        }
        if (key == Attr.RUN_STYLE) {
            return runOn != null ? Attr.RunStyle.ASYNC : Attr.RunStyle.SYNC;
        }
        return null;
    }
}
