package io.fluxgate.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.reactivestreams.Subscription;

import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Heartbeat under random arrival and request schedules (virtual time), checked against the rules rather than a
 * re-implementation: every data element delivered once, in order; never more emitted than requested; a beat only
 * after a full interval without data or beats; with demand and silence, a beat exactly one interval after the last
 * activity.
 */
class HeartbeatPropertiesTest {

    private static final long INTERVAL = 100;

    @Property(tries = 200)
    void beatsFollowTheRulesUnderAnyArrivalAndDemandSchedule(
            @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 350) Integer> gapsMillis,
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 400) Integer> requestAtMillis,
            @ForAll @Size(max = 12) List<@IntRange(min = 1, max = 4) Integer> requestAmounts) {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        List<Long> arrivals = new ArrayList<>();
        List<long[]> emitted = new ArrayList<>(); // {time, value, requested so far}
        long[] requested = {0};
        BaseSubscriber<Integer> sub = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
            }

            @Override
            protected void hookOnNext(Integer v) {
                emitted.add(new long[] {vts.now(TimeUnit.MILLISECONDS), v, requested[0]});
            }
        };
        Flux.range(0, gapsMillis.size())
                .concatMap(i -> Mono.delay(Duration.ofMillis(gapsMillis.get(i)), vts).thenReturn(i))
                .concatWith(Flux.never())
                .doOnNext(i -> arrivals.add(vts.now(TimeUnit.MILLISECONDS)))
                .transform(Heartbeat.every(Duration.ofMillis(INTERVAL)).scheduler(vts).inject(() -> -1))
                .subscribe(sub);
        long t = 0;
        int n = Math.min(requestAtMillis.size(), requestAmounts.size());
        for (int k = 0; k < n; k++) {
            t += requestAtMillis.get(k);
            int amount = requestAmounts.get(k);
            vts.schedule(() -> {
                requested[0] += amount;
                sub.request(amount);
            }, t, TimeUnit.MILLISECONDS);
        }
        long unboundedAt = t + 1;
        vts.schedule(() -> {
            requested[0] = Long.MAX_VALUE;
            sub.request(Long.MAX_VALUE);
        }, unboundedAt, TimeUnit.MILLISECONDS);
        long end = unboundedAt + gapsMillis.stream().mapToLong(Integer::longValue).sum() + 3_000;
        vts.advanceTimeTo(java.time.Instant.ofEpochMilli(end));
        sub.dispose();
        vts.dispose();

        // every data element exactly once, in order
        assertThat(emitted.stream().filter(e -> e[1] >= 0).map(e -> (int) e[1]).toList())
                .containsExactlyElementsOf(Flux.range(0, gapsMillis.size()).collectList().block());
        long lastActivity = 0; // subscription at 0
        int arrivalIdx = 0;
        for (int k = 0; k < emitted.size(); k++) {
            long[] e = emitted.get(k);
            assertThat((long) (k + 1)).as("emitted without demand").isLessThanOrEqualTo(e[2]);
            if (e[1] < 0) {
                // an element arriving at the very instant of a beat may have come after it: only earlier ones count
                while (arrivalIdx < arrivals.size() && arrivals.get(arrivalIdx) < e[0]) {
                    lastActivity = Math.max(lastActivity, arrivals.get(arrivalIdx++));
                }
                assertThat(e[0] - lastActivity).as("beat at %d after activity at %d", e[0], lastActivity)
                        .isGreaterThanOrEqualTo(INTERVAL);
                lastActivity = e[0];
            }
        }
        // once demand is unbounded and the data is over, beats come exactly every interval
        long lastData = arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1);
        List<Long> tail = emitted.stream().filter(e -> e[1] < 0 && e[0] > Math.max(lastData, unboundedAt) + INTERVAL)
                .map(e -> e[0]).toList();
        assertThat(tail).hasSizeGreaterThanOrEqualTo(25);
        for (int k = 1; k < tail.size(); k++) {
            assertThat(tail.get(k) - tail.get(k - 1)).isEqualTo(INTERVAL);
        }
    }
}
