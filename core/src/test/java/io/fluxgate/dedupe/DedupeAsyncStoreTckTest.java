package io.fluxgate.dedupe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

public class DedupeAsyncStoreTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return source -> Flux.defer(() -> {
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            return source.transform(Dedupe.<Long, Long>byKey(i -> i).store(k -> Mono.fromSupplier(() -> seen.add(k)))
                    .build());
        });
    }
}
