package io.fluxgate.aggregate.internal;

import java.util.function.Consumer;
import java.util.function.Function;

import io.fluxgate.aggregate.AggregateStats.Counter;
import io.fluxgate.aggregate.Aggregated;
import io.fluxgate.internal.Time;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.annotation.Nullable;

/** The aggregate operator as a Flux stage; state lives in one {@link AggregateSubscriber} per subscription. Not API. */
public final class FluxAggregate<I, K, T> extends FluxOperator<I, Aggregated<K, T>> {

    private final Rules<K, T> rules;
    private final Function<? super I, ? extends K> key;
    private final Function<? super I, String> part;
    private final Function<? super I, ? extends T> value;
    @Nullable
    private final Scheduler scheduler;
    private final Consumer<Counter> counters;

    /**
     * @param scheduler null means {@link Schedulers#parallel()} resolved at subscription (so
     *                  {@code StepVerifier.withVirtualTime} takes effect), timed with {@link Time#defaultNanoClock()}
     */
    public FluxAggregate(Flux<? extends I> source, Rules<K, T> rules, Function<? super I, ? extends K> key,
                         Function<? super I, String> part, Function<? super I, ? extends T> value,
                         @Nullable Scheduler scheduler, Consumer<Counter> counters) {
        super(source);
        this.rules = rules;
        this.key = key;
        this.part = part;
        this.value = value;
        this.scheduler = scheduler;
        this.counters = counters;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Aggregated<K, T>> actual) {
        Scheduler s = Time.schedulerOr(scheduler);
        source.subscribe(new AggregateSubscriber<>(actual, rules, key, part, value, s, Time.nanoClockOf(scheduler),
                counters));
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
