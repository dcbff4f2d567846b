package io.fluxgate.batch;

import java.time.Duration;
import java.util.List;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reactive Streams TCK over the fixed-bound batching operator. */
public class AdaptiveBatchTckTest extends PublisherVerification<List<Long>> {

    public AdaptiveBatchTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<List<Long>> createPublisher(long elements) {
        long n = Math.min(elements, 1L << 20);
        return Flux.range(0, (int) (n * 3)).map(Integer::longValue)
                .transform(AdaptiveBatch.<Long>builder().maxSize(3).maxWait(Duration.ofSeconds(5)).build());
    }

    @Override
    public Publisher<List<Long>> createFailedPublisher() {
        return Flux.<Long>error(new IllegalStateException("failed"))
                .transform(AdaptiveBatch.of(3, Duration.ofSeconds(5)));
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1L << 20;
    }
}
