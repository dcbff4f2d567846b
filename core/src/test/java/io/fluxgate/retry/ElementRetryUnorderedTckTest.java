package io.fluxgate.retry;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class ElementRetryUnorderedTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return ElementRetry.<Long, Long>builder(i -> Mono.just(i)).maxInFlight(4).unordered().build();
    }
}
