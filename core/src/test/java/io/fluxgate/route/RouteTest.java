package io.fluxgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class RouteTest {

    @Test
    void ifElseMergesBothBranches() {
        StepVerifier.create(Flux.range(1, 6).transform(Route.<Integer, String>when(i -> i % 2 == 0,
                        even -> even.map(i -> "even " + i), odd -> odd.map(i -> "odd " + i))))
                .expectNext("odd 1", "even 2", "odd 3", "even 4", "odd 5", "even 6")
                .verifyComplete();
    }

    @Test
    void predicateIsEvaluatedOncePerElement() {
        AtomicInteger calls = new AtomicInteger();
        Flux.range(1, 10).transform(Route.<Integer, Integer>when(i -> {
            calls.incrementAndGet();
            return i > 5;
        }, f -> f, f -> f)).blockLast();
        assertThat(calls).hasValue(10);
    }

    @Test
    void withoutDownstreamDemandTheSourceIsHeldAfterBoundedPrefetch() {
        AtomicInteger generated = new AtomicInteger();
        Flux<Integer> source = Flux.generate(sink -> sink.next(generated.getAndIncrement()));
        StepVerifier.create(source.transform(Route.<Integer, Integer>when(i -> i % 2 == 0, f -> f, f -> f)), 0)
                .expectSubscription()
                .then(() -> assertThat(generated.get()).isPositive()
                        // publish prefetch plus the two branches' merge queues: bounded, nothing unbounded
                        .isLessThanOrEqualTo(4 * Route.DEFAULT_PREFETCH))
                .thenRequest(1000)
                .expectNextCount(1000)
                .thenCancel()
                .verify();
        assertThat(generated.get()).isLessThanOrEqualTo(1000 + 4 * Route.DEFAULT_PREFETCH);
    }

    @Test
    void errorInABranchFailsTheStreamAndCancelsTheSource() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Route.<Integer, Integer>when(i -> i == 3,
                        f -> f.map(i -> {
                            throw new IllegalStateException("branch failed on " + i);
                        }), f -> f)))
                .then(() -> source.next(1, 2, 3))
                .expectNext(1, 2)
                .verifyErrorMessage("branch failed on 3");
        source.assertCancelled();
    }

    @Test
    void partitionKeepsPerKeyOrderAcrossConcurrentSubPipelines() {
        List<String> out = Flux.range(0, 200)
                .map(i -> "k" + (i % 7) + ":" + i)
                .transform(Route.partitionWith(4, (String s) -> s.substring(0, s.indexOf(':')),
                        p -> f -> f.publishOn(Schedulers.parallel(), 4).map(s -> p + "/" + s)))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(out).hasSize(200);
        Map<String, List<Integer>> perKey = new HashMap<>();
        Map<String, String> partitionOfKey = new HashMap<>();
        for (String s : out) {
            String partition = s.substring(0, s.indexOf('/'));
            String key = s.substring(s.indexOf('/') + 1, s.indexOf(':'));
            assertThat(partitionOfKey.putIfAbsent(key, partition)).isIn(null, partition);
            perKey.computeIfAbsent(key, k -> new ArrayList<>()).add(Integer.parseInt(s.substring(s.indexOf(':') + 1)));
        }
        perKey.values().forEach(list -> assertThat(list).isSorted());
    }

    /** Model: routing then merging loses and duplicates nothing, and each element went through its own branch. */
    @Property(tries = 200)
    void routeMatchesModel(@ForAll @Size(max = 100) List<@IntRange(min = -50, max = 50) Integer> input,
                           @ForAll @IntRange(min = 1, max = 5) int partitions) {
        List<String> routed = Flux.fromIterable(input).transform(Route.<Integer, String>when(i -> i >= 0,
                        f -> f.map(i -> "+" + i), f -> f.map(i -> "-" + i)))
                .collectList().block();
        List<String> expected = input.stream().map(i -> (i >= 0 ? "+" : "-") + i).toList();
        assertThat(routed).containsExactlyElementsOf(expected); // synchronous branches keep input order

        // the spec, independent of how a partition is computed: every element comes out once, through a partition
        // in [0, n), the same partition for the same key, and each partition's stage is built once
        Map<Integer, Integer> stagesBuilt = new HashMap<>();
        List<String> partitioned = Flux.fromIterable(input)
                .transform(Route.partitionWith(partitions, (Integer i) -> i, p -> {
                    stagesBuilt.merge(p, 1, Integer::sum);
                    return f -> f.map(i -> p + ":" + i);
                }))
                .collectList().block();
        Map<Integer, Integer> partitionOfKey = new HashMap<>();
        List<Integer> values = new ArrayList<>();
        for (String s : partitioned) {
            int p = Integer.parseInt(s.substring(0, s.indexOf(':')));
            int key = Integer.parseInt(s.substring(s.indexOf(':') + 1));
            assertThat(p).isBetween(0, partitions - 1);
            assertThat(partitionOfKey.putIfAbsent(key, p)).as("partition of key %d", key).isIn(null, p);
            values.add(key);
        }
        assertThat(values).containsExactlyInAnyOrderElementsOf(input);
        assertThat(stagesBuilt.keySet()).containsExactlyInAnyOrderElementsOf(Set.copyOf(partitionOfKey.values()));
        assertThat(stagesBuilt.values()).allMatch(n -> n == 1);
    }

    /**
     * The documented routes, written out by hand: partition {@code floorMod(key.hashCode(), n)}, where an
     * {@code Integer}'s hash code is its value and {@code "a".hashCode()} is 97. Negative hashes land in [0, n).
     */
    @Test
    void partitionRoutesAsDocumented() {
        List<String> out = Flux.just(0, 1, 2, 3, 4, 5, -1, -2, -3, -4, 7, 100)
                .transform(Route.partitionWith(3, (Integer i) -> i, p -> f -> f.map(i -> i + "->" + p)))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(out).containsExactlyInAnyOrder(
                "0->0", "1->1", "2->2", "3->0", "4->1", "5->2", "-1->2", "-2->1", "-3->0", "-4->2", "7->1", "100->1");
        List<String> strings = Flux.just("a", "b", "c")
                .transform(Route.partitionWith(4, (String k) -> k, p -> f -> f.map(k -> k + "->" + p)))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(strings).containsExactlyInAnyOrder("a->1", "b->2", "c->3");
        List<String> nulls = Flux.just("x")
                .transform(Route.partitionWith(5, (String k) -> null, p -> f -> f.map(k -> k + "->" + p)))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(nulls).containsExactly("x->0");
    }

    /** Many keys spread over the partitions: none is starved and none takes the lion's share. */
    @Test
    void partitionSpreadsDistinctKeys() {
        int n = 8;
        Map<Integer, Integer> perPartition = new HashMap<>();
        Flux.range(0, 8_000).map(i -> "user-" + i)
                .transform(Route.partitionWith(n, (String k) -> k, p -> f -> f.map(k -> p)))
                .doOnNext(p -> perPartition.merge(p, 1, Integer::sum))
                .blockLast(Duration.ofSeconds(10));
        assertThat(perPartition).hasSize(n);
        assertThat(perPartition.values()).allSatisfy(c -> assertThat(c).isBetween(500, 1_500));
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Route.partition(0, x -> x, f -> f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> Route.partitionWith(-1, x -> x, p -> f -> f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> Route.when(null, f -> f, f -> f)).isInstanceOf(NullPointerException.class);
    }
}
