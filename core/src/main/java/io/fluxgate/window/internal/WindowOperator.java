package io.fluxgate.window.internal;

import io.fluxgate.heartbeat.IdleDetector;
import io.fluxgate.internal.DrainSubscriber;
import io.fluxgate.window.WindowCount;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * The Reactor layer of {@code UniqueUsers}: a hand-written subscriber because the operator must stop consuming input
 * while closed windows wait for demand, emit from a processing-time timer, and keep one mutable window state per
 * subscription without allocating per record, which no composition of stock operators expresses at this speed.
 * One WIP drain loop serialises records, timer ticks, requests and termination around a {@link WindowEngine}.
 */
public final class WindowOperator<T> extends FluxOperator<T, WindowCount> {

    /** Results allowed to wait for demand before the operator stops consuming input. */
    public static final int PENDING_BOUND = 16;

    private final WindowSpec<T> spec;

    public WindowOperator(Flux<? extends T> source, WindowSpec<T> spec) {
        super(source);
        this.spec = spec;
    }

    @Override
    public void subscribe(CoreSubscriber<? super WindowCount> actual) {
        // the default scheduler is looked up per subscription, so StepVerifier.withVirtualTime replaces it
        Scheduler scheduler = io.fluxgate.internal.Time.schedulerOr(spec.scheduler);
        WindowEngine<T> engine;
        try {
            engine = new WindowEngine<>(spec, IdleDetector.clockOf(scheduler));
        } catch (RuntimeException e) {
            Operators.error(actual, e);
            return;
        }
        source.subscribe(new WindowSubscriber<>(actual, engine, spec, scheduler));
    }

    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PREFETCH) {
            return spec.prefetch;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.SYNC;
        }
        return super.scanUnsafe(key);
    }

    static final class WindowSubscriber<T> extends DrainSubscriber<T, WindowCount> implements Runnable {

        private final WindowEngine<T> engine;
        private final ArrayDeque<WindowCount> results;
        private final Queue<T> queue;
        private final int prefetch;
        private final int limit;
        private final Scheduler scheduler;
        private final long firstTickNanos;
        private Scheduler.Worker worker;
        private int consumed;
        private boolean flushed;

        volatile boolean tick;

        WindowSubscriber(CoreSubscriber<? super WindowCount> actual, WindowEngine<T> engine, WindowSpec<T> spec,
                         Scheduler scheduler) {
            // null: reported SYNC (its timer only drives the same drain loop), as before the shared base
            super(actual, null);
            this.engine = engine;
            this.results = engine.results();
            this.prefetch = spec.prefetch;
            this.limit = Math.max(1, prefetch - (prefetch >> 2));
            this.queue = Queues.<T>get(prefetch).get();
            this.scheduler = scheduler;
            long first = Long.MAX_VALUE;
            if (spec.idleFlush != null) {
                first = Math.min(first, spec.idleFlush.toNanos());
            }
            if (spec.partitionOf != null && spec.partitionIdleTimeout != null) {
                first = Math.min(first, spec.partitionIdleTimeout.toNanos());
            }
            this.firstTickNanos = first == Long.MAX_VALUE ? -1 : Math.max(1, first);
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(this.s, s)) {
                this.s = s;
                actual.onSubscribe(this);
                if (firstTickNanos > 0 && !cancelled) {
                    worker = scheduler.createWorker();
                    worker.schedule(this, firstTickNanos, TimeUnit.NANOSECONDS);
                }
                s.request(prefetch);
            }
        }

        @Override
        public void onNext(T t) {
            if (done || cancelled) {
                if (cancelled) {
                    Operators.onDiscard(t, actual.currentContext());
                } else {
                    Operators.onNextDropped(t, actual.currentContext());
                }
                return;
            }
            if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
                // Fast path: nothing queued ahead of t, so account for it without a queue round trip.
                if (queue.isEmpty() && results.size() <= PENDING_BOUND) {
                    // The common case closes no window: release WIP directly unless someone signalled meanwhile.
                    if (process(t) && results.isEmpty() && WIP.compareAndSet(this, 1, 0)) {
                        return;
                    }
                } else if (!queue.offer(t)) {
                    overflow(t);
                }
                drainLoop(1);
                return;
            }
            if (!queue.offer(t)) {
                overflow(t);
            }
            drain();
        }

        private void overflow(T t) {
            Operators.onDiscard(t, actual.currentContext());
            error = Operators.onOperatorError(s, Exceptions.failWithOverflow(
                    "upstream sent more than the " + prefetch + " records requested"), t, actual.currentContext());
            done = true;
        }

        /** Runs inside the drain loop only. @return false if the engine failed (the stream is then in error). */
        private boolean process(T t) {
            try {
                engine.onNext(t);
            } catch (Throwable e) {
                error = Operators.onOperatorError(s, e, t, actual.currentContext());
                done = true;
                return false;
            }
            if (++consumed == limit) {
                consumed = 0;
                s.request(limit);
            }
            return true;
        }

        @Override
        protected void onCancel() {
            disposeTimer();
        }

        /** Timer tick (on the scheduler's worker). */
        @Override
        public void run() {
            tick = true;
            drain();
        }

        private void disposeTimer() {
            Scheduler.Worker w = worker;
            if (w != null) {
                w.dispose();
            }
        }

        @Override
        protected void discardAll() {
            Context ctx = actual.currentContext();
            Operators.onDiscardQueueWithClear(queue, ctx, null);
            for (WindowCount w : results) {
                Operators.onDiscard(w, ctx);
            }
            results.clear();
            engine.discard();
        }

        /** One pass of the drain loop (see {@link DrainSubscriber#drainPass}); stops consuming input while results wait. */
        @Override
        protected long drainPass(long r) {
            final CoreSubscriber<? super WindowCount> a = actual;
            long e = 0L;
            for (;;) {
                if (discardIfCancelled()) {
                    return TERMINATED;
                }
                Throwable ex = error;
                if (ex != null) {
                    // Documented choice: fail at once; open windows are partial and pending ones unacknowledged.
                    disposeTimer();
                    discardAll();
                    a.onError(ex);
                    return TERMINATED;
                }
                if (tick) {
                    tick = false;
                    long next;
                    try {
                        next = engine.onTick(scheduler.now(TimeUnit.NANOSECONDS));
                    } catch (Throwable t) {
                        error = Operators.onOperatorError(s, t, a.currentContext());
                        done = true;
                        continue;
                    }
                    if (next > 0 && !done) {
                        worker.schedule(this, next, TimeUnit.NANOSECONDS);
                    }
                }
                if (e != r) {
                    WindowCount w = results.poll();
                    if (w != null) {
                        a.onNext(w);
                        e++;
                        continue;
                    }
                }
                if (results.size() > PENDING_BOUND) {
                    return e;
                }
                boolean d = done;
                T t = queue.poll();
                if (t != null) {
                    process(t);
                    continue;
                }
                if (d) {
                    if (!flushed) {
                        flushed = true;
                        disposeTimer();
                        try {
                            engine.complete();
                        } catch (Throwable x) {
                            error = Operators.onOperatorError(x, a.currentContext());
                        }
                        continue;
                    }
                    if (results.isEmpty()) {
                        a.onComplete();
                        return TERMINATED;
                    }
                }
                return e;
            }
        }

        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.TERMINATED) return done && queue.isEmpty() && results.isEmpty();
            if (key == Attr.ERROR) return error;
            if (key == Attr.PREFETCH) return prefetch;
            if (key == Attr.BUFFERED) return queue.size() + results.size();
            return super.scanUnsafe(key);
        }
    }
}
