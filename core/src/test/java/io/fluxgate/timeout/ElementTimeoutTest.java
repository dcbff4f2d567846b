package io.fluxgate.timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.fluxgate.outcome.Outcome;
import io.fluxgate.outcome.Outcomes;
import io.fluxgate.retry.ElementRetry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

class ElementTimeoutTest {

    @Test
    void slowElementFailsNamingStageAndElement() {
        StepVerifier.withVirtualTime(() -> Flux.just(1, 5, 2).transform(ElementTimeout.<Integer, Integer>builder(i -> Mono.delay(Duration.ofSeconds(i)).thenReturn(i)).name("enrich").timeout(Duration.ofSeconds(3)).build()))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(1)
                .expectNoEvent(Duration.ofMillis(2999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ElementTimeoutException.class).isInstanceOf(TimeoutException.class)
                            .hasMessage("stage 'enrich' timed out after PT3S on element 5");
                    ElementTimeoutException x = (ElementTimeoutException) e;
                    assertThat(x.stage()).isEqualTo("enrich");
                    assertThat(x.element()).isEqualTo(5);
                    assertThat(x.timeout()).isEqualTo(Duration.ofSeconds(3));
                })
                .verify();
    }

    @Test
    void deadlineIsPerElementNotPerStream() {
        // each call takes 2s of a 3s budget; the whole stream takes 10s and still succeeds
        StepVerifier.withVirtualTime(() -> Flux.range(1, 5).transform(ElementTimeout.<Integer, Integer>builder(i -> Mono.delay(Duration.ofSeconds(2)).thenReturn(i)).name("s").timeout(Duration.ofSeconds(3)).build()))
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(1, 2, 3, 4, 5)
                .verifyComplete();
    }

    @Test
    void timedOutCallIsCancelled() {
        PublisherProbe<Integer> probe = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> Flux.just(1).transform(ElementTimeout.<Integer, Integer>builder(i -> probe.mono()).name("s").timeout(Duration.ofSeconds(1)).build()))
                .thenAwait(Duration.ofSeconds(1))
                .verifyError(ElementTimeoutException.class);
        probe.assertWasCancelled();
    }

    @Test
    void concurrentCallsKeepInputOrder() {
        StepVerifier.withVirtualTime(() -> Flux.just(3, 1, 2).transform(ElementTimeout.<Integer, Integer>builder(
                                i -> Mono.delay(Duration.ofSeconds(i)).thenReturn(i))
                        .timeout(Duration.ofSeconds(5)).maxInFlight(3).build()))
                .thenAwait(Duration.ofSeconds(3))
                .expectNext(3, 1, 2)
                .verifyComplete();
    }

    @Test
    void oneCallAtATimeByDefault() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(ElementTimeout.<Integer, Integer>builder(i -> Mono.delay(Duration.ofSeconds(1)).thenReturn(i)).name("s").timeout(Duration.ofSeconds(5)).build()), 0)
                .thenRequest(5)
                .then(() -> source.assertMaxRequested(1))
                .then(() -> source.next(1))
                .then(() -> source.assertMaxRequested(0))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(1)
                .then(() -> source.assertMaxRequested(1))
                .thenCancel()
                .verify();
        source.assertCancelled();
    }

    @Test
    void composesWithRetryAndOutcomes() {
        // a timeout is retryable, and after the attempts run out the element becomes a failure outcome
        StepVerifier.withVirtualTime(() -> Flux.just(1).transform(ElementRetry.<Integer, Integer>builder(
                                ElementTimeout.builder(i -> Mono.<Integer>never()).name("fetch").timeout(Duration.ofSeconds(1)).decoratedCall())
                        .maxAttempts(2).backoff(Duration.ofSeconds(1)).jitter(0).buildOutcomes()))
                .thenAwait(Duration.ofSeconds(3))
                .assertNext(o -> assertThat(((Outcome.Failure<Integer, Integer>) o).cause().getCause())
                        .isInstanceOf(ElementTimeoutException.class))
                .verifyComplete();
        StepVerifier.withVirtualTime(() -> Flux.just(1).transform(Outcomes.tryMapAsync(
                        ElementTimeout.builder(i -> Mono.<Integer>never()).name("fetch").timeout(Duration.ofSeconds(1)).decoratedCall())))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(o -> assertThat(o.isFailure()).isTrue())
                .verifyComplete();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> ElementTimeout.builder(i -> Mono.just(1)).name("s").timeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> ElementTimeout.builder(i -> Mono.just(1)).name("s").timeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> ElementTimeout.builder(i -> Mono.just(1)).name(" ").timeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' '");
        assertThatThrownBy(() -> ElementTimeout.builder(i -> Mono.just(1)).maxInFlight(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
        assertThatThrownBy(() -> ElementTimeout.builder(i -> Mono.just(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }
}
