package io.fluxgate.outcome;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class TryMapTckTest extends TransformerTck<Outcome<Long, Long>> {
    @Override
    protected Function<Flux<Long>, Flux<Outcome<Long, Long>>> transformer() {
        return Outcomes.tryMap(i -> i % 3 == 0 ? i : -i);
    }
}
