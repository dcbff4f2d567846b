package io.fluxgate.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The remote-store path of {@link Dedupe}: keys that queue up behind a check in flight are asked in one batch. */
class DedupeBatchTest {

    /** A store answering in memory after a delay, recording every batch it was asked. */
    static final class SlowStore implements IdempotencyStore<Integer> {
        final Set<Integer> seen = new HashSet<>();
        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

        @Override
        public Mono<Boolean> markIfAbsent(Integer key) {
            return markAllIfAbsent(List.of(key)).map(l -> l.get(0));
        }

        @Override
        public Mono<List<Boolean>> markAllIfAbsent(List<? extends Integer> keys) {
            batches.add(List.copyOf(keys));
            return Mono.delay(Duration.ofMillis(10)).map(x -> {
                synchronized (seen) {
                    List<Boolean> out = new ArrayList<>();
                    for (Integer k : keys) {
                        out.add(seen.add(k));
                    }
                    return out;
                }
            });
        }
    }

    @Test
    void elementsArrivingDuringACheckAreAskedInOneBatchInOrder() {
        SlowStore store = new SlowStore();
        List<Integer> discarded = new CopyOnWriteArrayList<>();
        // 1 first, alone; 2..6 arrive while its check is in flight and go in one batch (with duplicates inside)
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.just(1),
                                Flux.just(2, 1, 3, 3, 4).delaySubscription(Duration.ofMillis(1)))
                        .transform(Dedupe.<Integer, Integer>byKey(i -> i).store(store).maxBatch(64).build())
                        .doOnDiscard(Integer.class, discarded::add))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(1, 2, 3, 4)
                .verifyComplete();
        assertThat(store.batches).containsExactly(List.of(1), List.of(2, 1, 3, 3, 4));
        assertThat(discarded).containsExactly(1, 3);
    }

    @Test
    void batchesAreBoundedByMaxBatch() {
        SlowStore store = new SlowStore();
        StepVerifier.withVirtualTime(() -> Flux.range(1, 10)
                        .transform(Dedupe.<Integer, Integer>byKey(i -> i).store(store).maxBatch(4).build()))
                .thenAwait(Duration.ofSeconds(1))
                .expectNextCount(10)
                .verifyComplete();
        assertThat(store.batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(4));
        assertThat(store.batches.stream().flatMap(List::stream)).containsExactlyElementsOf(
                Flux.range(1, 10).collectList().block());
    }

    @Test
    void theDefaultBatchMethodAsksKeyByKeyInOrder() {
        List<Integer> asked = new CopyOnWriteArrayList<>();
        Set<Integer> seen = new HashSet<>();
        IdempotencyStore<Integer> perKey = k -> {
            asked.add(k);
            return Mono.just(seen.add(k));
        };
        assertThat(perKey.markAllIfAbsent(List.of(5, 6, 5)).block()).containsExactly(true, true, false);
        assertThat(asked).containsExactly(5, 6, 5);
    }

    @Test
    void aStoreAnsweringTheWrongNumberOfTimesFailsTheStream() {
        IdempotencyStore<Integer> broken = new IdempotencyStore<>() {
            @Override
            public Mono<Boolean> markIfAbsent(Integer key) {
                return Mono.just(true);
            }

            @Override
            public Mono<List<Boolean>> markAllIfAbsent(List<? extends Integer> keys) {
                return Mono.just(List.of());
            }
        };
        StepVerifier.create(Flux.just(1).transform(Dedupe.<Integer, Integer>byKey(i -> i).store(broken).build()))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("answered 0 times for 1 keys"));
    }

    @Test
    void maxBatchOneAsksKeyByKey() {
        SlowStore store = new SlowStore();
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2, 2, 3)
                        .transform(Dedupe.<Integer, Integer>byKey(i -> i).store(store).maxBatch(1).build()))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(1, 2, 3)
                .verifyComplete();
        assertThat(store.batches).containsExactly(List.of(1), List.of(2), List.of(2), List.of(3));
    }
}
