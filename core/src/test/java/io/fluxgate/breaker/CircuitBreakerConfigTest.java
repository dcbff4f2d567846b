package io.fluxgate.breaker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class CircuitBreakerConfigTest {

    @Test
    void defaultsAreResilience4jDefaults() {
        var r4j = io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.ofDefaults();
        CircuitBreakerConfig ours = CircuitBreakerConfig.ofDefaults();
        assertThat(ours.failureRateThreshold()).isEqualTo(r4j.getFailureRateThreshold());
        assertThat(ours.slowCallRateThreshold()).isEqualTo(r4j.getSlowCallRateThreshold());
        assertThat(ours.slowCallDurationThreshold()).isEqualTo(r4j.getSlowCallDurationThreshold());
        assertThat(ours.permittedNumberOfCallsInHalfOpenState()).isEqualTo(r4j.getPermittedNumberOfCallsInHalfOpenState());
        assertThat(ours.maxWaitDurationInHalfOpenState()).isEqualTo(r4j.getMaxWaitDurationInHalfOpenState());
        assertThat(ours.slidingWindowType().name()).isEqualTo(r4j.getSlidingWindowType().name());
        assertThat(ours.slidingWindowSize()).isEqualTo(r4j.getSlidingWindowSize());
        assertThat(ours.minimumNumberOfCalls()).isEqualTo(r4j.getMinimumNumberOfCalls());
        assertThat(ours.waitDurationInOpenState())
                .isEqualTo(Duration.ofMillis(r4j.getWaitIntervalFunctionInOpenState().apply(1)));
        assertThat(ours.writableStackTraceEnabled()).isEqualTo(r4j.isWritableStackTraceEnabled());
        assertThat(ours.isRecorded(new IOException())).isTrue();
        assertThat(ours.isIgnored(new IOException())).isFalse();
    }

    @Test
    void builderCopiesAndOverrides() {
        CircuitBreakerConfig c = CircuitBreakerConfig.builder()
                .slidingWindow(30, 5, CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .failureRateThreshold(20).slowCallRateThreshold(30)
                .slowCallDurationThreshold(Duration.ofMillis(250))
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .openStateBackoff(3, Duration.ofSeconds(20))
                .permittedNumberOfCallsInHalfOpenState(4)
                .maxWaitDurationInHalfOpenState(Duration.ofSeconds(9))
                .build();
        CircuitBreakerConfig copy = c.toBuilder().failureRateThreshold(70).build();
        assertThat(copy.failureRateThreshold()).isEqualTo(70f);
        assertThat(copy.slidingWindowType()).isEqualTo(CircuitBreakerConfig.SlidingWindowType.TIME_BASED);
        assertThat(copy.slidingWindowSize()).isEqualTo(30);
        assertThat(copy.minimumNumberOfCalls()).isEqualTo(5);
        assertThat(copy.waitDurationInOpenState(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(copy.waitDurationInOpenState(2)).isEqualTo(Duration.ofSeconds(6));
        assertThat(copy.waitDurationInOpenState(3)).isEqualTo(Duration.ofSeconds(18));
        assertThat(copy.waitDurationInOpenState(4)).isEqualTo(Duration.ofSeconds(20));
        assertThat(copy.toString()).contains("slowCallDurationThreshold=PT0.25S");
    }

    @Test
    void minimumCallsAboveACountWindowSizeMeansAFullWindowAsInResilience4j() {
        CircuitBreaker b = CircuitBreaker.of("x", CircuitBreakerConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(50).build());
        for (int i = 0; i < 4; i++) {
            reactor.core.publisher.Mono.error(new IOException()).transform(b.protectMono())
                    .onErrorResume(e -> reactor.core.publisher.Mono.empty()).block();
        }
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void recordAndIgnoreRules() {
        CircuitBreakerConfig c = CircuitBreakerConfig.builder()
                .recordExceptions(IOException.class)
                .recordException(e -> e.getMessage() != null && e.getMessage().contains("5xx"))
                .ignoreExceptions(java.io.FileNotFoundException.class)
                .build();
        assertThat(c.isRecorded(new IOException())).isTrue();
        assertThat(c.isRecorded(new IllegalStateException("got 5xx"))).isTrue();
        assertThat(c.isRecorded(new IllegalStateException("got 4xx"))).isFalse();
        assertThat(c.isIgnored(new java.io.FileNotFoundException())).isTrue();
    }

    @Test
    void badValuesAreRejectedWithTheValueInTheMessage() {
        var b = CircuitBreakerConfig.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> b.failureRateThreshold(0)).withMessageContaining("was 0.0");
        assertThatIllegalArgumentException().isThrownBy(() -> b.failureRateThreshold(101)).withMessageContaining("was 101.0");
        assertThatIllegalArgumentException().isThrownBy(() -> b.failureRateThreshold(Float.NaN)).withMessageContaining("was NaN");
        assertThatIllegalArgumentException().isThrownBy(() -> b.slowCallRateThreshold(-1)).withMessageContaining("was -1.0");
        assertThatIllegalArgumentException().isThrownBy(() -> b.slowCallDurationThreshold(Duration.ZERO)).withMessageContaining("was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> b.permittedNumberOfCallsInHalfOpenState(0)).withMessageContaining("was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> b.permittedNumberOfCallsInHalfOpenState(65_536)).withMessageContaining("was 65536");
        assertThatIllegalArgumentException().isThrownBy(() -> b.maxWaitDurationInHalfOpenState(Duration.ofSeconds(-1))).withMessageContaining("was PT-1S");
        assertThatIllegalArgumentException().isThrownBy(() -> b.slidingWindowSize(0)).withMessageContaining("was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> b.slidingWindowSize(70_000)).withMessageContaining("was 70000");
        assertThatIllegalArgumentException().isThrownBy(() -> b.minimumNumberOfCalls(0)).withMessageContaining("was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> b.waitDurationInOpenState(Duration.ofNanos(5))).withMessageContaining("was PT0.000000005S");
        assertThatIllegalArgumentException().isThrownBy(() -> b.openStateBackoff(0.5, Duration.ofSeconds(1))).withMessageContaining("was 0.5");
        assertThatIllegalArgumentException().isThrownBy(() -> b.openStateBackoff(Double.NaN, Duration.ofSeconds(1))).withMessageContaining("was NaN");
        assertThatIllegalArgumentException().isThrownBy(() -> CircuitBreakerConfig.builder()
                .openStateBackoff(2, Duration.ofSeconds(1)).build()).withMessageContaining("was PT1S");
        assertThatNullPointerException().isThrownBy(() -> b.slidingWindowType(null));
        assertThatNullPointerException().isThrownBy(() -> b.recordException(null));
        assertThatNullPointerException().isThrownBy(() -> b.ignoreExceptions((Class<? extends Throwable>) null));
        // a TIME_BASED window may be longer than the count cap
        assertThat(CircuitBreakerConfig.builder().slidingWindow(100_000, 10, CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .build().slidingWindowSize()).isEqualTo(100_000);
    }
}
