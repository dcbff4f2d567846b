package io.fluxgate.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.fluxgate.outcome.Outcome;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class ElementRetryTest {

    private final Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();

    /** Fails the first {@code failures} attempts for each element, then answers {@code element * 10}. */
    private Function<Integer, Mono<Integer>> flaky(int failures) {
        return i -> Mono.defer(() -> attempts.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet() <= failures
                ? Mono.error(new IOException("flaky " + i))
                : Mono.just(i * 10));
    }

    @Test
    void retriesEachElementWithExponentialBackoff() {
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2).transform(ElementRetry.builder(flaky(2))
                        .maxAttempts(3).backoff(Duration.ofSeconds(1)).jitter(0).build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(1)) // first retry after 1s
                .expectNoEvent(Duration.ofSeconds(2)) // second after 2s more
                .expectNext(10)
                .thenAwait(Duration.ofSeconds(3))
                .expectNext(20)
                .verifyComplete();
        assertThat(attempts.get(1)).hasValue(3);
        assertThat(attempts.get(2)).hasValue(3);
    }

    @Test
    void backoffIsCapped() {
        StepVerifier.withVirtualTime(() -> Flux.just(1).transform(ElementRetry.builder(flaky(4))
                        .maxAttempts(5).backoff(Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(2)).jitter(0)
                        .build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(1 + 2 + 2 + 2).minusMillis(1))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(10)
                .verifyComplete();
    }

    @Test
    void jitterStaysWithinItsBand() {
        // first backoff 1s with 50% jitter: between 0.5s and 1.5s, never 0
        StepVerifier.withVirtualTime(() -> Flux.just(1).transform(ElementRetry.builder(flaky(1))
                        .maxAttempts(2).backoff(Duration.ofSeconds(1)).jitter(0.5).build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(499))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(10)
                .verifyComplete();
    }

    @Test
    void exhaustedAttemptsFailNamingStageElementAndAttempts() {
        StepVerifier.withVirtualTime(() -> Flux.just(7).transform(ElementRetry.builder(flaky(99)).name("fetch")
                        .maxAttempts(3).backoff(Duration.ofMillis(10)).jitter(0).build()))
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(RetriesExhaustedException.class)
                            .hasMessageContaining("'fetch'").hasMessageContaining("element 7")
                            .hasMessageContaining("3 attempts").hasCauseInstanceOf(IOException.class);
                    RetriesExhaustedException x = (RetriesExhaustedException) e;
                    assertThat(x.attempts()).isEqualTo(3);
                    assertThat(x.element()).isEqualTo(7);
                    assertThat(x.stage()).isEqualTo("fetch");
                })
                .verify();
        assertThat(attempts.get(7)).hasValue(3);
    }

    @Test
    void nonRetryableErrorFailsImmediatelyUnchanged() {
        StepVerifier.create(Flux.just(1).transform(ElementRetry.builder(flaky(5))
                        .retryOn(e -> e instanceof IllegalStateException).build()))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(IOException.class).hasMessage("flaky 1"));
        assertThat(attempts.get(1)).hasValue(1);
    }

    @Test
    void singleAttemptMeansNoRetry() {
        StepVerifier.create(Flux.just(1).transform(ElementRetry.of(1, flaky(1))))
                .verifyError(RetriesExhaustedException.class);
        assertThat(attempts.get(1)).hasValue(1);
    }

    @Test
    void upstreamIsNotPulledWhileAnElementWaitsToRetry() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(ElementRetry.builder(flaky(1))
                        .backoff(Duration.ofSeconds(10)).jitter(0).build()))
                .expectSubscription()
                .then(() -> source.assertMaxRequested(1))
                .then(() -> source.next(1))
                .thenAwait(Duration.ofSeconds(5))
                .then(() -> source.assertMaxRequested(0)) // paused: element 1 is waiting for its retry
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(10)
                .then(() -> source.assertMaxRequested(1))
                .then(() -> source.next(2))
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(20)
                .then(source::complete)
                .verifyComplete();
    }

    @Test
    void unorderedConcurrencyLetsOthersPassWhileOneRetries() {
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2, 3).transform(ElementRetry.<Integer, Integer>builder(
                                i -> i == 1 ? flaky(1).apply(i) : Mono.just(i * 10))
                        .maxInFlight(3).unordered().backoff(Duration.ofSeconds(1)).jitter(0).build()))
                .expectNext(20, 30)
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(10)
                .verifyComplete();
    }

    @Test
    void outcomesKeepTheStreamAliveAndCarryTheElement() {
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2).transform(ElementRetry.<Integer, Integer>builder(
                                i -> i == 1 ? Mono.error(new IOException("down")) : Mono.empty())
                        .maxAttempts(2).backoff(Duration.ofMillis(10)).jitter(0).buildOutcomes()))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(o -> {
                    assertThat(o.input()).isEqualTo(1);
                    assertThat(((Outcome.Failure<Integer, Integer>) o).cause())
                            .isInstanceOf(RetriesExhaustedException.class);
                })
                .assertNext(o -> assertThat(o.isFailure()).isTrue())
                .verifyComplete();
    }

    @Test
    void cancelDuringBackoffStopsFurtherAttempts() {
        StepVerifier.withVirtualTime(() -> Flux.just(1).transform(ElementRetry.builder(flaky(5))
                        .maxAttempts(5).backoff(Duration.ofSeconds(1)).jitter(0).build()))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(500))
                .thenCancel()
                .verify();
        assertThat(attempts.get(1)).hasValue(1);
    }

    @Test
    void rejectsBadArguments() {
        ElementRetry.Builder<Integer, Integer> b = ElementRetry.builder(flaky(0));
        assertThatThrownBy(() -> b.maxAttempts(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> b.backoff(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> b.maxBackoff(Duration.ofMillis(-2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.002S");
        assertThatThrownBy(() -> b.jitter(1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
        assertThatThrownBy(() -> b.jitter(-0.1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> b.maxInFlight(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> b.name("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("''");
        assertThatThrownBy(() -> ElementRetry.builder(flaky(0)).backoff(Duration.ofSeconds(5))
                .maxBackoff(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1S");
    }
}
