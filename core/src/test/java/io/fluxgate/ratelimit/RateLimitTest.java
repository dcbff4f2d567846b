package io.fluxgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

class RateLimitTest {

    @Test
    void evenlySpacedByDefault() {
        StepVerifier.withVirtualTime(() -> Flux.range(1, 4).transform(RateLimit.of(10, Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNext(1)
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(2)
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(3)
                .thenAwait(Duration.ofMillis(100))
                .expectNext(4)
                .verifyComplete();
    }

    @Test
    void burstPassesAtOnceThenSustainedRate() {
        StepVerifier.withVirtualTime(() -> Flux.range(1, 5).transform(RateLimit.shaping(
                        RateLimiter.builder().permits(2).per(Duration.ofSeconds(1)).burst(3).build())))
                .expectSubscription()
                .expectNext(1, 2, 3)
                .expectNoEvent(Duration.ofMillis(499))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(4)
                .expectNoEvent(Duration.ofMillis(499))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(5)
                .verifyComplete();
    }

    @Test
    void bucketRefillsWhileIdleUpToBurst() {
        StepVerifier.withVirtualTime(() -> Flux.concat(Flux.range(1, 2),
                                Flux.range(3, 4).delaySubscription(Duration.ofSeconds(10)))
                        .transform(RateLimit.shaping(RateLimiter.builder().permits(1).per(Duration.ofSeconds(1))
                                .burst(2).build())))
                .expectSubscription()
                .expectNext(1, 2)
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(3, 4) // refilled to the burst of 2, not 10
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(5)
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(6)
                .verifyComplete();
    }

    @Test
    void sharedLimiterCapsTheSumOfStreams() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            RateLimiter shared = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1))
                    .nanoClock(() -> vts.now(TimeUnit.NANOSECONDS)).build();
            List<Long> times = new ArrayList<>();
            Flux.merge(Flux.range(0, 10).transform(RateLimit.builder(shared).scheduler(vts).build()),
                            Flux.range(0, 10).transform(RateLimit.builder(shared).scheduler(vts).build()))
                    .subscribe(v -> times.add(vts.now(TimeUnit.MILLISECONDS)));
            vts.advanceTimeBy(Duration.ofMillis(999));
            assertThat(times).hasSize(10);
            vts.advanceTimeBy(Duration.ofSeconds(1));
            assertThat(times).hasSize(20);
            for (int i = 1; i < times.size(); i++) {
                assertThat(times.get(i) - times.get(i - 1)).isGreaterThanOrEqualTo(100);
            }
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void holdsOneElementAndPullsTheNextOnlyWhenItIsOut() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> source.flux().transform(RateLimit.of(1, Duration.ofSeconds(1))), 0)
                .expectSubscription()
                .then(() -> source.assertMaxRequested(0))
                .thenRequest(10)
                .then(() -> source.assertMaxRequested(1))
                .then(() -> source.next(1))
                .expectNext(1)
                .then(() -> source.assertMaxRequested(1))
                .then(() -> source.next(2))
                .then(() -> source.assertMaxRequested(0))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(2)
                .thenCancel()
                .verify();
        source.assertCancelled();
    }

    @Test
    void cancelWhileWaitingDiscardsTheHeldElement() {
        List<Object> discarded = new ArrayList<>();
        StepVerifier.withVirtualTime(() -> Flux.range(1, 3).transform(RateLimit.of(1, Duration.ofSeconds(1)))
                        .doOnDiscard(Object.class, discarded::add))
                .expectNext(1)
                .thenAwait(Duration.ofMillis(500))
                .thenCancel()
                .verify();
        assertThat(discarded).contains(2);
    }

    @Test
    void enforcingFailsNamingTheStage() {
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(50)).take(5)
                        .transform(RateLimit.builder(RateLimiter.builder().permits(10).per(Duration.ofSeconds(1))
                                .burst(2).build()).enforcing().name("api").build()))
                // burst 2, refill one per 100ms: arrivals at 50, 100, 150ms conform, the one at 200ms does not
                .thenAwait(Duration.ofMillis(250))
                .expectNext(0L, 1L, 2L)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RateLimitExceededException.class)
                        .hasMessageContaining("'api'").hasMessageContaining("element 3"))
                .verify();
    }

    @Test
    void enforcingPassesConformingTraffic() {
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(100)).take(20)
                        .transform(RateLimit.builder(RateLimiter.perSecond(10)).enforcing().name("api").build()))
                .thenAwait(Duration.ofSeconds(2))
                .expectNextCount(20)
                .verifyComplete();
    }

    @Test
    void tryAcquireDoesNotConsumeOnRefusal() {
        AtomicLong now = new AtomicLong();
        RateLimiter l = RateLimiter.builder().permits(1).per(Duration.ofSeconds(1)).nanoClock(now::get).build();
        assertThat(l.tryAcquire()).isTrue();
        assertThat(l.tryAcquire()).isFalse();
        now.set(999_999_999);
        assertThat(l.tryAcquire()).isFalse();
        now.set(1_000_000_000);
        assertThat(l.tryAcquire()).isTrue();
        assertThat(l.reserve()).isEqualTo(Duration.ofSeconds(1));
        assertThat(l.reserve()).isEqualTo(Duration.ofSeconds(2));
        assertThat(l.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(l.toString()).contains("1 per PT1S");
    }

    @Test
    void upstreamErrorPassesThrough() {
        StepVerifier.create(Flux.<Integer>error(new IllegalStateException("up"))
                        .transform(RateLimit.shaping(RateLimiter.perSecond(5))))
                .verifyErrorMessage("up");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> RateLimiter.builder().permits(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> RateLimiter.builder().per(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.005S");
        assertThatThrownBy(() -> RateLimiter.builder().burst(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> RateLimit.of(-3, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
        assertThatThrownBy(() -> RateLimit.of(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> RateLimit.builder(RateLimiter.perSecond(1)).name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' '");
        assertThatThrownBy(() -> RateLimiter.builder().permits(1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimiter.builder().burst(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> RateLimiter.builder().nanoClock(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("nanoClock");
        assertThatThrownBy(() -> RateLimit.builder(RateLimiter.perSecond(1)).scheduler(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("scheduler");
        assertThatThrownBy(() -> RateLimit.builder((RateLimiter) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("limiter");
    }
}
