package io.fluxgate.window;

import java.time.Duration;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Flux;

/** Reactive Streams TCK over the transformer: record i has event time i and zero lateness, so n records make n windows. */
public class UniqueUsersTckTest extends PublisherVerification<WindowCount> {

    private static final UniqueUsers<Ev> OP = UniqueUsers.<Ev>perWindow(Duration.ofSeconds(1)).userId(Ev::uid)
            .eventTimeSeconds(Ev::ts).build();

    public UniqueUsersTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<WindowCount> createPublisher(long elements) {
        return Flux.range(0, (int) elements).map(i -> Ev.of("u" + (i % 3), i)).transform(OP);
    }

    @Override
    public Publisher<WindowCount> createFailedPublisher() {
        return Flux.<Ev>error(new IllegalStateException("failed source")).transform(OP);
    }

    @Override
    public long maxElementsFromPublisher() {
        return 4096;
    }
}
