package io.fluxgate.outcome.internal;

import java.time.Clock;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcome;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Operators;
import reactor.util.annotation.Nullable;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * The subscriber behind {@code Outcomes.deadLetter}.
 *
 * <p>Why hand-written: {@code handle} cannot wait for an asynchronous store, and {@code concatMap(f, 0)} can but
 * requests one element at a time through the whole upstream chain, which made the success path about 4 times
 * slower; {@code flatMapSequential} stores concurrently but cannot keep a success behind the letters before it
 * without a publisher per element. Here there are two modes:
 *
 * <ul>
 *   <li><b>Pass-through</b> ({@code requested == PASS_THROUGH}): nothing queued, no store in flight. The upstream
 *       thread emits successes straight to {@code actual} and downstream requests go straight upstream, as in
 *       {@code handle}. A failure whose stage is already complete (a synchronous sink) is settled inline and its
 *       element's demand replenished with {@code request(1)}.</li>
 *   <li><b>Queued</b> ({@code requested >= 0}): entered by the upstream thread when a store does not complete at
 *       once. Elements arriving meanwhile (already requested) go to {@code queue}; one WIP drain loop takes them
 *       in order: a failure's store starts as soon as fewer than {@code maxInFlight} are in flight, and its
 *       element's upstream demand is replenished at once (so a burst of failures keeps the sink busy even under a
 *       downstream demand of one); a success waits at the head until no store is in flight (every earlier letter
 *       is stored). Downstream requests accumulate in {@code requested} and are forwarded once nothing is queued
 *       or in flight; only a drain run by the upstream thread itself switches back to pass-through, because only
 *       that thread knows no {@code onNext} is between reading the mode and queueing.</li>
 * </ul>
 *
 * <p>Demand bookkeeping: upstream outstanding demand never exceeds downstream outstanding demand (failures
 * replenish the demand they used, {@code owed}), so queued successes always have downstream demand and the drain
 * loop does not count it; the queue holds at most that outstanding demand. An unbounded downstream request becomes
 * batches of {@link #BATCH} upstream, replenished every {@link #LIMIT} elements, so an unbounded subscriber still
 * bounds the queue.
 */
final class DeadLetterSubscriber<T, R> implements CoreSubscriber<Outcome<T, R>>, Subscription, Scannable {

    /** Upstream batch size under an unbounded downstream request: the queue bound in that case. */
    static final int BATCH = 256;
    static final int LIMIT = BATCH - (BATCH >> 2);

    private static final long PASS_THROUGH = -1L;

    private static final int STORED = 0;
    private static final int PENDING = 1;
    private static final int REFUSED = 2;

    /** {@link #refusal} once the drain loop took it: later refusals go to the dropped-error hook. */
    private static final Throwable TAKEN = new Throwable("refusal taken", null, false, false) { };

    private final CoreSubscriber<? super R> actual;
    private final DeadLetterSink<? super T> sink;
    private final String stage;
    private final Clock clock;
    private final int maxInFlight;

    private Subscription s;

    /** {@link #PASS_THROUGH}, or the downstream demand not yet forwarded upstream while in queued mode. */
    private volatile long requested = PASS_THROUGH;
    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<DeadLetterSubscriber> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(DeadLetterSubscriber.class, "requested");

    private volatile int wip;
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<DeadLetterSubscriber> WIP =
            AtomicIntegerFieldUpdater.newUpdater(DeadLetterSubscriber.class, "wip");

    /** Stores started and not yet settled; incremented before the mode switch, decremented after the refusal. */
    private volatile int inFlight;
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<DeadLetterSubscriber> IN_FLIGHT =
            AtomicIntegerFieldUpdater.newUpdater(DeadLetterSubscriber.class, "inFlight");

    /** The first refusal of a store that completed later; {@link #TAKEN} once handled. */
    @Nullable
    private volatile Throwable refusal;
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<DeadLetterSubscriber, Throwable> REFUSAL =
            AtomicReferenceFieldUpdater.newUpdater(DeadLetterSubscriber.class, Throwable.class, "refusal");

    /** The refusal of a store that failed at once ({@link #store} returned REFUSED); read by the caller. */
    @Nullable
    private Throwable storeError;

    /** Created by the upstream thread before the first store goes pending. */
    @Nullable
    private Queue<Outcome<T, R>> queue;

    /**
     * Upstream demand to replenish: one per failure whose store started, and under unbounded demand one per
     * element consumed. Owned by the upstream thread in pass-through mode and by the drain loop in queued mode.
     */
    private long owed;

    private volatile boolean unbounded;
    /** Upstream terminated (error in {@code error}), or this operator failed the stream and cancelled upstream. */
    private volatile boolean done;
    @Nullable
    private Throwable error;
    /** A terminal signal was sent downstream. */
    private volatile boolean terminated;
    private volatile boolean cancelled;

    DeadLetterSubscriber(CoreSubscriber<? super R> actual, DeadLetterSink<? super T> sink, String stage,
                         Clock clock, int maxInFlight) {
        this.actual = actual;
        this.sink = sink;
        this.stage = stage;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
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
    public void onNext(Outcome<T, R> outcome) {
        // cancelled too: an upstream still emitting after the cancel must get nothing emitted or stored
        if (requested != PASS_THROUGH || done || cancelled) {
            queueOrDrop(outcome);
            return;
        }
        if (outcome instanceof Outcome.Success<T, R> success) {
            actual.onNext(success.value());
            if (unbounded && ++owed == LIMIT) {
                owed = 0;
                s.request(LIMIT);
            }
            return;
        }
        int result = store((Outcome.Failure<T, R>) outcome, true);
        if (result == STORED) {
            if (!unbounded) {
                s.request(1);
            } else if (++owed == LIMIT) {
                owed = 0;
                s.request(LIMIT);
            }
        } else if (result == REFUSED) {
            // pass-through mode: nothing queued, nobody else emits
            Throwable e = storeError;
            storeError = null;
            done = true;
            terminated = true;
            s.cancel();
            actual.onError(e);
        } else {
            // store() switched to queued mode and owes the failure's demand: the drain replenishes it
            drain(true);
        }
    }

    private void queueOrDrop(Outcome<T, R> outcome) {
        if (cancelled) {
            Operators.onDiscard(outcome, actual.currentContext());
            return;
        }
        if (done) {
            // after upstream's terminal signal, or after a refused letter cancelled upstream
            Operators.onNextDropped(outcome, actual.currentContext());
            return;
        }
        queue.offer(outcome);
        drain(true);
    }

    /**
     * Hands the failure's letter to the sink. STORED or REFUSED (with {@code storeError}) if the stage is already
     * complete or acceptAsync failed; otherwise counts it in flight, owes its element's demand, switches to queued
     * mode if {@code passThrough}, registers the completion and returns PENDING (the completion may run before this
     * returns, on this thread).
     */
    private int store(Outcome.Failure<T, R> failure, boolean passThrough) {
        CompletionStage<Void> stored;
        try {
            DeadLetter<T> letter = new DeadLetter<>(failure.input(), failure.cause(), clock.instant(), stage);
            stored = sink.acceptAsync(letter);
            if (stored == null) {
                throw new NullPointerException("acceptAsync returned null for the dead letter of " + letter.element());
            }
        } catch (Throwable e) {
            Exceptions.throwIfJvmFatal(e);
            storeError = Operators.onOperatorError(e, actual.currentContext());
            return REFUSED;
        }
        // only an exact CompletableFuture is asked: a subclass may refuse the Future methods (a minimal stage)
        if (stored.getClass() == CompletableFuture.class) {
            CompletableFuture<Void> future = (CompletableFuture<Void>) stored;
            if (future.isDone()) {
                try {
                    future.getNow(null);
                    return STORED;
                } catch (CompletionException | CancellationException e) {
                    storeError = unwrap(e);
                    return REFUSED;
                }
            }
        }
        // in flight before queued mode: a drain that sees queued mode also sees the store and keeps successes
        // and downstream demand back
        IN_FLIGHT.incrementAndGet(this);
        owed++;
        if (passThrough) {
            if (queue == null) {
                queue = Queues.<Outcome<T, R>>unbounded(Queues.XS_BUFFER_SIZE).get();
            }
            REQUESTED.compareAndSet(this, PASS_THROUGH, 0L);
        }
        // never cancelled, on purpose: a sink cannot take a letter back
        stored.whenComplete((ok, e) -> settled(e));
        return PENDING;
    }

    private void settled(@Nullable Throwable e) {
        if (e != null) {
            Throwable cause = unwrap(e);
            if (!REFUSAL.compareAndSet(this, null, cause)) {
                // the stream already failed (or was cancelled) on an earlier refusal
                Operators.onErrorDropped(cause, actual.currentContext());
            }
        }
        IN_FLIGHT.decrementAndGet(this);
        drain(false);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        if (requested == PASS_THROUGH) {
            done = true;
            terminated = true;
            actual.onError(t);
            return;
        }
        error = t;
        done = true;
        drain(true);
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        if (requested == PASS_THROUGH) {
            done = true;
            terminated = true;
            actual.onComplete();
            return;
        }
        done = true;
        drain(true);
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        if (n == Long.MAX_VALUE) {
            if (unbounded) {
                return;
            }
            unbounded = true;
            n = BATCH;
        } else if (unbounded) {
            return;
        }
        for (;;) {
            long r = requested;
            if (r == PASS_THROUGH) {
                s.request(n);
                return;
            }
            if (REQUESTED.compareAndSet(this, r, Operators.addCap(r, n))) {
                drain(false);
                return;
            }
        }
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        s.cancel();
        drain(false);
    }

    /** @param fromUpstream called from an upstream signal, so it may switch back to pass-through */
    private void drain(boolean fromUpstream) {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            drainPass(fromUpstream);
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void drainPass(boolean fromUpstream) {
        Queue<Outcome<T, R>> q = queue;
        boolean upstreamDone;
        boolean empty;
        for (;;) {
            if (cancelled || terminated) {
                dropAll(q);
                return;
            }
            if (requested == PASS_THROUGH) {
                // a late drain (a request or store completion that lost the WIP race to the drain switching
                // back): the upstream thread emits now, and may be about to queue behind a new pending store
                // that this pass would not have seen before polling
                return;
            }
            Throwable refused = refusal;
            if (refused != null && refused != TAKEN) {
                refusal = TAKEN;
                refuse(refused);
                continue;
            }
            // done before the peek: read after an empty peek, it may cover an element queued in between
            upstreamDone = done;
            Outcome<T, R> outcome = q == null ? null : q.peek();
            if (outcome == null) {
                empty = true;
                break;
            }
            if (outcome instanceof Outcome.Success<T, R> success) {
                if (inFlight != 0) {
                    // every earlier letter stored first
                    empty = false;
                    break;
                }
                q.poll();
                actual.onNext(success.value());
                if (unbounded) {
                    owed++;
                }
            } else {
                if (inFlight >= maxInFlight) {
                    empty = false;
                    break;
                }
                q.poll();
                int result = store((Outcome.Failure<T, R>) outcome, false);
                if (result == STORED) {
                    owed++;
                } else if (result == REFUSED) {
                    Throwable e = storeError;
                    storeError = null;
                    refuse(e);
                }
                // PENDING: store() owes its demand
            }
        }
        if (owed > 0) {
            // replenishes failures at the start of their stores, so a burst of them keeps maxInFlight stores busy
            long n = owed;
            owed = 0;
            s.request(n);
        }
        if (!empty || inFlight != 0) {
            return;
        }
        if (upstreamDone) {
            terminated = true;
            Throwable e = error;
            error = null;
            if (e != null) {
                actual.onError(e);
            } else {
                actual.onComplete();
            }
            return;
        }
        for (;;) {
            long r = requested;
            if (REQUESTED.compareAndSet(this, r, fromUpstream ? PASS_THROUGH : 0L)) {
                if (r > 0) {
                    s.request(r);
                }
                return;
            }
        }
    }

    /** The stream fails with the sink's refusal; runs under WIP in queued mode. */
    private void refuse(Throwable e) {
        terminated = true;
        done = true;
        s.cancel();
        actual.onError(e);
    }

    /** After cancel or a terminal signal: discards what is queued and reports late errors to the hooks. */
    private void dropAll(@Nullable Queue<Outcome<T, R>> q) {
        Context ctx = actual.currentContext();
        if (q != null) {
            Operators.onDiscardQueueWithClear(q, ctx, null);
        }
        Throwable refused = refusal;
        if (refused != null && refused != TAKEN) {
            refusal = TAKEN;
            Operators.onErrorDropped(refused, ctx);
        }
        Throwable e = error;
        if (e != null) {
            error = null;
            Operators.onErrorDropped(e, ctx);
        }
    }

    @Override
    @Nullable
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return s;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.BUFFERED) {
            Queue<Outcome<T, R>> q = queue;
            return q == null ? 0 : q.size();
        }
        if (key == Attr.CANCELLED) {
            return cancelled;
        }
        if (key == Attr.TERMINATED) {
            return terminated;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.SYNC;
        }
        return null;
    }
}
