package io.fluxgate.breaker;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reactive Streams TCK over the protect transformer: scalar calls, asynchronous calls, concurrent calls. */
public class ProtectPublisherTckTest extends PublisherVerification<Integer> {

    private final CircuitBreaker breaker = CircuitBreaker.ofDefaults("tck");

    public ProtectPublisherTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    private static Flux<Integer> source(long elements) {
        return Flux.<Integer, Integer>generate(() -> 0, (i, sink) -> {
            sink.next(i);
            return i + 1;
        }).take(elements);
    }

    @Override
    public Publisher<Integer> createPublisher(long elements) {
        // alternate the three shapes so each TCK rule runs over all of them
        return switch ((int) (elements % 3)) {
            case 0 -> source(elements).transform(breaker.<Integer, Integer>protect(Mono::just));
            case 1 -> source(elements).transform(breaker.<Integer, Integer>protect(i -> Mono.just(i).hide()));
            default -> source(elements).transform(breaker.<Integer, Integer>protecting(i -> Mono.just(i).hide())
                    .maxInFlight(4).whenOpen(OpenBehavior.BACKPRESSURE).build());
        };
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return Flux.<Integer>error(new IllegalStateException("failed upstream"))
                .transform(breaker.<Integer, Integer>protect(Mono::just));
    }
}
