package io.fluxgate.retry;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class ElementRetryTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return ElementRetry.of(3, (Long i) -> Mono.just(i));
    }
}
