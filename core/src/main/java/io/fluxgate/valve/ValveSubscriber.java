package io.fluxgate.valve;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Forwards downstream demand upstream only while the valve is open, and never more than {@code maxInFlight}
 * beyond what has been received. One drain loop (WIP) decides how much to request.
 *
 * <p>Invariant: {@code outstanding <= requested}. onNext lowers {@code requested} before {@code outstanding},
 * and drain reads {@code outstanding} before {@code requested}, so a racing read can only under-ask, never ask
 * for more than downstream wants; the onNext that caused the race drains again afterwards.
 */
final class ValveSubscriber<T> implements CoreSubscriber<T>, Subscription {

    private final CoreSubscriber<? super T> actual;
    private final Valve valve;
    private final long maxInFlight;
    private Subscription upstream;
    private boolean done;

    volatile long requested;
    static final AtomicLongFieldUpdater<ValveSubscriber> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(ValveSubscriber.class, "requested");

    volatile long outstanding;
    static final AtomicLongFieldUpdater<ValveSubscriber> OUTSTANDING =
            AtomicLongFieldUpdater.newUpdater(ValveSubscriber.class, "outstanding");

    volatile int wip;
    static final AtomicIntegerFieldUpdater<ValveSubscriber> WIP =
            AtomicIntegerFieldUpdater.newUpdater(ValveSubscriber.class, "wip");

    volatile boolean cancelled;

    ValveSubscriber(CoreSubscriber<? super T> actual, Valve valve) {
        this.actual = actual;
        this.valve = valve;
        this.maxInFlight = valve.maxInFlight();
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(upstream, s)) {
            upstream = s;
            valve.register(this);
            actual.onSubscribe(this);
        }
    }

    @Override
    public void onNext(T t) {
        if (done) {
            Operators.onNextDropped(t, actual.currentContext());
            return;
        }
        Operators.produced(REQUESTED, this, 1);
        OUTSTANDING.decrementAndGet(this);
        actual.onNext(t);
        drain();
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        done = true;
        valve.unregister(this);
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        done = true;
        valve.unregister(this);
        actual.onComplete();
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
        if (!cancelled) {
            cancelled = true;
            valve.unregister(this);
            upstream.cancel();
        }
    }

    void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            if (cancelled) {
                return;
            }
            if (!valve.isPaused()) {
                long o = outstanding;
                long r = requested;
                long ask = Math.min(r, maxInFlight) - o;
                if (ask > 0) {
                    OUTSTANDING.addAndGet(this, ask);
                    upstream.request(ask);
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
