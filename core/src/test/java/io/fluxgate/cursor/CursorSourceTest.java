package io.fluxgate.cursor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class CursorSourceTest {

    /** A keyset-paginated "table" of ids 1..rows, pages of {@code size} ids after the cursor. */
    private final List<Integer> fetchedAfter = new ArrayList<>();

    private Mono<Page<Integer, Integer>> page(int after, int size, int rows) {
        fetchedAfter.add(after);
        List<Integer> items = IntStream.rangeClosed(after + 1, Math.min(rows, after + size)).boxed().toList();
        int next = items.isEmpty() ? after : items.get(items.size() - 1);
        return Mono.just(next >= rows ? Page.last(items, next) : Page.of(items, next));
    }

    @Test
    void pagesThroughAndCheckpointsEachPage() {
        InMemoryCheckpointStore<Integer> store = new InMemoryCheckpointStore<>();
        StepVerifier.create(CursorSource.<Integer, Integer>builder(after -> page(after, 3, 7))
                        .initialCursor(0).checkpoints(store).build())
                .expectNext(1, 2, 3, 4, 5, 6, 7)
                .verifyComplete();
        assertThat(fetchedAfter).containsExactly(0, 3, 6);
        assertThat(store.current()).isEqualTo(7);
    }

    @Test
    void fetchesTheNextPageOnlyOnDemand() {
        StepVerifier.create(CursorSource.<Integer, Integer>builder(after -> page(after, 2, 10))
                        .initialCursor(0).build(), 0)
                .then(() -> assertThat(fetchedAfter).isEmpty())
                .thenRequest(2)
                .expectNext(1, 2)
                .then(() -> assertThat(fetchedAfter).containsExactly(0))
                .thenRequest(1)
                .expectNext(3)
                .then(() -> assertThat(fetchedAfter).containsExactly(0, 2))
                .thenCancel()
                .verify();
    }

    @Test
    void restartResumesFromTheCheckpoint() {
        InMemoryCheckpointStore<Integer> store = new InMemoryCheckpointStore<>();
        Flux<Integer> source = CursorSource.<Integer, Integer>builder(after -> page(after, 3, 10))
                .initialCursor(0).checkpoints(store).build();
        StepVerifier.create(source.take(5)).expectNext(1, 2, 3, 4, 5).verifyComplete();
        assertThat(store.current()).isEqualTo(3); // page 4..6 was not finished
        StepVerifier.create(source).expectNext(4, 5, 6, 7, 8, 9, 10).verifyComplete();
        assertThat(store.current()).isEqualTo(10);
        // a later run over the grown table picks up only new rows
        StepVerifier.create(CursorSource.<Integer, Integer>builder(after -> page(after, 3, 12))
                        .initialCursor(0).checkpoints(store).build())
                .expectNext(11, 12)
                .verifyComplete();
    }

    @Test
    void emptyPagesAndAsyncFetches() {
        StepVerifier.withVirtualTime(() -> CursorSource.<String, Integer>builder(c -> Mono.delay(Duration.ofSeconds(1))
                                .thenReturn(c < 2 ? Page.<String, Integer>of(List.of(), c + 1) : Page.last(List.of("end"), null)))
                        .initialCursor(0).build())
                .thenAwait(Duration.ofSeconds(3))
                .expectNext("end")
                .verifyComplete();
    }

    @Test
    void fetchErrorFailsAndRetryResumesFromCheckpoint() {
        InMemoryCheckpointStore<Integer> store = new InMemoryCheckpointStore<>();
        AtomicInteger failures = new AtomicInteger();
        Flux<Integer> source = CursorSource.<Integer, Integer>builder(after -> after == 3 && failures.getAndIncrement() == 0
                        ? Mono.error(new IllegalStateException("db hiccup")) : page(after, 3, 6))
                .initialCursor(0).checkpoints(store).build();
        StepVerifier.create(source.retry(1)).expectNext(1, 2, 3, 4, 5, 6).verifyComplete();
    }

    @Property(tries = 100)
    void everyRowExactlyOnceInOrder(@ForAll @IntRange(min = 0, max = 50) int rows,
                                    @ForAll @IntRange(min = 1, max = 8) int size) {
        fetchedAfter.clear();
        List<Integer> out = CursorSource.<Integer, Integer>builder(after -> page(after, size, rows))
                .initialCursor(0).build().collectList().block();
        assertThat(out).containsExactlyElementsOf(IntStream.rangeClosed(1, rows).boxed().toList());
    }

    @Test
    void rejectsMissingInitialCursor() {
        assertThatThrownBy(() -> CursorSource.builder(c -> Mono.empty()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialCursor");
        assertThatThrownBy(() -> Page.of(List.of(), null)).isInstanceOf(NullPointerException.class);
    }
}
