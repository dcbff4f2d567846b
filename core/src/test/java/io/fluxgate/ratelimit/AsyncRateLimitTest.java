package io.fluxgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.internal.Time;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link RateLimit} over an {@link AsyncRateLimiter}: the same shaping and enforcing as over a local limiter. */
class AsyncRateLimitTest {

    /** A local limiter on virtual time, answered one scheduler hop later as a remote one would be. */
    private static AsyncRateLimiter remote(RateLimiter local, AtomicInteger asked) {
        return maxWait -> Mono.fromSupplier(() -> {
            asked.incrementAndGet();
            return local.tryReserveNanos(maxWait);
        });
    }

    @Test
    void shapingDelaysEachElementToItsSlot() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            RateLimiter local = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1))
                    .nanoClock(Time.nanoClockOf(vts)).build();
            AtomicInteger asked = new AtomicInteger();
            StepVerifier.withVirtualTime(() -> Flux.range(1, 4).transform(RateLimit.shaping(remote(local, asked))))
                    .expectSubscription()
                    .expectNext(1)
                    .expectNoEvent(Duration.ofMillis(99))
                    .thenAwait(Duration.ofMillis(1))
                    .expectNext(2)
                    .thenAwait(Duration.ofMillis(200))
                    .expectNext(3, 4)
                    .verifyComplete();
            assertThat(asked).hasValue(4);
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void enforcingFailsTheElementWithoutAPermit() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            RateLimiter local = RateLimiter.builder().permits(2).per(Duration.ofSeconds(1)).burst(2)
                    .nanoClock(Time.nanoClockOf(vts)).build();
            AtomicInteger asked = new AtomicInteger();
            StepVerifier.withVirtualTime(() -> Flux.range(1, 5)
                            .transform(RateLimit.builder(remote(local, asked)).enforcing().name("partner-api").build()))
                    .expectNext(1, 2)
                    .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(RateLimitExceededException.class)
                            .hasMessageContaining("partner-api").hasMessageContaining("element 3"));
            assertThat(asked).hasValue(3);
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void severalInFlightReserveInOrderAndEmitInOrder() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            RateLimiter local = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1))
                    .nanoClock(Time.nanoClockOf(vts)).build();
            AtomicInteger asked = new AtomicInteger();
            StepVerifier.withVirtualTime(() -> Flux.range(1, 6)
                            .transform(RateLimit.builder(remote(local, asked)).maxInFlight(3).build()))
                    .expectSubscription()
                    .expectNext(1)
                    .then(() -> assertThat(asked).as("the first out, three waiting for their permits").hasValue(4))
                    .expectNoEvent(Duration.ofMillis(99))
                    .thenAwait(Duration.ofMillis(1))
                    .expectNext(2)
                    .thenAwait(Duration.ofMillis(400))
                    .expectNext(3, 4, 5, 6)
                    .verifyComplete();
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void aLimiterErrorFailsTheStream() {
        AsyncRateLimiter down = maxWait -> Mono.error(new IllegalStateException("limiter down"));
        StepVerifier.create(Flux.just(1).transform(RateLimit.shaping(down))).verifyErrorMessage("limiter down");
    }

    @Test
    void boundedWaitRefusesALatePermit() {
        AsyncRateLimiter farAhead = maxWait -> Mono.just(maxWait >= 5_000_000_000L ? 5_000_000_000L : -1L);
        StepVerifier.create(Flux.just(1).transform(RateLimit.builder(farAhead).maxWait(Duration.ofSeconds(1)).build()))
                .verifyError(RateLimitExceededException.class);
    }
}
