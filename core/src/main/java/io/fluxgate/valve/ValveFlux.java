package io.fluxgate.valve;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;

final class ValveFlux<T> extends FluxOperator<T, T> {

    private final Valve valve;

    ValveFlux(Flux<? extends T> source, Valve valve) {
        super(source);
        this.valve = valve;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        source.subscribe(new ValveSubscriber<>(actual, valve));
    }
}
