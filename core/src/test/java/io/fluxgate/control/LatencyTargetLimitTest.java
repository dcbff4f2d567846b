package io.fluxgate.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LatencyTargetLimitTest {

    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;

    /** Sink cost model of the issue: fixed overhead plus per-item cost. */
    private static long cost(int n, long fixedNanos, long perItemNanos) {
        return fixedNanos + perItemNanos * n;
    }

    private static LatencyTargetLimit controller() {
        return LatencyTargetLimit.builder().latencyTarget(Duration.ofMillis(100)).minLimit(1).maxLimit(100_000)
                .initialLimit(1).build();
    }

    @Test
    void convergesToTheLargestBatchThatMeetsTheTargetFromASizeOfOne() {
        LatencyTargetLimit c = controller();
        int steps = 0;
        // n* = (100 ms - 5 ms) / 50 us = 1900
        while (Math.abs(c.limit() - 1900) > 95 && steps < 100) {
            c.onSample(cost(c.limit(), 5 * MS, 50 * US), c.limit(), false);
            steps++;
        }
        assertThat(steps).isLessThanOrEqualTo(30);
        for (int i = 0; i < 50; i++) {
            c.onSample(cost(c.limit(), 5 * MS, 50 * US), c.limit(), false);
        }
        assertThat(c.limit()).isBetween(1805, 1900);
        assertThat(cost(c.limit(), 5 * MS, 50 * US)).isLessThanOrEqualTo(100 * MS);
    }

    @Test
    void reconvergesWithinAFewBatchesAfterThePerItemCostDoubles() {
        LatencyTargetLimit c = controller();
        for (int i = 0; i < 100; i++) {
            c.onSample(cost(c.limit(), 5 * MS, 50 * US), c.limit(), false);
        }
        assertThat(c.limit()).isBetween(1805, 1900);
        int steps = 0;
        // new n* = 95 ms / 100 us = 950
        while (Math.abs(c.limit() - 950) > 48 && steps < 100) {
            c.onSample(cost(c.limit(), 5 * MS, 100 * US), c.limit(), false);
            steps++;
        }
        assertThat(steps).isLessThanOrEqualTo(8);
    }

    @Test
    void partialBatchesThatAreFastDoNotGrowTheLimit() {
        LatencyTargetLimit c = LatencyTargetLimit.builder().initialLimit(100).build();
        for (int i = 0; i < 20; i++) {
            c.onSample(MS, 10, false);
        }
        assertThat(c.limit()).isEqualTo(100);
    }

    @Test
    void aSlowPartialBatchStillShrinksTheLimit() {
        LatencyTargetLimit c = LatencyTargetLimit.builder().initialLimit(100).latencyTarget(Duration.ofMillis(100)).build();
        c.onSample(400 * MS, 40, false);
        // proposal = 40 * max(100/400, 1/2) = 20; e = 100 + 0.5 * (20 - 100) = 60
        assertThat(c.limit()).isEqualTo(60);
    }

    @Test
    void oneOutlierMovesTheLimitByAtMostTheMaxStep() {
        LatencyTargetLimit c = LatencyTargetLimit.builder().initialLimit(1000).gain(1.0).build();
        c.onSample(100_000 * MS, 1000, false);
        assertThat(c.limit()).isEqualTo(500);
        c.onSample(1, 500, false);
        assertThat(c.limit()).isEqualTo(1000);
    }

    @Test
    void droppedSamplesBackOffAndLimitsAreClamped() {
        LatencyTargetLimit c = LatencyTargetLimit.builder().initialLimit(8).minLimit(3).maxLimit(10).build();
        c.onSample(0, 8, true);
        assertThat(c.limit()).isEqualTo(4);
        c.onSample(0, 4, true);
        assertThat(c.limit()).isEqualTo(3);
        for (int i = 0; i < 20; i++) {
            c.onSample(MS, c.limit(), false);
        }
        assertThat(c.limit()).isEqualTo(10);
        assertThat(LatencyTargetLimit.builder().initialLimit(50).maxLimit(20).build().limit()).isEqualTo(20);
    }

    @Test
    void badArgumentsNameTheValue() {
        assertThatThrownBy(() -> LatencyTargetLimit.builder().minLimit(0)).hasMessageContaining("minLimit must be >= 1, was 0");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().maxLimit(-1)).hasMessageContaining("was -1");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().gain(0)).hasMessageContaining("gain");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().gain(1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().maxStep(1)).hasMessageContaining("maxStep");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().utilisation(2)).hasMessageContaining("utilisation");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().backoffRatio(1)).hasMessageContaining("backoffRatio");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().latencyTarget(Duration.ZERO)).hasMessageContaining("latencyTarget");
        assertThatThrownBy(() -> LatencyTargetLimit.builder().minLimit(5).maxLimit(4).build()).hasMessageContaining("minLimit 5 > maxLimit 4");
    }
}
