package io.fluxgate.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.control.AimdLimit;
import io.fluxgate.control.LimitController;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class WorkersTest {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    private Mono<Integer> slowCall(int i, Duration d) {
        return Mono.delay(d)
                .doOnSubscribe(s -> peak.accumulateAndGet(running.incrementAndGet(), Math::max))
                // decrement before the value goes downstream, where it may start the next call synchronously
                .doOnTerminate(running::decrementAndGet)
                .doOnCancel(running::decrementAndGet)
                .thenReturn(i);
    }

    @Test
    void orderedRunsNAtOnceAndKeepsOrder() {
        StepVerifier.withVirtualTime(() -> Flux.just(3, 1, 2, 1).transform(Workers.<Integer, Integer>ordered(2,
                        i -> slowCall(i, Duration.ofSeconds(i)))))
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(3, 1, 2, 1)
                .verifyComplete();
        assertThat(peak).hasValue(2);
    }

    @Test
    void unorderedEmitsAsCallsComplete() {
        StepVerifier.withVirtualTime(() -> Flux.just(3, 1, 2).transform(Workers.<Integer, Integer>unordered(3,
                        i -> slowCall(i, Duration.ofSeconds(i)))))
                .thenAwait(Duration.ofSeconds(3))
                .expectNext(1, 2, 3)
                .verifyComplete();
        assertThat(peak).hasValue(3);
    }

    @Test
    void fixedWorkersTakeAtMostNAhead() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Workers.<Integer, Integer>ordered(4, i -> Mono.never())), 100)
                .then(() -> source.assertMaxRequested(4))
                .thenCancel()
                .verify();
        source.assertCancelled();
    }

    /** A controller whose limit the test sets by hand, recording the samples it receives. */
    static final class ManualLimit implements LimitController {
        volatile int limit;
        final List<long[]> samples = new CopyOnWriteArrayList<>();

        ManualLimit(int limit) {
            this.limit = limit;
        }

        @Override
        public int limit() {
            return limit;
        }

        @Override
        public void onSample(long latencyNanos, int load, boolean dropped) {
            samples.add(new long[] {latencyNanos, load, dropped ? 1 : 0});
        }

        @Override
        public int minLimit() {
            return 1;
        }

        @Override
        public int maxLimit() {
            return 16;
        }
    }

    @Test
    void adaptiveRunsAtMostTheCurrentLimitAndFollowsItsChanges() {
        ManualLimit limit = new ManualLimit(2);
        StepVerifier.withVirtualTime(() -> Flux.range(0, 12).transform(Workers.adaptive().controller(() -> limit).<Integer, Integer>build(
                        i -> slowCall(i, Duration.ofSeconds(1)))))
                .thenAwait(Duration.ofMillis(500))
                .then(() -> assertThat(running).hasValue(2))
                .then(() -> limit.limit = 5)
                .thenAwait(Duration.ofMillis(500)) // the two finish; the freed slots admit up to the new limit
                .expectNextCount(2)
                .then(() -> assertThat(running).hasValue(5))
                .then(() -> limit.limit = 1)
                .thenAwait(Duration.ofSeconds(1))
                .expectNextCount(5)
                .then(() -> assertThat(running).hasValue(1))
                .thenAwait(Duration.ofSeconds(10))
                .expectNextCount(5)
                .verifyComplete();
        assertThat(peak).hasValue(5);
        assertThat(limit.samples).hasSize(12).allSatisfy(s -> {
            assertThat(s[0]).isEqualTo(Duration.ofSeconds(1).toNanos());
            assertThat(s[1]).isBetween(1L, 5L);
            assertThat(s[2]).isZero();
        });
    }

    @Test
    void overloadErrorsAreReportedAsDrops() {
        ManualLimit limit = new ManualLimit(1);
        StepVerifier.create(Flux.just(1).transform(Workers.adaptive().controller(() -> limit).<Integer, Integer>build(
                        i -> Mono.error(new TimeoutException("slow")))))
                .verifyError(TimeoutException.class);
        assertThat(limit.samples).singleElement().satisfies(s -> assertThat(s[2]).isEqualTo(1));
    }

    @Test
    void aimdGrowsUnderFastCallsAndShrinksWhenTheyGetSlow() {
        AtomicInteger latencyMs = new AtomicInteger(10);
        List<Integer> limits = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> Flux.range(0, 400).transform(Workers.adaptive()
                        .controller(() -> AimdLimit.builder().initialLimit(2).maxLimit(64)
                                .latencyTarget(Duration.ofMillis(100)).build())
                        .onLimitChange(limits::add)
                        .<Integer, Integer>build(
                                i -> Mono.delay(Duration.ofMillis(i == 200 ? latencyMs.getAndSet(500) : latencyMs.get()))
                                        .thenReturn(i))))
                .thenAwait(Duration.ofMinutes(10))
                .expectNextCount(400)
                .verifyComplete();
        int top = limits.stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(top).isGreaterThan(2);
        assertThat(limits.get(limits.size() - 1)).isLessThan(top);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Workers.ordered(0, i -> Mono.just(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> Workers.unordered(-1, i -> Mono.just(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
