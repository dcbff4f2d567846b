package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fluxgate.heartbeat.StallWatchdog;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

class StallWatchdogHealthIndicatorTest {

    @Test
    void downWhileAWatchedStageIsStalledWithItsDetails() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        StallWatchdog quiet = StallWatchdog.builder().name("parse").stallAfter(Duration.ofSeconds(10)).scheduler(time).build();
        StallWatchdog stuck = StallWatchdog.builder().name("windows").stallAfter(Duration.ofSeconds(10)).scheduler(time).build();
        StallWatchdogHealthIndicator indicator = new StallWatchdogHealthIndicator(List.of(quiet, stuck));
        Sinks.Many<Integer> in = Sinks.many().unicast().onBackpressureBuffer();
        // a stage that takes elements and never emits, with demand outstanding: a stall
        Disposable running = in.asFlux().transform(stuck.<Integer, Integer>watch(f -> f.filter(x -> false))).subscribe();
        try {
            in.tryEmitNext(1);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            time.advanceTimeBy(Duration.ofSeconds(12));
            Health h = indicator.health();

            assertThat(h.getStatus()).isEqualTo(Status.DOWN);
            assertThat(detail(h, "windows")).containsEntry("status", "STALLED").containsEntry("inFlight", 1L)
                    .containsEntry("stalls", 1L);
            assertThat(detail(h, "parse")).containsEntry("status", "IDLE");
        } finally {
            running.dispose();
            time.dispose();
        }
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(Health h, String stage) {
        return (Map<String, Object>) h.getDetails().get(stage);
    }
}
