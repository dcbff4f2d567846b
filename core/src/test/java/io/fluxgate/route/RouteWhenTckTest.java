package io.fluxgate.route;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class RouteWhenTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return Route.<Long, Long>when(i -> i % 2 == 0, f -> f.map(i -> i * 10), f -> f);
    }
}
