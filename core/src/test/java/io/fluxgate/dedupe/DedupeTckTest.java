package io.fluxgate.dedupe;

import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * The TCK over input that holds duplicates: every key {@code k} is followed by a repeat of {@code max(k - 3, 0)},
 * a key seen within the last 16, so the source emits {@code 2n} elements and only {@code n} distinct ones may come
 * out. A dedupe that let duplicates through would break the TCK's exact-count rules.
 */
public class DedupeTckTest extends TransformerTck<Long> {
    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        return Dedupe.lastN(16);
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        return Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
            long key = i / 2;
            if (key >= elements) {
                sink.complete();
            } else {
                sink.next(i % 2 == 0 ? key : Math.max(key - 3, 0));
            }
            return i + 1;
        }).transform(transformer());
    }
}
