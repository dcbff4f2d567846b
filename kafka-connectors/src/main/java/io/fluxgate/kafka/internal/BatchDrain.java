package io.fluxgate.kafka.internal;

import java.util.Iterator;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import io.fluxgate.internal.DrainSubscriber;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.annotation.Nullable;
import reactor.util.concurrent.Queues;

/**
 * Batches to their elements, on a worker of a scheduler: what {@code publishOn(scheduler, false, prefetch)
 * .concatMap(b -> Flux.fromIterable(expand(b)), 1)} does, in one drain loop. The poll thread hands each poll's batch
 * over once; the worker turns it into elements (through {@code expand}, whose iterator may have effects per element:
 * the source admits and registers each record as it is iterated) and emits them. Written by hand because the
 * composition costs, per element, the inner {@code Flux}'s iteration, {@code concatMap}'s two compare-and-sets
 * around each inner {@code onNext} and three more subscribers' calls; a benchmark of the source measured them
 * (BENCHMARKS.md, "Kafka", session 8).
 *
 * <ul>
 *   <li><b>Demand:</b> {@code prefetch} batches are requested at subscription and one more each time a batch is used
 *       up, at once (not at the end of a drain pass, so a long pass does not make the producer stop early).
 *       Elements are emitted within downstream demand. A batch's iterator is asked {@code hasNext()} before demand
 *       for its next element exists (to find the batch's end, as {@code Flux.fromIterable} does); batches that yield
 *       nothing are used up without demand, in order, so their effects (end markers) happen once every element
 *       before them was emitted.</li>
 *   <li><b>Errors:</b> an upstream error overtakes the batches still queued (they are discarded to Reactor's discard
 *       hook); an exception of {@code expand} or of an iterator cancels upstream and errors downstream. Completion
 *       comes once every queued batch is used up.</li>
 *   <li><b>Cancel:</b> cancels upstream, discards the queued batches; the batch being iterated is dropped without
 *       iterating its rest.</li>
 * </ul>
 *
 * @param <B> batch type
 * @param <R> element type
 */
final class BatchDrain<B, R> extends Flux<R> {

    private final Publisher<? extends B> source;
    private final Function<? super B, ? extends Iterator<? extends R>> expand;
    private final Scheduler scheduler;
    private final int prefetch;

    /**
     * @param source    the batches
     * @param expand    a batch's elements, called on the worker, in batch order; its iterator is consumed there too
     * @param scheduler where the elements are made and emitted (one worker per subscription)
     * @param prefetch  batches requested ahead, at least 1
     */
    BatchDrain(Publisher<? extends B> source, Function<? super B, ? extends Iterator<? extends R>> expand,
               Scheduler scheduler, int prefetch) {
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be at least 1, was " + prefetch);
        }
        this.source = Objects.requireNonNull(source, "source");
        this.expand = Objects.requireNonNull(expand, "expand");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.prefetch = prefetch;
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        Scheduler.Worker worker;
        try {
            worker = Objects.requireNonNull(scheduler.createWorker(), "the scheduler returned a null worker");
        } catch (Throwable e) {
            Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
            return;
        }
        source.subscribe(new DrainToElements<>(actual, expand, scheduler, worker, prefetch));
    }

    static final class DrainToElements<B, R> extends DrainSubscriber<B, R> implements Runnable {

        private final Function<? super B, ? extends Iterator<? extends R>> expand;
        private final Scheduler.Worker worker;
        private final int prefetch;
        /** Single producer (the upstream's serialized onNext), single consumer (the drain loop). */
        private final Queue<B> queue;
        /** The batch being emitted; drain loop only. */
        private @Nullable Iterator<? extends R> current;

        DrainToElements(CoreSubscriber<? super R> actual, Function<? super B, ? extends Iterator<? extends R>> expand,
                        Scheduler scheduler, Scheduler.Worker worker, int prefetch) {
            super(actual, scheduler);
            this.expand = expand;
            this.worker = worker;
            this.prefetch = prefetch;
            this.queue = Queues.<B>get(prefetch).get();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(this.s, s)) {
                this.s = s;
                actual.onSubscribe(this);
                s.request(prefetch);
            }
        }

        @Override
        public void onNext(B batch) {
            if (done) {
                Operators.onNextDropped(batch, actual.currentContext());
                return;
            }
            if (!queue.offer(batch)) {
                Operators.onDiscard(batch, actual.currentContext());
                error = Operators.onOperatorError(s, Exceptions.failWithOverflow(
                        "more batches than requested (" + prefetch + " ahead)"), batch, actual.currentContext());
                done = true;
            }
            drain();
        }

        @Override
        protected void onCancel() {
            worker.dispose();
        }

        /** Every signal moves the drain to the worker (the base class drains on the signalling thread). */
        @Override
        protected void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            try {
                worker.schedule(this);
            } catch (RejectedExecutionException e) {
                // the worker is gone (cancelled, or its scheduler disposed): nothing can be emitted any more
                if (!cancelled) {
                    actual.onError(Operators.onRejectedExecution(e, s, error, null, actual.currentContext()));
                }
            }
        }

        /** The drain, on the worker. */
        @Override
        public void run() {
            drainLoop(1);
        }

        @Override
        protected long drainPass(long r) {
            long e = 0;
            Iterator<? extends R> it = current;
            for (;;) {
                if (discardIfCancelled()) {
                    return TERMINATED;
                }
                Throwable ex = error;
                if (ex != null) {
                    // a failure overtakes what is queued (as publishOn without delayError)
                    discardAll();
                    worker.dispose();
                    actual.onError(ex);
                    return TERMINATED;
                }
                if (it == null) {
                    boolean d = done;
                    B batch = queue.poll();
                    if (batch == null) {
                        if (d) {
                            worker.dispose();
                            actual.onComplete();
                            return TERMINATED;
                        }
                        return e;
                    }
                    try {
                        it = Objects.requireNonNull(expand.apply(batch), "expand returned a null iterator");
                    } catch (Throwable t) {
                        return failed(t, batch);
                    }
                    current = it;
                }
                boolean more;
                try {
                    more = it.hasNext();
                } catch (Throwable t) {
                    return failed(t, null);
                }
                if (!more) {
                    it = null;
                    current = null;
                    // at once: the producer pauses while it sees no demand
                    s.request(1);
                    continue;
                }
                if (e == r) {
                    return e;
                }
                R v;
                try {
                    v = Objects.requireNonNull(it.next(), "the iterator returned a null element");
                } catch (Throwable t) {
                    return failed(t, null);
                }
                actual.onNext(v);
                e++;
            }
        }

        private long failed(Throwable t, @Nullable Object batch) {
            s.cancel();
            discardAll();
            worker.dispose();
            actual.onError(Operators.onOperatorError(s, t, batch, actual.currentContext()));
            return TERMINATED;
        }

        @Override
        protected void discardAll() {
            current = null;
            Operators.onDiscardQueueWithClear(queue, actual.currentContext(), null);
        }

        @Override
        public @Nullable Object scanUnsafe(Attr key) {
            if (key == Attr.PREFETCH) {
                return prefetch;
            }
            if (key == Attr.BUFFERED) {
                return queue.size();
            }
            if (key == Attr.ERROR) {
                return error;
            }
            return super.scanUnsafe(key);
        }
    }
}
