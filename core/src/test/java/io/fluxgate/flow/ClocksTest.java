package io.fluxgate.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

class ClocksTest {

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
}
