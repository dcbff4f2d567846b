package io.fluxgate.examples.dashboard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /actuator/prometheus} shows every stage; {@code /actuator/health} includes the stall watchdog. */
class ActuatorEndpointsTest extends SharedDashboard {

    @Test
    void prometheusShowsTheMetersOfEveryStage() {
        // one frame through the whole pipeline, so every stage has counted something
        post(frames(freshWindowStart() + 1, "metrics")).expectStatus().isOk();

        String scrape = client.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(scrape)
                // StageMetrics around the write, the parse and the windows
                .contains("fluxgate_stage_in_total{name=\"publish\"}")
                .contains("fluxgate_stage_out_total{name=\"publish\"}")
                .contains("fluxgate_stage_in_total{name=\"parse\"}")
                .contains("fluxgate_stage_in_total{name=\"windows\"}")
                .contains("fluxgate_stage_out_total{name=\"windows\"}")
                .contains("fluxgate_stage_latency_seconds_count{name=\"publish\"}")
                // the stall watchdogs
                .contains("fluxgate_watchdog_stalled{name=\"parse\"}")
                .contains("fluxgate_watchdog_stalled{name=\"windows\"}")
                .contains("fluxgate_watchdog_inflight{name=\"windows\"}")
                // the Kafka source, the window operator, the breaker, the endpoint's own counters
                .contains("fluxgate_kafka_source_")
                .contains("fluxgate_window_windows_open")
                .contains("fluxgate_window_events_total")
                .contains("resilience4j_circuitbreaker_state{name=\"kafka\",state=\"closed\"} 1.0")
                .contains("fluxgate_dashboard_frames_accepted_total")
                .contains("fluxgate_dashboard_lines_rejected_total")
                .contains("fluxgate_dashboard_frames_malformed_total");
    }

    @Test
    void healthIncludesTheStallWatchdog() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.stallWatchdog.status").isEqualTo("UP")
                .jsonPath("$.components.stallWatchdog.details.parse.status").exists()
                .jsonPath("$.components.stallWatchdog.details.windows.status").exists()
                .jsonPath("$.components.stallWatchdog.details.windows.stalls").isEqualTo(0);
    }
}
