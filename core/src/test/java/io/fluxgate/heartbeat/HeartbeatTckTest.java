package io.fluxgate.heartbeat;

import java.time.Duration;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;

import reactor.core.publisher.Flux;

/** Reactive Streams TCK over the heartbeat operator (interval long enough that only data flows). */
public class HeartbeatTckTest extends PublisherVerification<Long> {

    public HeartbeatTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        return Flux.range(0, (int) Math.min(elements, 1 << 20)).map(Integer::longValue)
                .transform(Heartbeat.every(Duration.ofHours(1)).inject(() -> -1L));
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return Flux.<Long>error(new IllegalStateException("failed")).transform(Heartbeat.every(Duration.ofHours(1)).inject(() -> -1L));
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1L << 20;
    }
}
