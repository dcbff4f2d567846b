package io.fluxgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

import com.google.common.util.concurrent.GuavaOnManualClock;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The rate limiter against the peers whose behaviour it claims (#21), on manual clocks, no timers: Guava's
 * long-run rate under late wake-ups, Bucket4j's decisions at rates whose interval is not a whole number of
 * nanoseconds, and a bounded wait like Resilience4j's {@code timeoutDuration}.
 */
class RateLimiterParityTest {

    static final long SECOND = 1_000_000_000L;

    /** 20 µs late, one wake-up in ten 300 µs late: three intervals at 10k/s. */
    static LongUnaryOperator lateWakeUps(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return wait -> wait + (random.nextInt(10) == 0 ? 300_000 : 20_000);
    }

    /**
     * A throttled caller: reserve, sleep the wait (waking up late), use the permit, reserve the next. Counts the
     * permits used before {@code runNanos}.
     */
    static long throttledCaller(RateLimiter limiter, AtomicLong clock, LongUnaryOperator oversleep,
                                boolean lateAlsoWithoutWait, long runNanos) {
        long start = clock.get();
        long used = 0;
        for (;;) {
            long wait = limiter.reserveNanos();
            if (wait > 0 || lateAlsoWithoutWait) {
                clock.addAndGet(oversleep.applyAsLong(wait));
            }
            if (clock.get() - start >= runNanos) {
                return used;
            }
            used++;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 10, 100})
    void lateWakeUpsAreMadeUpWhateverTheBurst(int burst) {
        for (boolean lateAlways : new boolean[] {false, true}) {
            AtomicLong clock = new AtomicLong(123_456_789L);
            RateLimiter limiter = RateLimiter.builder().permits(10_000).per(Duration.ofSeconds(1)).burst(burst)
                    .nanoClock(clock::get).build();
            long used = throttledCaller(limiter, clock, lateWakeUps(burst), lateAlways, 5 * SECOND);
            // 50,000 slots in 5 s, plus at most the burst-1 extra the full bucket starts with (a late caller that
            // has not been throttled yet spends a full bucket's refill), less the last few late wake-ups
            assertThat(used).as("burst %d, late on every reservation: %s", burst, lateAlways)
                    .isBetween(50_000L - 4, 50_000L + burst - 1);
        }
    }

    @Test
    void withoutCatchUpTheSameCallerLosesASixthOfTheRate() {
        // the behaviour #21 reported, kept reachable as catchUp(ZERO): this model measures the difference
        AtomicLong clock = new AtomicLong();
        RateLimiter plain = RateLimiter.builder().permits(10_000).per(Duration.ofSeconds(1))
                .catchUp(Duration.ZERO).nanoClock(clock::get).build();
        long used = throttledCaller(plain, clock, lateWakeUps(1), false, 5 * SECOND);
        assertThat(used).isBetween(40_000L, 44_000L);
    }

    @Test
    void guavaKeepsTheRateTooUnderTheSameWakeUps() {
        AtomicLong clock = new AtomicLong(SECOND);
        LongUnaryOperator late = lateWakeUps(1);
        com.google.common.util.concurrent.RateLimiter guava = GuavaOnManualClock.create(10_000, clock, late);
        long start = clock.get();
        long guavaUsed = 0;
        while (true) {
            guava.acquire();
            if (clock.get() - start >= 5 * SECOND) {
                break;
            }
            guavaUsed++;
        }
        AtomicLong ours = new AtomicLong(SECOND);
        long oursUsed = throttledCaller(RateLimiter.builder().permits(10_000).per(Duration.ofSeconds(1))
                .nanoClock(ours::get).build(), ours, lateWakeUps(1), false, 5 * SECOND);
        // both hold 10k/s within a few permits; Guava's stored second of permits lets it run slightly ahead
        assertThat(guavaUsed).isBetween(49_990L, 50_020L);
        assertThat(oursUsed).isBetween(49_990L, 50_000L);
        assertThat(Math.abs(guavaUsed - oursUsed)).isLessThanOrEqualTo(20);
    }

    @Test
    void aThrottledCallerIsOwedItsMissedSlotsUpToTheCatchUpThenCountsAsIdle() {
        long ms = 1_000_000;
        AtomicLong clock = new AtomicLong();
        RateLimiter limiter = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1)).nanoClock(clock::get).build();
        assertThat(limiter.catchUp()).isEqualTo(RateLimiter.DEFAULT_CATCH_UP);
        assertThat(limiter.reserveNanos()).isZero();             // slot 0
        assertThat(limiter.reserveNanos()).isEqualTo(100 * ms);  // slot 100: throttled
        clock.set(290 * ms);                                      // wakes up 190 ms late: slot 200 was missed
        assertThat(limiter.reserveNanos()).isZero();             // slot 200, made up at once
        assertThat(limiter.reserveNanos()).isEqualTo(10 * ms);   // slot 300: back on schedule
        clock.set(520 * ms);                                      // slot 400 passed 120 ms ago: beyond the catch-up
        assertThat(limiter.reserveNanos()).isZero();             // counts as idle: slot 520, not 400
        assertThat(limiter.reserveNanos()).isEqualTo(100 * ms);  // slot 620, only one at once at burst 1
    }

    @Test
    void burstIsAlsoTheCapAfterIdlingOnceThrottled() {
        long ms = 1_000_000;
        AtomicLong clock = new AtomicLong();
        RateLimiter limiter = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1)).burst(2)
                .nanoClock(clock::get).build();
        assertThat(limiter.reserveNanos()).isZero();
        assertThat(limiter.reserveNanos()).isZero();
        assertThat(limiter.reserveNanos()).isEqualTo(100 * ms); // slot 100: throttled
        clock.set(10_000 * ms);                                 // then idle for 10 s: the bucket holds the burst
        assertThat(limiter.reserveNanos()).isZero();
        assertThat(limiter.reserveNanos()).isZero();
        assertThat(limiter.reserveNanos()).isEqualTo(100 * ms);
    }

    @Test
    void tryAcquireNeverUsesTheCreditSoEnforcingStaysAnExactBucket() {
        AtomicLong clock = new AtomicLong();
        RateLimiter limiter = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1)).nanoClock(clock::get).build();
        assertThat(limiter.reserveNanos()).isZero();
        assertThat(limiter.reserveNanos()).isEqualTo(100_000_000L); // throttled
        clock.set(250_000_000L); // 150 ms late
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
    }

    // ------------------------------------------------------------------ exact arithmetic, against Bucket4j

    static Bucket bucket4j(long permits, Duration period, int burst, AtomicLong clock) {
        return Bucket.builder()
                .addLimit(l -> l.capacity(burst).refillGreedy(permits, period))
                .withCustomTimePrecision(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        return clock.get();
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return false;
                    }
                })
                .build();
    }

    /** Every nanosecond for 1 ms, takes all permits due: the count is the exact rate, as in Bucket4j. */
    @ParameterizedTest
    @ValueSource(ints = {300_000_000, 999_999_999, 7})
    void exactRateAtRatesWithFractionalIntervals(int perSecond) {
        // burst 4: looking once a nanosecond, a bucket of 1 would overflow between looks (Bucket4j agrees)
        AtomicLong clock = new AtomicLong();
        RateLimiter ours = RateLimiter.builder().permits(perSecond).per(Duration.ofSeconds(1)).burst(4)
                .nanoClock(clock::get).build();
        AtomicLong refClock = new AtomicLong();
        Bucket reference = bucket4j(perSecond, Duration.ofSeconds(1), 4, refClock);
        long oursCount = 0;
        long refCount = 0;
        long millis = perSecond < 1000 ? 2000 : 1;
        long step = perSecond < 1000 ? 1_000_000 : 1;
        for (long t = 0; t < millis * 1_000_000; t += step) {
            clock.set(t);
            refClock.set(t);
            while (ours.tryAcquire()) {
                oursCount++;
            }
            while (reference.tryConsume(1)) {
                refCount++;
            }
            assertThat(oursCount).as("permits by %d ns", t).isEqualTo(refCount);
        }
        // slots at k * period / permits for k = 0, 1, ... up to the last time looked at
        long lastT = millis * 1_000_000 - step;
        assertThat(oursCount).isEqualTo(Math.floorDiv(lastT * perSecond, SECOND) + 4);
    }

    /**
     * Bucket4j refuses more than one token a nanosecond, and so do we (the clock cannot space them: it would be a
     * burst, not a rate); one a nanosecond, exactly, checked on its own.
     */
    @Test
    void atMostOnePermitANanosecond() {
        assertThatThrownBy(() -> RateLimiter.builder().permits(2_000_000_000).per(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2000000000")
                .hasMessageContaining("PT1S");
        AtomicLong c = new AtomicLong();
        RateLimiter paced = RateLimiter.builder().permits(1_000_000_000).per(Duration.ofSeconds(1))
                .nanoClock(c::get).build();
        // slots 0, 1, ... 999,999 ns, each used on time by a throttled caller
        assertThat(throttledCaller(paced, c, w -> w, false, 1_000_000)).isEqualTo(1_000_000);
        AtomicLong c3 = new AtomicLong();
        RateLimiter paced3 = RateLimiter.builder().permits(300_000_000).per(Duration.ofSeconds(1))
                .nanoClock(c3::get).build();
        assertThat(throttledCaller(paced3, c3, w -> w, false, 1_000_000)).isEqualTo(300_000);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void twoHundredThousandDecisionsAtThreePerMillisecondAgreeWithBucket4j(int burst) {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        AtomicLong refClock = new AtomicLong(5_000_000_000L);
        RateLimiter ours = RateLimiter.builder().permits(3).per(Duration.ofMillis(1)).burst(burst)
                .nanoClock(clock::get).build();
        Bucket reference = bucket4j(3, Duration.ofMillis(1), burst, refClock);
        SplittableRandom random = new SplittableRandom(burst);
        long granted = 0;
        for (int i = 0; i < 200_000; i++) {
            long gap = random.nextInt(4) == 0 ? 0 : random.nextLong(700_000);
            clock.addAndGet(gap);
            refClock.addAndGet(gap);
            boolean expected = reference.tryConsume(1);
            assertThat(ours.tryAcquire()).as("decision %d at %d ns", i, clock.get()).isEqualTo(expected);
            granted += expected ? 1 : 0;
        }
        assertThat(granted).isBetween(50_000L, 200_000L);
    }

    @Test
    void waitsAreRoundedUpNotDown() {
        AtomicLong clock = new AtomicLong();
        RateLimiter limiter = RateLimiter.builder().permits(3).per(Duration.ofNanos(10)).nanoClock(clock::get).build();
        assertThat(limiter.reserveNanos()).isZero();    // slot 0
        assertThat(limiter.reserveNanos()).isEqualTo(4); // slot 3.33 ns
        assertThat(limiter.reserveNanos()).isEqualTo(7); // slot 6.67 ns
        assertThat(limiter.reserveNanos()).isEqualTo(10);
        assertThat(limiter.interval()).isEqualTo(Duration.ofNanos(3));
    }

    // ------------------------------------------------------------------ bounded wait (Resilience4j's timeoutDuration)

    @Test
    void tryReserveTakesNothingWhenThePermitIsDueLaterThanTheMaxWait() {
        AtomicLong clock = new AtomicLong();
        RateLimiter limiter = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1)).nanoClock(clock::get).build();
        long ms = 1_000_000;
        assertThat(limiter.tryReserveNanos(250 * ms)).isZero();
        assertThat(limiter.tryReserveNanos(250 * ms)).isEqualTo(100 * ms);
        assertThat(limiter.tryReserveNanos(250 * ms)).isEqualTo(200 * ms);
        assertThat(limiter.tryReserveNanos(250 * ms)).isEqualTo(-1); // due at 300 ms
        assertThat(limiter.tryReserveNanos(300 * ms)).isEqualTo(300 * ms); // the refusal reserved nothing
        assertThatThrownBy(() -> limiter.tryReserveNanos(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void shapingWaitsAtMostMaxWaitThenFails() {
        StepVerifier.withVirtualTime(() -> Flux.range(1, 4).transform(RateLimit.builder(
                                RateLimiter.builder().permits(10).per(Duration.ofSeconds(1)).build())
                        .maxWait(Duration.ofMillis(150)).name("api").build()))
                .expectSubscription()
                .expectNext(1)
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(2) // each waits 100 ms <= 150 ms
                .thenAwait(Duration.ofMillis(100))
                .expectNext(3)
                .thenAwait(Duration.ofMillis(100))
                .expectNext(4)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        // a producer that outruns the limit by more than the max wait: the element that would wait 200 ms fails
        AtomicLong clock = new AtomicLong();
        RateLimiter shared = RateLimiter.builder().permits(10).per(Duration.ofSeconds(1)).nanoClock(clock::get).build();
        shared.reserveNanos();
        shared.reserveNanos(); // the next permit is due at 200 ms
        StepVerifier.create(Flux.just("a").transform(RateLimit.builder(shared).maxWait(Duration.ofMillis(150))
                        .name("api").build()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RateLimitExceededException.class)
                        .hasMessageContaining("'api'").hasMessageContaining("element a"))
                .verify(Duration.ofSeconds(10));
        assertThat(shared.tryReserveNanos(Long.MAX_VALUE)).isEqualTo(200_000_000L);
    }

    @Test
    void enforcingWaitsZeroByDefaultAndUpToMaxWaitWhenGiven() {
        // arrivals every 80 ms against 10/s: the second arrival is 20 ms early
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(80)).take(2)
                        .transform(RateLimit.builder(RateLimiter.perSecond(10)).enforcing().name("strict").build()))
                .thenAwait(Duration.ofMillis(160))
                .expectNext(0L)
                .expectError(RateLimitExceededException.class)
                .verify(Duration.ofSeconds(10));
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMillis(80)).take(2)
                        .transform(RateLimit.builder(RateLimiter.perSecond(10)).enforcing()
                                .maxWait(Duration.ofMillis(25)).name("tolerant").build()))
                .thenAwait(Duration.ofMillis(80))
                .expectNext(0L)
                .thenAwait(Duration.ofMillis(80))
                .expectNoEvent(Duration.ofMillis(19))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(1L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThatThrownBy(() -> RateLimit.builder(RateLimiter.perSecond(1)).maxWait(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
    }
}
