package io.fluxgate.aggregate;

import java.time.Duration;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Flux;

/**
 * The several-sources form as a Reactive Streams publisher: two sources deliver parts "left" and "right" for keys
 * {@code 0..n-1}, so {@code n} complete groups come out; its failed form has a failing source.
 */
public class AggregateSourcesTckTest extends PublisherVerification<Aggregated<Long, Long>> {

    public AggregateSourcesTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<Aggregated<Long, Long>> createPublisher(long elements) {
        return Aggregate.<Long, Long>sources()
                .part("left", upTo(elements), i -> i)
                .part("right", upTo(elements), i -> i)
                .timeout(Duration.ofSeconds(10))
                .maxWaiting(16)
                .build();
    }

    @Override
    public Publisher<Aggregated<Long, Long>> createFailedPublisher() {
        return Aggregate.<Long, Long>sources()
                .part("left", Flux.<Long>error(new IllegalStateException("tck failure")), i -> i)
                .build();
    }

    private static Flux<Long> upTo(long n) {
        return Flux.generate(() -> 0L, (i, sink) -> {
            if (i < n) {
                sink.next(i);
            } else {
                sink.complete();
            }
            return i + 1;
        });
    }

    /** Unbounded (the sources are generated lazily), so the required rule 3.17 runs instead of being skipped. */
    @Override
    public long maxElementsFromPublisher() {
        return Long.MAX_VALUE - 1;
    }
}
