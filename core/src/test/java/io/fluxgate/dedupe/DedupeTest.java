package io.fluxgate.dedupe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class DedupeTest {

    @Test
    void lastNForgetsOldKeys() {
        StepVerifier.create(Flux.just(1, 2, 1, 3, 4, 1, 4).transform(Dedupe.lastN(2)))
                .expectNext(1, 2, 3, 4, 1) // 1 evicted by 3 and 4
                .verifyComplete();
    }

    @Test
    void ttlWindowAnchoredAtFirstSighting() {
        StepVerifier.withVirtualTime(() -> Flux.just("a", "a", "a", "a")
                        .zipWith(Flux.just(0L, 9L, 10L, 15L).concatMap(t -> Mono.delay(Duration.ofSeconds(t == 0 ? 0
                                : t == 9 ? 9 : t == 10 ? 1 : 5))), (v, t) -> v)
                        .transform(Dedupe.within(Duration.ofSeconds(10))))
                .expectNext("a")          // t=0
                .thenAwait(Duration.ofSeconds(9))   // t=9 dropped
                .thenAwait(Duration.ofSeconds(1))   // t=10 passes: 10s after first sighting
                .expectNext("a")
                .thenAwait(Duration.ofSeconds(5))   // t=15 dropped: within 10s of t=10
                .verifyComplete();
    }

    @Test
    void byKeyKeepsFirstElementAndDiscardsDuplicates() {
        List<Object> discarded = new ArrayList<>();
        StepVerifier.create(Flux.just("apple", "avocado", "banana", "blueberry", "cherry")
                        .transform(Dedupe.<String, Character>byKey(s -> s.charAt(0)).build())
                        .doOnDiscard(String.class, discarded::add))
                .expectNext("apple", "banana", "cherry")
                .verifyComplete();
        assertThat(discarded).containsExactly("avocado", "blueberry");
    }

    @Test
    void duplicatesReplenishDemand() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Dedupe.lastN(10)), 1)
                .then(() -> source.next(1))
                .expectNext(1)
                .thenRequest(1)
                .then(() -> source.next(1, 1, 1))
                .then(() -> source.assertMinRequested(1))
                .then(() -> source.next(2))
                .expectNext(2)
                .thenCancel()
                .verify();
        source.assertCancelled();
    }

    @Test
    void eachSubscriptionHasItsOwnMemoryUnlessAStoreIsShared() {
        Function<Flux<Integer>, Flux<Integer>> perSubscription = Dedupe.lastN(10);
        assertThat(Flux.just(1, 2).transform(perSubscription).collectList().block()).containsExactly(1, 2);
        assertThat(Flux.just(1, 2).transform(perSubscription).collectList().block()).containsExactly(1, 2);

        InMemoryIdempotencyStore<Integer> shared = InMemoryIdempotencyStore.lastKeys(10);
        Function<Flux<Integer>, Flux<Integer>> idempotent = Dedupe.<Integer, Integer>byKey(i -> i).store(shared).build();
        assertThat(Flux.just(1, 2).transform(idempotent).collectList().block()).containsExactly(1, 2);
        assertThat(Flux.just(2, 3).transform(idempotent).collectList().block()).containsExactly(3);
        assertThat(shared.size()).isEqualTo(3);
    }

    @Test
    void asyncStoreIsConsultedInOrderOneKeyAtATime() {
        Set<Integer> table = ConcurrentHashMap.newKeySet();
        IdempotencyStore<Integer> remote = key -> Mono.delay(Duration.ofMillis(10)).map(x -> table.add(key));
        StepVerifier.withVirtualTime(() -> Flux.just(1, 1, 2, 1, 3, 2)
                        .transform(Dedupe.<Integer, Integer>byKey(i -> i).store(remote).build()))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(1, 2, 3)
                .verifyComplete();
    }

    @Test
    void storeErrorFailsTheStream() {
        IdempotencyStore<Integer> broken = key -> Mono.error(new IllegalStateException("store down"));
        StepVerifier.create(Flux.just(1).transform(Dedupe.<Integer, Integer>byKey(i -> i).store(broken).build()))
                .verifyErrorMessage("store down");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Dedupe.lastN(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> Dedupe.within(Duration.ofSeconds(-3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-3S");
        assertThatThrownBy(() -> Dedupe.byKey(x -> x).ttl(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> InMemoryIdempotencyStore.lastKeys(-4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-4");
        assertThatThrownBy(() -> InMemoryIdempotencyStore.lastKeys(1).tryMark(null))
                .isInstanceOf(NullPointerException.class);
    }
}
