package io.fluxgate.timeout;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class ElementTimeoutTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return ElementTimeout.builder((Long i) -> Mono.just(i)).name("tck").timeout(Duration.ofSeconds(5)).build();
    }
}
