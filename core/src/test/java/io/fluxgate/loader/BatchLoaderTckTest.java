package io.fluxgate.loader;

import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class BatchLoaderTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return BatchLoader.<Long, Long>builder(keys -> Mono.just(keys.stream()
                        .collect(Collectors.toMap(k -> k, k -> k * 2))))
                .maxBatchSize(16).maxDelay(Duration.ofMillis(1)).build().loadEach();
    }
}
