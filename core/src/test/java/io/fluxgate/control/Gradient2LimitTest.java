package io.fluxgate.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Gradient2LimitTest {

    private static final long MS = 1_000_000L;

    /**
     * A server with {@code capacity} workers, each call taking {@code service} when not queued: with {@code n} in
     * flight, latency is {@code service * max(1, n / capacity)} (queueing beyond the capacity).
     */
    private static long latency(int inFlight, int capacity, long service) {
        return service * Math.max(1, (long) Math.ceil((double) inFlight / capacity));
    }

    @Test
    void growsWhileLatencyIsFlatAndSettlesNearTheServersCapacity() {
        Gradient2Limit c = Gradient2Limit.builder().initialLimit(4).maxLimit(1000).build();
        int lo = Integer.MAX_VALUE;
        int hi = 0;
        for (int i = 0; i < 150; i++) {
            int n = c.limit();
            c.onSample(latency(n, 40, 10 * MS), n, false);
            if (i >= 60) {
                lo = Math.min(lo, c.limit());
                hi = Math.max(hi, c.limit());
            }
        }
        // queueing beyond 40 doubles latency, past the 1.5x tolerance: the limit oscillates around the knee (for a
        // while: the baseline creeps up under sustained queueing, see the class doc)
        assertThat(lo).isGreaterThanOrEqualTo(30);
        assertThat(hi).isLessThanOrEqualTo(60);
    }

    @Test
    void shrinksWhenTheServerSlowsDownAndLatencyRises() {
        Gradient2Limit c = Gradient2Limit.builder().initialLimit(100).maxLimit(1000).build();
        for (int i = 0; i < 50; i++) {
            c.onSample(10 * MS, 100, false);
        }
        int before = c.limit();
        for (int i = 0; i < 20; i++) {
            c.onSample(40 * MS, c.limit(), false);
        }
        assertThat(c.limit()).isLessThan(before / 2);
    }

    @Test
    void aPermanentLatencyShiftIsAcceptedAfterAboutALongWindow() {
        Gradient2Limit c = Gradient2Limit.builder().initialLimit(20).maxLimit(1000).longWindow(100).build();
        for (int i = 0; i < 50; i++) {
            c.onSample(10 * MS, c.limit(), false);
        }
        for (int i = 0; i < 20; i++) {
            c.onSample(30 * MS, c.limit(), false);
        }
        int shrunk = c.limit();
        for (int i = 0; i < 300; i++) {
            c.onSample(30 * MS, c.limit(), false);
        }
        assertThat(c.longLatencyNanos()).isCloseTo(30.0 * MS, org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(c.limit()).isGreaterThan(2 * shrunk);
    }

    @Test
    void appLimitedSamplesDoNotMoveTheLimitButDropsDo() {
        Gradient2Limit c = Gradient2Limit.builder().initialLimit(50).build();
        for (int i = 0; i < 100; i++) {
            c.onSample(MS, 5, false);
        }
        assertThat(c.limit()).isEqualTo(50);
        c.onSample(MS, 5, true);
        // 0.8 * 50 + 0.2 * 25 = 45
        assertThat(c.limit()).isEqualTo(45);
    }

    @Test
    void staysWithinBounds() {
        Gradient2Limit c = Gradient2Limit.builder().initialLimit(5).minLimit(3).maxLimit(8).build();
        for (int i = 0; i < 100; i++) {
            c.onSample(MS, c.limit(), false);
        }
        assertThat(c.limit()).isEqualTo(8);
        for (int i = 0; i < 100; i++) {
            c.onSample(MS, c.limit(), true);
        }
        assertThat(c.limit()).isEqualTo(3);
    }

    @Test
    void badArgumentsNameTheValue() {
        assertThatThrownBy(() -> Gradient2Limit.builder().tolerance(0.5)).hasMessageContaining("tolerance must be >= 1 and finite, was 0.5");
        assertThatThrownBy(() -> Gradient2Limit.builder().smoothing(0)).hasMessageContaining("smoothing");
        assertThatThrownBy(() -> Gradient2Limit.builder().longWindow(0)).hasMessageContaining("longWindow must be >= 1, was 0");
        assertThatThrownBy(() -> Gradient2Limit.builder().minLimit(4).maxLimit(2).build()).hasMessageContaining("minLimit 4 > maxLimit 2");
    }
}
