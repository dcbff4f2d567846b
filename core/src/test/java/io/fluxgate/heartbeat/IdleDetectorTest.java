package io.fluxgate.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The timestamp-taking forms a hot path uses (one clock read per element) agree with the clock-reading ones. */
class IdleDetectorTest {

    @Test
    void explicitTimestampsAgreeWithTheClock() {
        AtomicLong nanos = new AtomicLong(1_000);
        IdleDetector idle = new IdleDetector(Duration.ofNanos(100), nanos::get);
        nanos.set(1_040);
        assertThat(idle.silenceNanos(nanos.get())).isEqualTo(40).isEqualTo(idle.silence().toNanos());
        assertThat(idle.nanosUntilIdle(nanos.get())).isEqualTo(60).isEqualTo(idle.nanosUntilIdle());
        idle.markActive(1_030);
        assertThat(idle.silenceNanos(1_040)).isEqualTo(10);
        assertThat(idle.nanosUntilIdle(1_130)).isZero();
        assertThat(idle.nanosUntilIdle(1_200)).isEqualTo(-70);
        assertThat(idle.silenceNanos(1_000)).as("a clock read before the mark is no silence").isZero();
    }

    @Test
    void aHugeIntervalSaturatesInsteadOfFailing() {
        IdleDetector idle = new IdleDetector(Duration.ofSeconds(Long.MAX_VALUE), () -> 0L);
        assertThat(idle.interval()).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(idle.nanosUntilIdle(Long.MAX_VALUE)).isZero();
        assertThat(idle.isIdle()).isFalse();
    }
}
