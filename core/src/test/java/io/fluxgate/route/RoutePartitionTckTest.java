package io.fluxgate.route;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class RoutePartitionTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return Route.partition(3, (Long i) -> i, (Flux<Long> f) -> f.map(i -> i + 1));
    }
}
