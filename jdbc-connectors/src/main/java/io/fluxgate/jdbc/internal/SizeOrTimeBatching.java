package io.fluxgate.jdbc.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The sink's default batching: lists of {@code batchSize} elements, or fewer once the first element of a list has
 * waited {@code maxWait} (or the input ended), one list per downstream request.
 *
 * <p>Why not Reactor's {@code bufferTimeout(size, time, supplier, true)}: that operator asks its source for four
 * batches ahead and, for a synchronous source, receives all of them inside its own drain, so the first batch was
 * emitted only after four batches' elements had been produced (3-8 ms before the first COPY could start, session
 * 10), and every element passed through a queue and two compare-and-set loops on its way into a list. Here the
 * source is asked for exactly the elements of the batches requested downstream, and each element goes straight
 * into its list; a batch is emitted from the thread that completes it.
 *
 * <p>Backpressure: at most {@code batchSize} elements are held beyond the requested batches; a batch that is full
 * (or timed out, or the last) while nothing is requested waits for the next request. Elements held when the stream
 * is cancelled or fails are discarded through Reactor's discard hook.
 *
 * @param <T> the element type
 */
public final class SizeOrTimeBatching<T> implements Function<Flux<T>, Flux<List<T>>> {

    private final int batchSize;
    private final long maxWaitNanos;
    private final Supplier<? extends List<T>> newBatch;
    private final @Nullable Scheduler timer;

    /**
     * @param batchSize elements per list, at least 1
     * @param maxWait   longest the first element of a list waits for the list to be emitted, positive
     * @param newBatch  a new, empty, modifiable list per batch
     * @param timer     where the waits are timed; null for {@code Schedulers.parallel()}, resolved per subscription
     *                  (so virtual time applies)
     */
    public SizeOrTimeBatching(int batchSize, Duration maxWait, Supplier<? extends List<T>> newBatch,
            @Nullable Scheduler timer) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, was " + maxWait);
        }
        this.batchSize = batchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.newBatch = Objects.requireNonNull(newBatch, "newBatch");
        this.timer = timer;
    }

    @Override
    public Flux<List<T>> apply(Flux<T> source) {
        return new BatchingFlux<>(source, this);
    }

    private static final class BatchingFlux<T> extends FluxOperator<T, List<T>> {
        private final SizeOrTimeBatching<T> spec;

        BatchingFlux(Flux<? extends T> source, SizeOrTimeBatching<T> spec) {
            super(source);
            this.spec = spec;
        }

        @Override
        public void subscribe(CoreSubscriber<? super List<T>> actual) {
            source.subscribe(new BatchingSubscriber<>(actual, spec));
        }
    }

    /**
     * One subscription. State is guarded by {@code this} (one uncontended lock per element, as the element goes
     * into its list); emission downstream is serialised by {@link #wip} outside the lock.
     */
    static final class BatchingSubscriber<T> implements CoreSubscriber<T>, Subscription {
        private final CoreSubscriber<? super List<T>> actual;
        private final int batchSize;
        private final long maxWaitNanos;
        private final Supplier<? extends List<T>> newBatch;
        private final Scheduler.Worker worker;

        private @Nullable Subscription upstream;
        // guarded by this
        private @Nullable List<T> batch;
        private long demand; // lists requested downstream and not yet handed to ready
        private long outstanding; // elements requested upstream and not yet received
        private long generation; // of the batch being filled: a timer for an older one does nothing
        private boolean timedOut; // the batch being filled waited maxWait with nothing requested
        private boolean done;
        private @Nullable Throwable error;
        private final ArrayDeque<List<T>> ready = new ArrayDeque<>();

        private volatile boolean cancelled;
        private boolean terminated; // accessed in drain only
        private volatile int wip;
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<BatchingSubscriber> WIP =
                AtomicIntegerFieldUpdater.newUpdater(BatchingSubscriber.class, "wip");

        BatchingSubscriber(CoreSubscriber<? super List<T>> actual, SizeOrTimeBatching<T> spec) {
            this.actual = actual;
            this.batchSize = spec.batchSize;
            this.maxWaitNanos = spec.maxWaitNanos;
            this.newBatch = spec.newBatch;
            this.worker = (spec.timer != null ? spec.timer : Schedulers.parallel()).createWorker();
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(T t) {
            long armFor = -1;
            boolean emit = false;
            synchronized (this) {
                if (done || cancelled) {
                    Operators.onDiscard(t, actual.currentContext());
                    return;
                }
                List<T> b = batch;
                if (b == null) {
                    b = newBatch.get();
                    batch = b;
                    armFor = generation;
                }
                b.add(t);
                outstanding--;
                if (b.size() >= batchSize) {
                    if (demand > 0) {
                        handOver();
                        emit = true;
                    } else if (b.size() > batchSize) {
                        error = Exceptions.failWithOverflow("more elements than requested");
                        done = true;
                        emit = true;
                    }
                }
            }
            if (armFor >= 0 && !emit) {
                long gen = armFor;
                try {
                    worker.schedule(() -> timeout(gen), maxWaitNanos, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    if (!cancelled) {
                        onError(Operators.onRejectedExecution(e, upstream, null, t, actual.currentContext()));
                        Objects.requireNonNull(upstream).cancel();
                    }
                    return;
                }
            }
            if (emit) {
                if (error != null) {
                    Objects.requireNonNull(upstream).cancel();
                }
                drain();
            }
        }

        /** Moves the batch being filled to the ready lists; under the lock, with demand. */
        private void handOver() {
            ready.add(Objects.requireNonNull(batch));
            batch = null;
            demand--;
            generation++;
            timedOut = false;
        }

        private void timeout(long gen) {
            synchronized (this) {
                if (gen != generation || batch == null || done) {
                    return;
                }
                if (demand == 0) {
                    timedOut = true; // emitted as soon as it is requested
                    return;
                }
                handOver();
            }
            drain();
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                if (done) {
                    Operators.onErrorDropped(t, actual.currentContext());
                    return;
                }
                done = true;
                error = t;
            }
            drain();
        }

        @Override
        public void onComplete() {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                if (batch != null && demand > 0) {
                    handOver();
                }
            }
            drain();
        }

        @Override
        public void request(long n) {
            if (!Operators.validate(n)) {
                return;
            }
            long more = 0;
            synchronized (this) {
                demand = Operators.addCap(demand, n);
                List<T> b = batch;
                if (b != null && (done || timedOut || b.size() >= batchSize)) {
                    handOver();
                }
                if (!done) {
                    // exactly the elements that complete the requested lists, less those held or on their way
                    long held = (batch == null ? 0 : batch.size()) + outstanding;
                    long wanted = Operators.multiplyCap(demand, batchSize);
                    if (wanted > held) {
                        more = wanted - held;
                        outstanding += more;
                    }
                }
            }
            if (more > 0) {
                Objects.requireNonNull(upstream).request(more);
            }
            drain();
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
            worker.dispose();
            drain();
        }

        /** Emits the ready lists, then the end once everything is out; one thread at a time. */
        private void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                for (;;) {
                    if (terminated) {
                        break;
                    }
                    if (cancelled) {
                        discardAll();
                        terminated = true;
                        break;
                    }
                    List<T> next;
                    Throwable failed;
                    boolean complete;
                    synchronized (this) {
                        failed = error;
                        next = failed == null ? ready.poll() : null;
                        complete = next == null && done && batch == null && ready.isEmpty();
                    }
                    if (failed != null) {
                        discardAll();
                        terminated = true;
                        worker.dispose();
                        actual.onError(failed);
                        break;
                    }
                    if (next != null) {
                        actual.onNext(next);
                        continue;
                    }
                    if (complete) {
                        terminated = true;
                        worker.dispose();
                        actual.onComplete();
                    }
                    break;
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private void discardAll() {
            Context ctx = actual.currentContext();
            List<List<T>> lists = new java.util.ArrayList<>();
            synchronized (this) {
                lists.addAll(ready);
                ready.clear();
                if (batch != null) {
                    lists.add(batch);
                    batch = null;
                }
            }
            for (List<T> l : lists) {
                Operators.onDiscardMultiple(l, ctx);
            }
        }
    }
}
