package io.fluxgate.heartbeat;

import java.time.Duration;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;

import reactor.core.publisher.Flux;

/** Reactive Streams TCK over a stage wrapped by the watchdog. */
public class StallWatchdogTckTest extends PublisherVerification<Long> {

    private final StallWatchdog watchdog = StallWatchdog.builder().name("tck").stallAfter(Duration.ofSeconds(5)).build();

    public StallWatchdogTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        return Flux.range(0, (int) Math.min(elements, Integer.MAX_VALUE)).map(Integer::longValue)
                .transform(watchdog.<Long, Long>watch(f -> f.map(x -> x + 1)));
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return Flux.<Long>error(new IllegalStateException("failed")).transform(watchdog.<Long, Long>watch(f -> f));
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE; // a lazy range: enough for rule 3.17, which cancels after a few
    }
}
