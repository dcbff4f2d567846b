package io.fluxgate.outcome;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class ErrorBudgetTckTest extends TransformerTck<Outcome<Long, Long>> {
    @Override
    protected Function<Flux<Long>, Flux<Outcome<Long, Long>>> transformer() {
        return source -> source.transform(Outcomes.<Long, Long>tryMap(i -> i)).transform(ErrorBudget.consecutive(3));
    }
}
