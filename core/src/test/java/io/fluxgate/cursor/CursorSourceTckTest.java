package io.fluxgate.cursor;

import java.util.List;
import java.util.stream.LongStream;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Mono;

/** The cursor source is a publisher, not a transformer: verified directly with pages of 7. */
public class CursorSourceTckTest extends PublisherVerification<Long> {

    public CursorSourceTckTest() {
        super(new TestEnvironment(1_000, 50, 10));
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        return CursorSource.<Long, Long>builder(after -> {
            long end = Math.min(elements, after + 7);
            List<Long> items = LongStream.range(after, end).boxed().toList();
            return Mono.just(end >= elements ? Page.last(items, end) : Page.of(items, end));
        }).initialCursor(0L).build();
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        // a page fetch fails only once requested (fetches are on demand); an unreadable checkpoint fails at once
        CheckpointStore<Long> broken = new CheckpointStore<>() {
            @Override
            public Mono<Long> load() {
                return Mono.error(new IllegalStateException("checkpoint unreadable"));
            }

            @Override
            public Mono<Void> save(Long cursor) {
                return Mono.empty();
            }
        };
        return CursorSource.<Long, Long>builder(after -> Mono.just(Page.last(List.of(), null)))
                .initialCursor(0L).checkpoints(broken).build();
    }

    @Override
    public long maxElementsFromPublisher() {
        return Long.MAX_VALUE - 1; // pages are fetched lazily: rule 3.17's Integer.MAX_VALUE elements cost nothing
    }
}
