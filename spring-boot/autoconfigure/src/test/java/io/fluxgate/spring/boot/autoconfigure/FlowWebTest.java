package io.fluxgate.spring.boot.autoconfigure;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** Watchdog and valve from properties in a running WebFlux app: health, metrics and the fluxgate endpoint. */
class FlowWebTest extends WebAppTest {

    @Test
    void healthShowsTheWatchedStage() {
        client.get().uri("/quotes?ids=a").exchange().expectStatus().isOk();
        client.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.components.stallWatchdog.status").isEqualTo("UP")
                .jsonPath("$.components.stallWatchdog.details.quotes.status").isEqualTo("IDLE")
                .jsonPath("$.components.stallWatchdog.details.quotes.stalls").isEqualTo(0);
        client.get().uri("/actuator/metrics/fluxgate.watchdog.stalled?tag=name:quotes").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.measurements[0].value").isEqualTo(0.0);
    }

    @Test
    void theEndpointListsEveryInstanceAndPausesTheValve() {
        client.get().uri("/actuator/fluxgate").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.circuitbreakers.partner.settings.slidingWindowSize").isEqualTo(2)
                .jsonPath("$.ratelimiters.partner.settings.permits").isEqualTo(1000)
                .jsonPath("$.ratelimiters.partner.settings.burst").isEqualTo(100)
                .jsonPath("$.watchdogs.quotes.settings.stallAfter").isEqualTo("PT30S")
                .jsonPath("$.valves.quotes.state").isEqualTo("OPEN")
                .jsonPath("$.valves.quotes.settings.maxInFlight").isEqualTo(8);

        client.post().uri("/actuator/fluxgate/valves/quotes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"state\":\"PAUSED\"}").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("PAUSED");
        client.get().uri("/actuator/fluxgate/valves/quotes").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("PAUSED");
        client.post().uri("/actuator/fluxgate/valves/quotes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"state\":\"OPEN\"}").exchange().expectStatus().isOk();
        client.get().uri("/quotes?ids=a").exchange().expectStatus().isOk();
        client.get().uri("/actuator/fluxgate/valves/nope").exchange().expectStatus().isNotFound();
    }
}
