package io.fluxgate.aggregate.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.fluxgate.aggregate.AggregateStats.Counter;
import io.fluxgate.aggregate.Aggregated;
import io.fluxgate.aggregate.LatePart;
import io.fluxgate.internal.DrainSubscriber;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.annotation.Nullable;
import reactor.util.context.Context;

/**
 * The Reactor layer over {@link GroupTable}. Not API.
 *
 * <p>Why hand-written: {@code groupBy} + {@code flatMap} cannot evict the oldest group for a new key, remember closed
 * keys, or stop pulling upstream because closed groups wait for demand. Concurrency: {@code onNext} (upstream
 * thread), the timeout timer (scheduler thread), {@code onComplete} and cancel touch the table under {@code this},
 * never while calling downstream or the late-part side output; emission is serialised by the WIP drain loop of
 * {@link DrainSubscriber}.
 *
 * <p>One timer at a time, armed for the oldest open group's deadline (all groups share the timeout, so the oldest
 * expires first); when it fires it closes every group due and re-arms for the next one.
 *
 * <p>Upstream is asked for parts only while {@code ready + outstanding < maxWaiting} (closed groups waiting for
 * demand plus parts requested and not yet received), topped up in quarters of {@code maxWaiting}; so when
 * downstream stops requesting, at most {@code maxWaiting} closed groups (plus those closed by timeouts, at most
 * {@code maxKeys}) wait, and upstream requests stop.
 */
public final class AggregateSubscriber<I, K, T> extends DrainSubscriber<I, Aggregated<K, T>> {

    private final Function<? super I, ? extends K> key;
    private final Function<? super I, String> part;
    private final Function<? super I, ? extends T> value;
    private final Scheduler scheduler;
    private final LongSupplier clock;
    @Nullable
    private final Consumer<? super LatePart<K, T>> lateSink;
    private final int maxWaiting;
    private final int replenish;

    // guarded by this
    private final GroupTable<K, T> table;
    private long outstanding;
    @Nullable
    private Disposable timer;
    private long timerDeadline = Long.MAX_VALUE;
    private boolean finished;

    public AggregateSubscriber(CoreSubscriber<? super Aggregated<K, T>> actual, Rules<K, T> rules,
                               Function<? super I, ? extends K> key, Function<? super I, String> part,
                               Function<? super I, ? extends T> value, Scheduler scheduler, LongSupplier clock,
                               Consumer<Counter> counters) {
        super(actual, scheduler);
        this.key = key;
        this.part = part;
        this.value = value;
        this.scheduler = scheduler;
        this.clock = clock;
        this.lateSink = rules.lateSink();
        this.maxWaiting = rules.maxWaiting();
        this.replenish = Math.max(1, rules.maxWaiting() / 4);
        Context ctx = actual.currentContext();
        this.table = new GroupTable<>(rules, clock, counters, v -> Operators.onDiscard(v, ctx));
    }

    @Override
    public void onNext(I t) {
        Context ctx = actual.currentContext();
        if (done) {
            Operators.onNextDropped(t, ctx);
            return;
        }
        K k;
        String name;
        T v;
        try {
            k = Objects.requireNonNull(key.apply(t), "the key function returned null");
            name = Objects.requireNonNull(part.apply(t), "the part-name function returned null");
            v = value.apply(t);
        } catch (Throwable ex) {
            Operators.onDiscard(t, ctx);
            onError(Operators.onOperatorError(s, ex, t, ctx));
            return;
        }
        Throwable failure = null;
        List<LatePart<K, T>> late = null;
        synchronized (this) {
            if (cancelled || finished || error != null) {
                Operators.onDiscard(v, ctx);
                return;
            }
            if (outstanding > 0) {
                outstanding--;
            }
            try {
                table.offer(k, name, v);
                failure = armTimer();
            } catch (Throwable ex) {
                failure = ex;
            }
            if (lateSink != null && failure == null) {
                for (LatePart<K, T> p = table.pollLate(); p != null; p = table.pollLate()) {
                    if (late == null) {
                        late = new ArrayList<>(1);
                    }
                    late.add(p);
                }
            }
        }
        if (late != null) {
            for (int i = 0; i < late.size(); i++) {
                try {
                    lateSink.accept(late.get(i));
                } catch (Throwable ex) {
                    for (int j = i + 1; j < late.size(); j++) {
                        Operators.onDiscard(late.get(j).value(), ctx);
                    }
                    failure = ex;
                    break;
                }
            }
        }
        if (failure != null) {
            onError(Operators.onOperatorError(s, failure, t, ctx));
            return;
        }
        drain();
    }

    // guarded by this; returns the scheduler's rejection, if any
    @Nullable
    private Throwable armTimer() {
        long deadline = table.nextDeadline();
        if (deadline == Long.MAX_VALUE || (timer != null && timerDeadline <= deadline)) {
            return null;
        }
        disposeTimer();
        // at least 1 ns: a virtual-time scheduler runs a zero-delay task on the calling thread, inside this lock
        long delay = Math.max(1L, deadline - clock.getAsLong());
        try {
            timer = scheduler.schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
            timerDeadline = deadline;
            return null;
        } catch (Throwable ex) {
            return Operators.onRejectedExecution(ex, actual.currentContext());
        }
    }

    // guarded by this
    private void disposeTimer() {
        Disposable d = timer;
        if (d != null) {
            timer = null;
            d.dispose();
        }
        timerDeadline = Long.MAX_VALUE;
    }

    private void onTimer() {
        Throwable failure = null;
        synchronized (this) {
            timer = null;
            timerDeadline = Long.MAX_VALUE;
            if (cancelled || finished || error != null) {
                return;
            }
            try {
                table.expire();
                failure = armTimer();
            } catch (Throwable ex) {
                failure = ex;
            }
            if (failure != null) {
                // recorded under the lock, so an onComplete or onNext racing with this timer sees the failure
                error = failure;
            }
        }
        if (failure != null) {
            s.cancel();
            done = true;
            drain();
            return;
        }
        drain();
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            disposeTimer();
        }
        super.onError(t);
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        Throwable failure = null;
        synchronized (this) {
            if (finished || error != null) {
                return;
            }
            finished = true;
            disposeTimer();
            try {
                table.finish();
            } catch (Throwable ex) {
                failure = ex;
            }
        }
        if (failure != null) {
            onError(failure);
            return;
        }
        super.onComplete();
    }

    @Override
    protected void onCancel() {
        synchronized (this) {
            disposeTimer();
        }
    }

    @Override
    protected void discardAll() {
        synchronized (this) {
            disposeTimer();
            table.clear();
        }
    }

    @Override
    protected long drainPass(long r) {
        long e = 0L;
        for (;;) {
            if (discardIfCancelled()) {
                return TERMINATED;
            }
            boolean d = done;
            Throwable err = error;
            if (err != null) {
                discardAll();
                actual.onError(err);
                return TERMINATED;
            }
            Aggregated<K, T> g = null;
            boolean empty;
            synchronized (this) {
                if (e < r) {
                    g = table.poll();
                }
                empty = table.readyCount() == 0;
            }
            if (g != null) {
                actual.onNext(g);
                e++;
                continue;
            }
            if (d && empty) {
                actual.onComplete();
                return TERMINATED;
            }
            return e;
        }
    }

    @Override
    protected long upstreamRequest() {
        if (done || cancelled) {
            return 0L;
        }
        synchronized (this) {
            long room = maxWaiting - (long) table.readyCount() - outstanding;
            if (room > 0 && (room >= replenish || outstanding == 0)) {
                outstanding += room;
                return room;
            }
        }
        return 0L;
    }

    @Override
    @Nullable
    public Object scanUnsafe(Attr key) {
        if (key == Attr.ERROR) {
            return error;
        }
        if (key == Attr.PREFETCH) {
            return maxWaiting;
        }
        if (key == Attr.BUFFERED) {
            synchronized (this) {
                return table.heldParts();
            }
        }
        return super.scanUnsafe(key);
    }
}
