package io.fluxgate.batch.internal;

import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.annotation.Nullable;

/** The batching operator as a Flux stage; state lives in one {@link BatchSubscriber} per subscription. */
public final class FluxBatch<T> extends FluxOperator<T, List<T>> {

    private final IntSupplier maxSize;
    private final long maxWeight;
    @Nullable
    private final ToLongFunction<? super T> weigher;
    private final long maxWaitNanos;
    @Nullable
    private final Supplier<Scheduler> scheduler;
    private final IntFunction<? extends List<T>> newBatch;

    /**
     * @param scheduler resolved per subscription, so {@code Schedulers.parallel()} picked up lazily honours
     *                  {@code StepVerifier.withVirtualTime}; null means {@link Schedulers#parallel()}
     */
    public FluxBatch(Flux<? extends T> source, IntSupplier maxSize, long maxWeight,
                     @Nullable ToLongFunction<? super T> weigher, long maxWaitNanos,
                     @Nullable Supplier<Scheduler> scheduler) {
        this(source, maxSize, maxWeight, weigher, maxWaitNanos, scheduler, BatchSubscriber::defaultBatch);
    }

    /**
     * @param newBatch an empty, modifiable list for each batch, given its size bound; see {@link BatchSubscriber}
     */
    public FluxBatch(Flux<? extends T> source, IntSupplier maxSize, long maxWeight,
                     @Nullable ToLongFunction<? super T> weigher, long maxWaitNanos,
                     @Nullable Supplier<Scheduler> scheduler, IntFunction<? extends List<T>> newBatch) {
        super(source);
        this.newBatch = newBatch;
        this.maxSize = maxSize;
        this.maxWeight = maxWeight;
        this.weigher = weigher;
        this.maxWaitNanos = maxWaitNanos;
        this.scheduler = scheduler;
    }

    @Override
    public void subscribe(CoreSubscriber<? super List<T>> actual) {
        Scheduler s = scheduler == null ? io.fluxgate.internal.Time.schedulerOr(null) : scheduler.get();
        source.subscribe(new BatchSubscriber<>(actual, maxSize, maxWeight, weigher, maxWaitNanos, s, newBatch));
    }

    @Override
    @Nullable
    public Object scanUnsafe(Attr key) {
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        return super.scanUnsafe(key);
    }
}
