package io.fluxgate.heartbeat.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.fluxgate.heartbeat.IdleDetector;
import io.fluxgate.internal.DrainSubscriber;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.annotation.Nullable;

/**
 * Keep-alive injection. Public only because the API class lives in the parent package; not part of the API.
 *
 * <p>Why hand-written: a heartbeat spends one unit of downstream demand that upstream was already granted, which
 * no composition of {@code merge}/{@code switchMap}/{@code onBackpressureLatest} accounts for without either
 * overflowing the subscriber or never beating under {@code request(1)}-style demand. Here the accounting is
 * explicit: downstream demand {@code D}, upstream outstanding {@code U}, and a queue {@code Q} for elements upstream
 * sends for demand a heartbeat already used. Upstream is only topped up to {@code U + |Q| <= D}, so {@code Q} holds
 * at most as many elements as heartbeats were sent since downstream last requested.
 *
 * <p>Rules: one timer is armed at a time, at the moment the silence would reach the interval; when it fires and
 * upstream really was silent, one beat becomes pending (never more); it is emitted at once if downstream has demand,
 * otherwise on the next request; an upstream element arriving first makes the pending beat stale and drops it.
 * Emitting a beat restarts the interval. State is guarded by {@code this}; emission is serialised by a WIP loop.
 */
public final class HeartbeatSubscriber<T> extends DrainSubscriber<T, T> {

    /** Makes the beat element, at emission time. */
    @FunctionalInterface
    public interface BeatFactory<T> {
        T beat(long sequence, long silenceNanos);
    }

    private final BeatFactory<? extends T> beats;
    private final Scheduler scheduler;
    private final IdleDetector idle;

    // guarded by this
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private long upstreamOutstanding;
    private boolean beatPending;
    private long beatSequence;
    @Nullable
    private Disposable timer;

    public HeartbeatSubscriber(CoreSubscriber<? super T> actual, BeatFactory<? extends T> beats,
                               java.time.Duration interval, Scheduler scheduler) {
        super(actual, scheduler);
        this.beats = beats;
        this.scheduler = scheduler;
        this.idle = new IdleDetector(interval, IdleDetector.clockOf(scheduler));
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(this.s, s)) {
            this.s = s;
            idle.markActive();
            actual.onSubscribe(this);
            Throwable rejected;
            synchronized (this) {
                rejected = cancelled || done ? null : arm(idle.nanosUntilIdle());
            }
            if (rejected != null) {
                timerRejected(rejected);
            }
        }
    }

    // guarded by this
    @Nullable
    private Throwable arm(long delayNanos) {
        if (timer != null) {
            return null;
        }
        try {
            timer = scheduler.schedule(this::onTimer, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
            return null;
        } catch (Throwable ex) {
            return ex;
        }
    }

    /** The scheduler refused the timer (it was disposed): the stream cannot keep its contract, so it fails. */
    private void timerRejected(Throwable rejected) {
        s.cancel();
        onError(Operators.onRejectedExecution(rejected, actual.currentContext()));
    }

    private void onTimer() {
        Throwable rejected = null;
        synchronized (this) {
            timer = null;
            if (cancelled || done || beatPending) {
                return;
            }
            long left = idle.nanosUntilIdle();
            if (left > 0) {
                rejected = arm(left);
            } else {
                beatPending = true;
            }
        }
        if (rejected != null) {
            timerRejected(rejected);
            return;
        }
        drain();
    }

    @Override
    public void onNext(T t) {
        if (done) {
            Operators.onNextDropped(t, actual.currentContext());
            return;
        }
        boolean accepted;
        Throwable rejected = null;
        synchronized (this) {
            accepted = !cancelled;
            if (accepted) {
                if (upstreamOutstanding != Long.MAX_VALUE) {
                    upstreamOutstanding--;
                }
                queue.add(t);
                idle.markActive();
                if (beatPending) {
                    // the data is the proof of life; a beat queued behind it would be stale
                    beatPending = false;
                    rejected = arm(idle.nanosUntilIdle());
                }
            }
        }
        if (!accepted) {
            Operators.onDiscard(t, actual.currentContext());
            return;
        }
        if (rejected != null) {
            timerRejected(rejected);
            return;
        }
        drain();
    }

    @Override
    protected void discardAll() {
        List<T> dropped;
        synchronized (this) {
            dropped = new ArrayList<>(queue);
            queue.clear();
            beatPending = false;
            Disposable t = timer;
            timer = null;
            if (t != null) {
                t.dispose();
            }
        }
        Operators.onDiscardMultiple(dropped, actual.currentContext());
    }

    @Override
    protected long drainPass(long r) {
        long e = 0L;
        for (;;) {
            if (discardIfCancelled()) {
                return TERMINATED;
            }
            boolean d = done;
            Throwable err;
            T next = null;
            boolean beat = false;
            long seq = 0;
            long silence = 0;
            boolean empty;
            Throwable rejected = null;
            synchronized (this) {
                err = error;
                if (err == null && e < r) {
                    next = queue.poll();
                    if (next == null && beatPending && !d) {
                        beatPending = false;
                        beat = true;
                        seq = ++beatSequence;
                        silence = idle.silence().toNanos();
                        idle.markActive();
                        rejected = arm(idle.nanosUntilIdle());
                    }
                }
                empty = queue.isEmpty();
            }
            if (rejected != null) {
                s.cancel();
                synchronized (this) {
                    error = Operators.onRejectedExecution(rejected, actual.currentContext());
                }
                done = true;
                continue;
            }
            if (err != null) {
                discardAll();
                actual.onError(err);
                return TERMINATED;
            }
            if (next != null) {
                actual.onNext(next);
                e++;
                continue;
            }
            if (beat) {
                T b;
                try {
                    b = beats.beat(seq, silence);
                    if (b == null) {
                        throw new NullPointerException("the heartbeat supplier returned null");
                    }
                } catch (Throwable ex) {
                    s.cancel();
                    synchronized (this) {
                        error = Operators.onOperatorError(ex, actual.currentContext());
                    }
                    done = true;
                    continue;
                }
                actual.onNext(b);
                e++;
                continue;
            }
            if (d && empty) {
                synchronized (this) {
                    Disposable t = timer;
                    timer = null;
                    if (t != null) {
                        t.dispose();
                    }
                }
                actual.onComplete();
                return TERMINATED;
            }
            return e;
        }
    }

    @Override
    protected long upstreamRequest() {
        long toRequest = 0L;
        if (!done && !cancelled) {
            synchronized (this) {
                long d = requested;
                if (d == Long.MAX_VALUE) {
                    if (upstreamOutstanding != Long.MAX_VALUE) {
                        upstreamOutstanding = Long.MAX_VALUE;
                        toRequest = Long.MAX_VALUE;
                    }
                } else if (upstreamOutstanding != Long.MAX_VALUE) {
                    long want = d - upstreamOutstanding - queue.size();
                    if (want > 0) {
                        upstreamOutstanding += want;
                        toRequest = want;
                    }
                }
            }
        }
        return toRequest;
    }

    @Override
    @Nullable
    public Object scanUnsafe(Attr key) {
        if (key == Attr.BUFFERED) {
            synchronized (this) {
                return queue.size();
            }
        }
        return super.scanUnsafe(key);
    }
}
