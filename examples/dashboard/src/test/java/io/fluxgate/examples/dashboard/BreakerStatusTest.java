package io.fluxgate.examples.dashboard;

import java.time.Duration;

import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.breaker.CircuitBreakerConfig;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class BreakerStatusTest {

    private final CircuitBreaker breaker = CircuitBreaker.of("kafka", CircuitBreakerConfig.builder()
            .waitDurationInOpenState(Duration.ofSeconds(30)).build());
    private final BreakerStatus status = new BreakerStatus(breaker);

    @Test
    void retryAfterIsTheTimeLeftInOpenAndNothingWhenClosed() {
        assertThat(status.retryAfterSeconds()).isZero();

        breaker.transitionToOpenState();
        assertThat(status.retryAfterSeconds()).isBetween(29L, 30L);
        assertThat(status.view().state()).isEqualTo("OPEN");
        assertThat(status.view().retryAfterSeconds()).isBetween(29L, 30L);

        breaker.transitionToForcedOpenState();
        assertThat(status.retryAfterSeconds()).isEqualTo(30);

        breaker.transitionToClosedState();
        assertThat(status.retryAfterSeconds()).isZero();
    }

    @Test
    void changesStartWithTheCurrentStateThenFollowTransitions() {
        breaker.transitionToOpenState();

        StepVerifier.create(status.changes().map(BreakerStatus.View::state))
                .expectNext("OPEN")
                .then(breaker::transitionToHalfOpenState)
                .expectNext("HALF_OPEN")
                .then(breaker::reset)
                .expectNext("CLOSED")
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }
}
