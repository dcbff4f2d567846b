package io.fluxgate.progress;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class ProgressTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return Progress.builder().interval(Duration.ofMillis(5)).listener(s -> { }).build();
    }
}
