package io.fluxgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

class RateLimiterPropertyTest {

    /**
     * Reference model: a token bucket counting credit in units of {@code 1/permits} ns (one token = one interval
     * = {@code 10^9} units, exact), refilled by elapsed time, capped at burst tokens unless the last grant went to
     * a throttled caller who is late by at most the catch-up, going negative for reservations ahead of time.
     */
    @Property(tries = 300)
    void reservationsMatchTokenBucketModel(@ForAll @Size(max = 50) List<@IntRange(min = 0, max = 400) Integer> gapsMs,
                                           @ForAll @IntRange(min = 1, max = 20) int permits,
                                           @ForAll @IntRange(min = 1, max = 5) int burst,
                                           @ForAll @IntRange(min = 0, max = 300) int catchUpMs) {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        RateLimiter limiter = RateLimiter.builder().permits(permits).per(Duration.ofSeconds(1)).burst(burst)
                .catchUp(Duration.ofMillis(catchUpMs)).nanoClock(now::get).build();
        long token = 1_000_000_000L; // one interval, in 1/permits ns
        long capacity = burst * token;
        long catchUp = catchUpMs * 1_000_000L * permits;
        long credit = capacity;
        boolean throttled = false;
        long last = now.get();
        for (int gap : gapsMs) {
            now.addAndGet(gap * 1_000_000L);
            credit += (now.get() - last) * permits;
            last = now.get();
            boolean reset = credit > capacity && !(throttled && credit <= capacity + catchUp);
            if (reset) {
                credit = capacity;
            }
            throttled = throttled && !reset || credit <= token;
            long expectedWait = credit >= token ? 0 : Math.floorDiv(token - credit + permits - 1, permits);
            credit -= token;
            assertThat(limiter.reserveNanos()).isEqualTo(expectedWait);
        }
    }

    /** In any stretch of emissions, at most burst + elapsed/interval elements pass; none are lost or reordered. */
    @Property(tries = 100)
    void shapedEmissionsRespectTheBound(@ForAll @Size(max = 30) List<@IntRange(min = 0, max = 300) Integer> gapsMs,
                                        @ForAll @IntRange(min = 1, max = 20) int permits,
                                        @ForAll @IntRange(min = 1, max = 4) int burst,
                                        @ForAll boolean catchUp) {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        RateLimiter limiter = RateLimiter.builder().permits(permits).per(Duration.ofSeconds(1)).burst(burst)
                .catchUp(catchUp ? RateLimiter.DEFAULT_CATCH_UP : Duration.ZERO)
                .nanoClock(() -> vts.now(TimeUnit.NANOSECONDS)).build();
        List<Integer> values = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        long[] at = new long[gapsMs.size()];
        long t = 0;
        for (int i = 0; i < at.length; i++) {
            t += gapsMs.get(i);
            at[i] = t;
        }
        Flux.range(0, at.length)
                .concatMap(i -> Mono.delay(Duration.ofMillis(at[i]), vts).thenReturn(i), 0)
                .transform(RateLimit.builder(limiter).scheduler(vts).build())
                .subscribe(v -> {
                    values.add(v);
                    times.add(vts.now(TimeUnit.NANOSECONDS));
                });
        vts.advanceTimeBy(Duration.ofHours(1));
        assertThat(values).hasSize(at.length).isSorted();
        // a late throttled caller may be made up by up to the catch-up: burst + (d + catchUp) / interval; and a
        // permit's exact slot is a fraction of a nanosecond, its wait rounded up, so emissions may be up to 1 ns
        // closer together than their slots
        long slack = limiter.catchUp().toNanos() + 1;
        for (int i = 0; i < times.size(); i++) {
            for (int j = i; j < times.size(); j++) {
                long d = times.get(j) - times.get(i);
                assertThat((j - i + 1) * 1_000_000_000L).as("%d elements in %d ns", j - i + 1, d)
                        .isLessThanOrEqualTo(burst * 1_000_000_000L + (d + slack) * permits);
            }
        }
        vts.dispose();
    }
}
