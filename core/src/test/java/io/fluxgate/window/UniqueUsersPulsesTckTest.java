package io.fluxgate.window;

import io.fluxgate.heartbeat.Pulse;
import java.time.Duration;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Flux;

/**
 * Reactive Streams TCK over the pulse form: record i has event time 2i and is followed by a tick reporting 1 s of
 * silence, so every tick closes the record's window and n pulses pairs make n windows.
 */
public class UniqueUsersPulsesTckTest extends PublisherVerification<WindowCount> {

    private static final Function<Flux<Pulse<Ev>>, Flux<WindowCount>> OP =
            UniqueUsers.<Ev>perWindow(Duration.ofSeconds(1)).userId(Ev::uid).eventTimeSeconds(Ev::ts).buildForPulses();

    public UniqueUsersPulsesTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<WindowCount> createPublisher(long elements) {
        return Flux.range(0, (int) elements)
                .<Pulse<Ev>>concatMap(i -> Flux.just(new Pulse.Item<>(Ev.of("u" + (i % 3), 2L * i)),
                        new Pulse.Tick<>(i + 1, Duration.ofSeconds(1))))
                .transform(OP);
    }

    @Override
    public Publisher<WindowCount> createFailedPublisher() {
        return Flux.<Pulse<Ev>>error(new IllegalStateException("failed source")).transform(OP);
    }

    @Override
    public long maxElementsFromPublisher() {
        return 4096;
    }
}
