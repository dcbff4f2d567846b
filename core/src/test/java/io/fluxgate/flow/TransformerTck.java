package io.fluxgate.flow;

import java.util.function.Function;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Flux;

/**
 * Shared Reactive Streams TCK harness for the flow-control operators: a transformer applied to a source of
 * {@code 0..n-1} must behave as a compliant publisher, and must pass an upstream error through.
 */
public abstract class TransformerTck<R> extends PublisherVerification<R> {

    protected TransformerTck() {
        // a generous signal timeout (it only costs time when a rule fails; 250 ms flaked on a loaded 2-core machine)
        // and a short no-signal wait (the TCK waits that long in every "expect nothing" step); the 10 ms poll because
        // the two-argument constructor polls for expected errors in steps of the whole timeout (a second per 3.9 rule)
        super(new TestEnvironment(1_000, 50, 10));
    }

    /** The operator under test, applied to a {@code Flux<Long>}. */
    protected abstract Function<Flux<Long>, Flux<R>> transformer();

    @Override
    public Publisher<R> createPublisher(long elements) {
        return Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
            if (i < elements) {
                sink.next(i);
            } else {
                sink.complete();
            }
            return i + 1;
        }).transform(transformer());
    }

    @Override
    public Publisher<R> createFailedPublisher() {
        return Flux.<Long>error(new IllegalStateException("tck failure")).transform(transformer());
    }

    /**
     * The TCK's own default: the source is generated lazily, so every rule runs, including 3.17, which needs a
     * publisher of {@code Integer.MAX_VALUE} elements (it cancels after a few).
     */
    @Override
    public long maxElementsFromPublisher() {
        return Long.MAX_VALUE - 1;
    }
}
