package io.fluxgate.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxgate.window.internal.WindowEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The algorithm alone, driven with an injected clock: no scheduler, no timers. */
class WindowEngineTest {

    private final AtomicLong nanos = new AtomicLong();

    private WindowEngine<Ev> engine(UniqueUsers.Builder<Ev> b) {
        return new WindowEngine<>(b.build().spec(), nanos::get);
    }

    private static List<Long> starts(WindowEngine<Ev> e) {
        List<Long> l = new ArrayList<>();
        WindowCount w;
        while ((w = e.results().poll()) != null) {
            l.add(w.start());
        }
        return l;
    }

    @Test
    void noWatermarkBeforeTheFirstRecordEvenWithHugeLateness() {
        WindowEngine<Ev> e = engine(UniqueUsersTest.secs(10).allowedLateness(Duration.ofSeconds(Long.MAX_VALUE / 2)));
        assertThat(e.hasWatermark()).isFalse();
        e.onNext(Ev.of("a", Long.MIN_VALUE + 5));
        assertThat(e.watermark()).isEqualTo(Long.MIN_VALUE);
        assertThat(e.hasWatermark()).isTrue();
    }

    @Test
    void idleTicksAdvanceTheWatermarkByElapsedProcessingTimeAndAskForTheNextTick() {
        WindowEngine<Ev> e = engine(UniqueUsersTest.secs(10).idleFlush(Duration.ofSeconds(4)));
        assertThat(e.onTick(nanos.get())).as("nothing seen: check again in one interval").isEqualTo(4_000_000_000L);
        e.onNext(Ev.of("a", 3));
        nanos.set(1_500_000_000L);
        assertThat(e.onTick(nanos.get())).as("quiet for 1.5 s of 4").isEqualTo(2_500_000_000L);
        assertThat(e.watermark()).isEqualTo(3);
        nanos.set(4_000_000_000L);
        assertThat(e.onTick(nanos.get())).isEqualTo(4_000_000_000L);
        assertThat(e.watermark()).isEqualTo(7);
        nanos.set(7_999_999_999L);
        e.onTick(nanos.get());
        assertThat(e.watermark()).as("whole seconds only").isEqualTo(10);
        assertThat(starts(e)).containsExactly(0L);
    }

    @Test
    void partitionTimeoutReleasesTheWatermark() {
        WindowEngine<Ev> e = engine(UniqueUsersTest.secs(10).partitions(Ev::partition)
                .partitionIdleTimeout(Duration.ofSeconds(30)));
        e.onNext(new Ev("a", 1, 0, 0));
        e.onNext(new Ev("b", 2, 1, 0));
        nanos.set(20_000_000_000L);
        e.onNext(new Ev("a", 40, 0, 1));
        assertThat(e.watermark()).isEqualTo(2);
        assertThat(e.onTick(nanos.get())).isEqualTo(10_000_000_000L);
        nanos.set(30_000_000_000L);
        e.onTick(nanos.get());
        assertThat(e.watermark()).isEqualTo(40);
        assertThat(starts(e)).containsExactly(0L);
    }

    @Test
    void futureCheckReadsTheClockOnlyForSuspectRecords() {
        AtomicLong reads = new AtomicLong();
        nanos.set(1_000L * 1_000_000_000L);
        WindowEngine<Ev> e = new WindowEngine<>(UniqueUsersTest.secs(10).maxFutureSkew(Duration.ofSeconds(60)).build().spec(),
                () -> {
                    reads.incrementAndGet();
                    return nanos.get();
                });
        e.onNext(Ev.of("a", 1000));
        long afterFirst = reads.get();
        for (int i = 0; i < 100; i++) {
            e.onNext(Ev.of("a", 1000 + i % 50));
        }
        assertThat(reads.get()).isEqualTo(afterFirst);
        e.onNext(Ev.of("x", 1061));
        assertThat(e.snapshot().future()).isEqualTo(1);
        assertThat(e.watermark()).isEqualTo(1049);
    }
}
