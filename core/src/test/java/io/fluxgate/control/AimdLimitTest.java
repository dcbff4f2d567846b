package io.fluxgate.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class AimdLimitTest {

    private static final long MS = 1_000_000L;

    private final long[] now = {0};

    private AimdLimit aimd(int initial) {
        return AimdLimit.builder().initialLimit(initial).minLimit(2).maxLimit(50).increment(2).backoffRatio(0.5)
                .latencyTarget(Duration.ofMillis(10)).backoffCooldown(Duration.ofMillis(100)).nanoClock(() -> now[0])
                .build();
    }

    @Test
    void growsAdditivelyOnFastSamplesThatExerciseTheLimit() {
        AimdLimit c = aimd(10);
        c.onSample(5 * MS, 10, false);
        assertThat(c.limit()).isEqualTo(12);
        c.onSample(10 * MS, 6, false);
        assertThat(c.limit()).isEqualTo(14);
        c.onSample(MS, 2, false);
        assertThat(c.limit()).as("a load under half the limit does not test it").isEqualTo(14);
        for (int i = 0; i < 100; i++) {
            c.onSample(MS, c.limit(), false);
        }
        assertThat(c.limit()).isEqualTo(50);
    }

    @Test
    void backsOffMultiplicativelyOncePerCooldown() {
        AimdLimit c = aimd(40);
        c.onSample(11 * MS, 40, false);
        assertThat(c.limit()).isEqualTo(20);
        now[0] += 50 * MS;
        c.onSample(50 * MS, 40, false);
        c.onSample(0, 40, true);
        assertThat(c.limit()).as("same congestion event").isEqualTo(20);
        now[0] += 50 * MS;
        c.onSample(0, 20, true);
        assertThat(c.limit()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            now[0] += 100 * MS;
            c.onSample(20 * MS, 10, false);
        }
        assertThat(c.limit()).isEqualTo(2);
    }

    @Test
    void sawtoothAroundTheTargetKeepsLatencyNearIt() {
        AimdLimit c = AimdLimit.builder().initialLimit(1).maxLimit(10_000).latencyTarget(Duration.ofMillis(10))
                .backoffCooldown(Duration.ZERO).increment(5).nanoClock(() -> now[0]).build();
        // cost 1 ms + 0.1 ms per item: n* = 90
        int max = 0;
        for (int i = 0; i < 500; i++) {
            long latency = MS + c.limit() * (MS / 10);
            c.onSample(latency, c.limit(), false);
            if (i > 100) {
                max = Math.max(max, c.limit());
                assertThat(c.limit()).isBetween(70, 96);
            }
        }
        assertThat(max).isGreaterThanOrEqualTo(88);
    }

    @Test
    void badArgumentsNameTheValue() {
        assertThatThrownBy(() -> AimdLimit.builder().increment(0)).hasMessageContaining("increment must be >= 1, was 0");
        assertThatThrownBy(() -> AimdLimit.builder().backoffRatio(1.0)).hasMessageContaining("1.0");
        assertThatThrownBy(() -> AimdLimit.builder().utilisation(-0.1)).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> AimdLimit.builder().backoffCooldown(Duration.ofMillis(-1))).hasMessageContaining("backoffCooldown");
        assertThatThrownBy(() -> AimdLimit.builder().nanoClock(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AimdLimit.builder().minLimit(9).maxLimit(3).build()).hasMessageContaining("minLimit 9 > maxLimit 3");
        assertThat(AimdLimit.ofDefaults().limit()).isEqualTo(AimdLimit.DEFAULT_INITIAL_LIMIT);
    }
}
