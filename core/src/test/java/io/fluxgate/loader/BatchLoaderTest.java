package io.fluxgate.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class BatchLoaderTest {

    private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

    /** Knows values for non-negative keys only. */
    private Mono<Map<Integer, String>> fetch(List<Integer> keys) {
        batches.add(keys);
        Map<Integer, String> found = new HashMap<>();
        keys.stream().filter(k -> k >= 0).forEach(k -> found.put(k, "v" + k));
        return Mono.just(found);
    }

    private BatchLoader.Builder<Integer, String> loader() {
        return BatchLoader.builder(this::fetch);
    }

    @Test
    void coalescesKeysWithinTheWindowAndDeduplicates() {
        BatchLoader<Integer, String> l = loader().maxDelay(Duration.ofMillis(10)).build();
        StepVerifier.withVirtualTime(() -> Flux.merge(l.load(1), l.load(2), l.load(1), l.load(3)).collectList())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(9))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(values -> assertThat(values).containsExactlyInAnyOrder("v1", "v2", "v1", "v3"))
                .verifyComplete();
        assertThat(batches).containsExactly(List.of(1, 2, 3));
    }

    @Test
    void fullBatchIsSentAtOnce() {
        BatchLoader<Integer, String> l = loader().maxBatchSize(2).maxDelay(Duration.ofHours(1)).build();
        StepVerifier.withVirtualTime(() -> Flux.range(0, 5).transform(l.loadEach()))
                .expectNext("v0", "v1", "v2", "v3")
                .expectNoEvent(Duration.ofMinutes(59))
                .thenAwait(Duration.ofMinutes(1))
                .expectNext("v4")
                .verifyComplete();
        assertThat(batches).containsExactly(List.of(0, 1), List.of(2, 3), List.of(4));
    }

    @Test
    void missingKeysCompleteEmptyAndLoadEachSkipsThem() {
        BatchLoader<Integer, String> l = loader().maxDelay(Duration.ZERO).build();
        StepVerifier.create(l.load(-1)).verifyComplete();
        StepVerifier.create(Flux.just(1, -2, 3).transform(l.loadEach())).expectNext("v1", "v3").verifyComplete();
    }

    @Test
    void batchFailureFailsEveryCallerOfThatBatchOnly() {
        BatchLoader<Integer, String> l = BatchLoader.<Integer, String>builder(keys -> keys.contains(13)
                        ? Mono.error(new IllegalStateException("batch with 13 failed")) : fetch(keys))
                // batches close by size only: with the default delay a loaded machine could close {13} alone
                .maxBatchSize(2).maxDelay(Duration.ofHours(1)).build();
        List<String> results = Flux.merge(l.load(13).materialize(), l.load(14).materialize(),
                        l.load(1).materialize(), l.load(2).materialize())
                .filter(signal -> !signal.isOnComplete())
                .map(signal -> signal.isOnError() ? signal.getThrowable().getMessage() : signal.get())
                .collectList().block(Duration.ofSeconds(5));
        // 13 and 14 share the failed batch; 1 and 2 are fetched in another one
        assertThat(results).containsExactlyInAnyOrder("batch with 13 failed", "batch with 13 failed", "v1", "v2");
        // no error remembered (two keys: the batch closes by size)
        StepVerifier.create(Flux.merge(l.load(14), l.load(15)).collectList())
                .assertNext(v -> assertThat(v).containsExactlyInAnyOrder("v14", "v15"))
                .verifyComplete();
    }

    @Test
    void throwingBatchFunctionFailsItsCallers() {
        BatchLoader<Integer, String> l = BatchLoader.<Integer, String>builder(keys -> {
            throw new IllegalArgumentException("bad keys " + keys);
        }).maxBatchSize(1).build();
        StepVerifier.create(l.load(5)).verifyErrorMessage("bad keys [5]");
    }

    @Test
    void cachedValuesAreServedWithoutAFetchAndEvictedLru() {
        BatchLoader<Integer, String> l = loader().maxBatchSize(1).cacheSize(2).build();
        l.load(1).block();
        l.load(2).block();
        l.load(1).block(); // hit: 1 becomes most recent
        l.load(3).block(); // evicts 2
        assertThat(l.cachedValues()).isEqualTo(2);
        l.load(1).block();
        l.load(2).block();
        assertThat(batches).containsExactly(List.of(1), List.of(2), List.of(3), List.of(2));
        l.invalidate(1);
        l.load(1).block();
        assertThat(batches).hasSize(5);
    }

    @Test
    void keyInFlightIsJoinedNotRefetched() {
        Sinks.One<Map<Integer, String>> answer = Sinks.one();
        BatchLoader<Integer, String> l = BatchLoader.<Integer, String>builder(keys -> {
            batches.add(keys);
            return answer.asMono();
        }).maxBatchSize(1).build();
        StepVerifier.create(Flux.merge(l.load(7), l.load(7)))
                .then(() -> assertThat(batches).containsExactly(List.of(7)))
                .then(() -> answer.tryEmitValue(Map.of(7, "seven")))
                .expectNext("seven", "seven")
                .verifyComplete();
    }

    @Test
    void cancelledLoadWithdrawsItsKey() {
        BatchLoader<Integer, String> l = loader().maxDelay(Duration.ofSeconds(1)).build();
        StepVerifier.withVirtualTime(() -> Flux.merge(l.load(1), l.load(2).take(Duration.ofMillis(500))))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext("v1")
                .verifyComplete();
        assertThat(batches).containsExactly(List.of(1));
    }

    @Test
    void loadIsLazy() {
        BatchLoader<Integer, String> l = loader().maxBatchSize(1).build();
        Mono<String> notSubscribed = l.load(1);
        assertThat(notSubscribed).isNotNull();
        assertThat(batches).isEmpty();
    }

    /** Model: every caller gets exactly the batch function's answer for its key; each batch is distinct and bounded. */
    @Property(tries = 200)
    void everyCallerGetsItsOwnValue(@ForAll @Size(max = 60) List<@IntRange(min = -3, max = 15) Integer> keys,
                                    @ForAll @IntRange(min = 1, max = 8) int maxBatch) {
        batches.clear();
        BatchLoader<Integer, String> l = loader().maxBatchSize(maxBatch).maxDelay(Duration.ofMillis(1)).build();
        List<String> out = Flux.fromIterable(keys)
                .flatMapSequential(k -> l.load(k).map(v -> k + "=" + v).defaultIfEmpty(k + "=none"), 64)
                .collectList().block(Duration.ofSeconds(10));
        assertThat(out).containsExactlyElementsOf(keys.stream().map(k -> k + "=" + (k >= 0 ? "v" + k : "none")).toList());
        for (List<Integer> batch : batches) {
            assertThat(batch).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(maxBatch);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> loader().maxBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> loader().maxDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> loader().cacheSize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> loader().build().load(null)).isInstanceOf(NullPointerException.class);
    }
}
