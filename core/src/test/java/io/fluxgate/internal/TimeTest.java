package io.fluxgate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

class TimeTest {

    @Test
    void defaultClockIsNanoTimeOutsideVirtualTime() {
        long before = System.nanoTime();
        long now = Time.defaultNanoClock().getAsLong();
        assertThat(now).isBetween(before, System.nanoTime());
    }

    @Test
    void defaultClockFollowsAnInstalledVirtualTimeScheduler() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            long start = Time.defaultNanoClock().getAsLong();
            vts.advanceTimeBy(Duration.ofHours(1));
            assertThat(Time.defaultNanoClock().getAsLong() - start).isEqualTo(TimeUnit.HOURS.toNanos(1));
            assertThat(Time.nanoClockOf(vts).getAsLong()).isEqualTo(vts.now(TimeUnit.NANOSECONDS));
        } finally {
            VirtualTimeScheduler.reset();
        }
    }
}
