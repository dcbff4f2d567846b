package io.fluxgate.batch;

import java.time.Duration;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reactive Streams TCK over the adaptive form; the sink answers each batch with its size. */
public class AdaptiveBatchSinkTckTest extends PublisherVerification<Integer> {

    public AdaptiveBatchSinkTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<Integer> createPublisher(long elements) {
        // a sink emitting one result per item, so the result count is the element count whatever the batch sizes
        return Flux.range(0, (int) Math.min(elements, Integer.MAX_VALUE))
                .transform(AdaptiveBatch.<Integer, Integer>into(batch -> Flux.fromIterable(batch))
                        .maxWait(Duration.ofMillis(5)).maxInFlight(2).build());
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return Flux.<Integer>error(new IllegalStateException("failed"))
                .transform(AdaptiveBatch.<Integer, Integer>into(b -> Mono.just(b.size())).build());
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE; // a lazy range: enough for rule 3.17, which cancels after a few
    }
}
