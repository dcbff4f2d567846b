package io.fluxgate.workers;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class WorkersUnorderedTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return Workers.unordered(4, (Long i) -> Mono.just(i));
    }
}
