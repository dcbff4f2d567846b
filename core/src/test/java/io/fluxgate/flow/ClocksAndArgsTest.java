package io.fluxgate.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

class ClocksAndArgsTest {

    @Test
    void defaultClockIsNanoTimeOutsideVirtualTime() {
        long before = System.nanoTime();
        long now = Clocks.defaultNanoClock().getAsLong();
        assertThat(now).isBetween(before, System.nanoTime());
    }

    @Test
    void defaultClockFollowsAnInstalledVirtualTimeScheduler() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            long start = Clocks.defaultNanoClock().getAsLong();
            vts.advanceTimeBy(Duration.ofHours(1));
            assertThat(Clocks.defaultNanoClock().getAsLong() - start).isEqualTo(TimeUnit.HOURS.toNanos(1));
            assertThat(Clocks.nanoClockOf(vts).getAsLong()).isEqualTo(vts.now(TimeUnit.NANOSECONDS));
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void argsNameTheBadValue() {
        assertThatThrownBy(() -> Args.notBlank("name", "  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank, was '  '");
        assertThatThrownBy(() -> Args.atLeast("n", 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be >= 1, was 0");
        assertThatThrownBy(() -> Args.atLeast("n", -5L, 0L))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be >= 0, was -5");
        assertThatThrownBy(() -> Args.notBlank("name", null)).isInstanceOf(NullPointerException.class);
        assertThat(Args.atLeast("n", 3, 1)).isEqualTo(3);
    }
}
