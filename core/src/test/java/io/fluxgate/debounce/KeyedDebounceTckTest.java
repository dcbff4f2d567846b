package io.fluxgate.debounce;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class KeyedDebounceTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        // distinct keys: every element survives, emitted after a short quiet period or on completion
        return KeyedDebounce.byKey((Long i) -> i).quietPeriod(Duration.ofMillis(1)).build();
    }
}
