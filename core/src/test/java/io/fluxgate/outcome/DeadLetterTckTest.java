package io.fluxgate.outcome;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class DeadLetterTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return source -> source.transform(Outcomes.<Long, Long>tryMap(i -> i))
                .transform(Outcomes.deadLetter(new InMemoryDeadLetterSink<>(), "tck"));
    }
}
