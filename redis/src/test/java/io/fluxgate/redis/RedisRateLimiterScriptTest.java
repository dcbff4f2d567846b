package io.fluxgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.fluxgate.ratelimit.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The GCRA script's decisions, exactly, with an explicit time argument instead of the server's clock: for the same
 * calls at the same times it answers as a local {@link RateLimiter} (the reference) does, burst, fractional
 * intervals, bounded waits and catch-up included.
 */
class RedisRateLimiterScriptTest {

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private static synchronized StatefulRedisConnection<String, String> connection() {
        if (connection == null) {
            client = RedisServers.shared();
            connection = client.connect();
        }
        return connection;
    }

    @AfterContainer
    static void close() {
        if (client != null) {
            connection.close();
            client.shutdown();
        }
    }

    /** One call: time moves on by {@code advanceMicros}, then a permit is asked for with this max wait. */
    record Step(long advanceMicros, long maxWaitNanos) {
    }

    @Provide
    Arbitrary<Step> steps() {
        Arbitrary<Long> advance = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(0, 3_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 2_000_000)));
        Arbitrary<Long> maxWait = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Long.MAX_VALUE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 5_000_000)));
        return Combinators.combine(advance, maxWait).as(Step::new);
    }

    @Provide
    Arbitrary<Long> periods() {
        return Arbitraries.of(1_000L, 7_000L, 10_000L, 1_000_000L);
    }

    @Property(tries = 60)
    void decidesAsTheLocalLimiter(@ForAll @IntRange(min = 1, max = 60) int permits,
                                  @ForAll("periods") long periodMicros,
                                  @ForAll @IntRange(min = 1, max = 4) int burst,
                                  @ForAll @LongRange(min = 0, max = 3_000) long catchUpMicros,
                                  @ForAll @Size(min = 1, max = 40) List<@net.jqwik.api.From("steps") Step> steps) {
        String key = RedisServers.prefix() + "gcra";
        RedisRateLimiter remote = RedisRateLimiter.builder(connection(), key).permits(permits)
                .per(Duration.ofNanos(periodMicros * 1000)).burst(burst)
                .catchUp(Duration.ofNanos(catchUpMicros * 1000)).build();
        long start = 1_700_000_000_000_000L; // microseconds, as the server's clock reads today
        AtomicLong nowNanos = new AtomicLong(start * 1000);
        RateLimiter local = RateLimiter.builder().permits(permits).per(Duration.ofNanos(periodMicros * 1000))
                .burst(burst).catchUp(Duration.ofNanos(catchUpMicros * 1000)).nanoClock(nowNanos::get).build();
        long now = start;
        List<Long> expected = new ArrayList<>();
        List<Long> actual = new ArrayList<>();
        for (Step s : steps) {
            now += s.advanceMicros();
            nowNanos.set(now * 1000);
            expected.add(local.tryReserveNanos(s.maxWaitNanos()));
            actual.add(remote.reserve(s.maxWaitNanos(), now).block(Duration.ofSeconds(10)));
        }
        connection().sync().del(key);
        assertThat(actual).isEqualTo(expected);
    }

    @Example
    void evenlySpacedPermitsAtAThousandPerSecond() {
        String key = RedisServers.prefix() + "gcra";
        RedisRateLimiter limiter = RedisRateLimiter.builder(connection(), key).permits(1000)
                .per(Duration.ofSeconds(1)).build();
        long t = 5_000_000_000L;
        assertThat(limiter.reserve(0, t).block()).isZero();
        assertThat(limiter.reserve(0, t).block()).as("no second permit in the same microsecond").isEqualTo(-1);
        assertThat(limiter.reserve(Long.MAX_VALUE, t).block()).as("shaping: wait one interval")
                .isEqualTo(1_000_000L);
        assertThat(limiter.reserve(Long.MAX_VALUE, t + 100).block()).as("the next slot, 2 ms after t")
                .isEqualTo(1_900_000L);
        assertThat(limiter.reserve(500_000, t + 100).block()).as("bounded wait refuses a slot 2.9 ms away")
                .isEqualTo(-1);
        connection().sync().del(key);
    }

    @Example
    void fractionalIntervalsAreExact() {
        String key = RedisServers.prefix() + "gcra";
        // 3 per 10 us: intervals of 3.33.. us, exactly 3 permits per 10 us in the long run
        RedisRateLimiter limiter = RedisRateLimiter.builder(connection(), key).permits(3)
                .per(Duration.ofNanos(10_000)).build();
        long t = 1_000_000L;
        long last = -1;
        for (int i = 0; i < 300; i++) {
            last = limiter.reserve(Long.MAX_VALUE, t).block();
        }
        // the 300th permit is due at t + 299 * 10/3 us = t + 996.67 us: a wait of 996_667 ns, rounded up
        assertThat(last).isEqualTo(996_667L);
        // the 301st at t + 1000 us exactly
        assertThat(limiter.reserve(0, t + 999).block()).isEqualTo(-1);
        assertThat(limiter.reserve(0, t + 1000).block()).isZero();
        connection().sync().del(key);
    }
}
