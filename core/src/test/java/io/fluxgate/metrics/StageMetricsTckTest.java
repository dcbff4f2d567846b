package io.fluxgate.metrics;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;

public class StageMetricsTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return StageMetrics.builder().name("tck").meterRegistry(new SimpleMeterRegistry()).build((Flux<Long> f) -> f.map(i -> i + 1));
    }
}
