package io.fluxgate.aggregate;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

/** The one-stream form as a Reactive Streams publisher: every element is a one-part group, complete at once. */
public class AggregateTckTest extends TransformerTck<Aggregated<Long, Long>> {
    @Override
    protected Function<Flux<Long>, Flux<Aggregated<Long, Long>>> transformer() {
        return Aggregate.<Long, Long>byKey(i -> i, i -> "only").completeAfter(1).timeout(Duration.ofSeconds(10))
                .maxWaiting(16).build();
    }

    /** Unbounded (the source is generated lazily), so the required rule 3.17 runs instead of being skipped. */
    @Override
    public long maxElementsFromPublisher() {
        return Long.MAX_VALUE - 1;
    }
}
