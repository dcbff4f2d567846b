package io.fluxgate.workers;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class WorkersAdaptiveTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return Workers.adaptive().build((Long i) -> Mono.just(i));
    }
}
