package io.fluxgate.outcome;

import java.util.List;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

/** The dead-letter operator as a publisher, with a synchronous sink: every other outcome is a failure. */
public class DeadLetterTckTest extends TransformerTck<Long> {

    /** Each element becomes a failure then a success, so the operator emits exactly one value per element. */
    static Flux<Outcome<Long, Long>> failureThenSuccess(Flux<Long> source) {
        return source.flatMapIterable(i -> List.of(
                Outcome.<Long, Long>failure(i, new IllegalArgumentException("bad " + i)),
                Outcome.<Long, Long>success(i, i)));
    }

    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return source -> failureThenSuccess(source)
                .transform(Outcomes.deadLetter(DeadLetterSink.<Long>of(letter -> { }), "tck"));
    }
}
