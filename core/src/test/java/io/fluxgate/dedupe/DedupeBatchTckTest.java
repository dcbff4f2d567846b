package io.fluxgate.dedupe;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

public class DedupeBatchTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        // distinct keys so that every element passes; batches form under the TCK's bursts
        return source -> Flux.defer(() -> {
            IdempotencyStore<Long> store = new DedupeBatchTest.SlowStoreLong();
            return source.transform(Dedupe.<Long, Long>byKey(i -> i).store(store).maxBatch(16).build());
        });
    }
}
