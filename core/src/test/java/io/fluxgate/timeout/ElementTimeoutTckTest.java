package io.fluxgate.timeout;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class ElementTimeoutTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return ElementTimeout.of("tck", Duration.ofSeconds(5), (Long i) -> Mono.just(i));
    }
}
