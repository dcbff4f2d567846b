package io.fluxgate.batch.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

import io.fluxgate.internal.DrainSubscriber;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.annotation.Nullable;
import reactor.util.context.Context;

/**
 * The batching state machine behind {@code AdaptiveBatch}. Public only because the API class lives in the parent
 * package; not part of the API.
 *
 * <p>Why hand-written: Reactor's {@code bufferTimeout} has a fixed size and no weight, and no composition of
 * Reactor operators gives "close by count, weight or age, whichever first, with a size that may change between
 * batches, never pulling past one batch". Concurrency: {@code onNext} (upstream thread), the max-wait timer
 * (scheduler thread) and {@code request} (downstream thread) mutate the open batch; that state is guarded by
 * {@code this}, held only for a few field updates, never while calling out. Emission to {@code actual} and requests
 * upstream are serialised by one WIP drain loop, outside the lock.
 *
 * <p>Rules (the javadoc of {@code AdaptiveBatch} states them for users):
 * <ul>
 *   <li>a batch closes when it reaches the size bound (read per element from {@code maxSize}), when its weight
 *       reaches {@code maxWeight}, or before an element that would push it over {@code maxWeight} (a single element
 *       heavier than {@code maxWeight} forms a batch of its own), or, when downstream demand covers it, once
 *       {@code maxWait} has passed since its first element;</li>
 *   <li>a batch whose max wait passed while downstream had no demand stays open, keeps filling from elements
 *       already requested upstream (up to its bounds) and is emitted as soon as demand arrives;</li>
 *   <li>upstream is asked for elements only while downstream demand is outstanding and no closed batch is waiting,
 *       and only enough to complete the open batch ({@code maxSize - open - outstanding}), so at most one size bound
 *       of elements is ever buffered or in flight;</li>
 *   <li>completion closes the open batch regardless of demand and completes after the last batch is delivered;
 *       an error discards everything buffered (Operators.onDiscard) and is delivered at once, as Reactor's buffer
 *       operators do; cancel discards everything buffered, and is idempotent.</li>
 * </ul>
 */
public final class BatchSubscriber<T> extends DrainSubscriber<T, List<T>> {

    private final IntSupplier maxSize;
    private final long maxWeight;
    @Nullable
    private final ToLongFunction<? super T> weigher;
    private final long maxWaitNanos;
    private final Scheduler scheduler;
    private final IntFunction<? extends List<T>> newBatch;

    // guarded by this
    private List<T> open;
    private long openWeight;
    private long batchId;
    private boolean timedOut;
    @Nullable
    private Disposable timer;
    private final ArrayDeque<List<T>> ready = new ArrayDeque<>();
    private long outstanding;

    public BatchSubscriber(CoreSubscriber<? super List<T>> actual, IntSupplier maxSize, long maxWeight,
                           @Nullable ToLongFunction<? super T> weigher, long maxWaitNanos, Scheduler scheduler) {
        this(actual, maxSize, maxWeight, weigher, maxWaitNanos, scheduler, BatchSubscriber::defaultBatch);
    }

    /**
     * @param newBatch an empty, modifiable list for the next batch, given its current size bound; a list handed
     *                 downstream is never touched again (so a caller that owns the lists may expose them as they are)
     */
    public BatchSubscriber(CoreSubscriber<? super List<T>> actual, IntSupplier maxSize, long maxWeight,
                           @Nullable ToLongFunction<? super T> weigher, long maxWaitNanos, Scheduler scheduler,
                           IntFunction<? extends List<T>> newBatch) {
        super(actual, scheduler);
        this.maxSize = maxSize;
        this.maxWeight = maxWeight;
        this.weigher = weigher;
        this.maxWaitNanos = maxWaitNanos;
        this.scheduler = scheduler;
        this.newBatch = newBatch;
        this.open = newBatch.apply(limit());
    }

    /**
     * The default list for a batch of at most {@code bound} elements: sized for the bound, up to 1,024 elements, so
     * a large bound with few elements per batch wastes no memory.
     */
    public static <T> List<T> defaultBatch(int bound) {
        return new ArrayList<>(Math.min(bound, 1024));
    }

    @Override
    public void onNext(T t) {
        if (done) {
            Operators.onNextDropped(t, actual.currentContext());
            return;
        }
        long w = 0;
        if (weigher != null) {
            try {
                w = weigher.applyAsLong(t);
                if (w < 0) {
                    throw new IllegalArgumentException("weigher returned a negative weight " + w + " for " + t);
                }
            } catch (Throwable ex) {
                Throwable e = Operators.onOperatorError(s, ex, t, actual.currentContext());
                Operators.onDiscard(t, actual.currentContext());
                onError(e);
                return;
            }
        }
        boolean accepted;
        boolean drain = false;
        Throwable rejected = null;
        synchronized (this) {
            accepted = !cancelled;
            if (accepted) {
                outstanding--;
                if (!open.isEmpty() && openWeight + w > maxWeight) {
                    closeOpen();
                    drain = true;
                }
                boolean first = open.isEmpty();
                open.add(t);
                openWeight += w;
                if (open.size() >= limit() || openWeight >= maxWeight) {
                    closeOpen();
                    drain = true;
                } else if (first && maxWaitNanos > 0) {
                    rejected = startTimer();
                }
                // otherwise the elements still requested complete the open batch: the drain (an emission or a
                // request) has nothing to do until one closes or all requested have come (the bound may have
                // grown meanwhile: the drain asks for the rest)
                drain |= outstanding <= 0;
            }
        }
        if (!accepted) {
            Operators.onDiscard(t, actual.currentContext());
            return;
        }
        if (rejected != null) {
            s.cancel();
            onError(Operators.onRejectedExecution(rejected, actual.currentContext()));
            return;
        }
        if (drain) {
            drain();
        }
    }

    private int limit() {
        return Math.max(1, maxSize.getAsInt());
    }

    // guarded by this; returns the rejection, if the scheduler refused the timer
    @Nullable
    private Throwable startTimer() {
        long id = ++batchId;
        try {
            timer = scheduler.schedule(() -> onTimeout(id), maxWaitNanos, TimeUnit.NANOSECONDS);
            return null;
        } catch (Throwable ex) {
            return ex;
        }
    }

    // guarded by this
    private void closeOpen() {
        ready.add(open);
        open = newBatch.apply(limit());
        openWeight = 0;
        timedOut = false;
        batchId++;
        Disposable t = timer;
        if (t != null) {
            timer = null;
            t.dispose();
        }
    }

    private void onTimeout(long id) {
        synchronized (this) {
            if (id != batchId || open.isEmpty() || cancelled) {
                return;
            }
            timedOut = true;
            timer = null;
        }
        drain();
    }

    @Override
    protected void discardAll() {
        List<List<T>> dropped = new ArrayList<>();
        synchronized (this) {
            dropped.addAll(ready);
            ready.clear();
            if (!open.isEmpty()) {
                dropped.add(open);
                open = newBatch.apply(0);
            }
            openWeight = 0;
            batchId++;
            Disposable t = timer;
            if (t != null) {
                timer = null;
                t.dispose();
            }
        }
        Context ctx = actual.currentContext();
        for (List<T> batch : dropped) {
            Operators.onDiscardMultiple(batch, ctx);
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
            Throwable err;
            List<T> batch = null;
            boolean empty;
            synchronized (this) {
                err = error;
                if (err == null && ready.isEmpty() && !open.isEmpty()
                        && (d || open.size() >= limit() || (timedOut && e < r))) {
                    closeOpen();
                }
                if (err == null && e < r) {
                    batch = ready.poll();
                }
                empty = ready.isEmpty() && open.isEmpty();
            }
            if (err != null) {
                discardAll();
                actual.onError(err);
                return TERMINATED;
            }
            if (batch != null) {
                actual.onNext(batch);
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
        long toRequest = 0L;
        if (!done && !cancelled && requested > 0) {
            synchronized (this) {
                if (ready.isEmpty()) {
                    long want = limit() - (long) open.size() - outstanding;
                    if (want > 0) {
                        outstanding += want;
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
        if (key == Attr.ERROR) {
            return error;
        }
        if (key == Attr.BUFFERED) {
            synchronized (this) {
                int n = open.size();
                for (List<T> b : ready) {
                    n += b.size();
                }
                return n;
            }
        }
        return super.scanUnsafe(key);
    }
}
