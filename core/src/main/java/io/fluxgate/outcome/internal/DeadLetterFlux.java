package io.fluxgate.outcome.internal;

import java.time.Clock;

import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcome;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;

/**
 * {@code Outcomes.deadLetter} as a Flux stage; state lives in one {@link DeadLetterSubscriber} per subscription.
 * Public only because the API class lives in the parent package; not part of the API.
 */
public final class DeadLetterFlux<T, R> extends FluxOperator<Outcome<T, R>, R> {

    private final DeadLetterSink<? super T> sink;
    private final String stage;
    private final Clock clock;
    private final int maxInFlight;

    public DeadLetterFlux(Flux<? extends Outcome<T, R>> source, DeadLetterSink<? super T> sink, String stage,
                          Clock clock, int maxInFlight) {
        super(source);
        this.sink = sink;
        this.stage = stage;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        source.subscribe(new DeadLetterSubscriber<>(actual, sink, stage, clock, maxInFlight));
    }
}
