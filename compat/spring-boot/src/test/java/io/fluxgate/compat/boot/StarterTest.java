package io.fluxgate.compat.boot;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Fluxgate starter in a stock Boot 4.1 WebFlux app with the lines of {@code application.yml} only: the breaker
 * opens on failed calls and the service refuses fast; health, metrics and {@code /actuator/fluxgate} show the breaker,
 * the rate limiter and the watchdog; the endpoint closes the breaker again.
 */
class StarterTest extends CompatContext {

    @Autowired
    WebTestClient client;

    @Test
    void breakerLimiterAndWatchdogFromYamlWithHealthMetricsAndTheEndpoint() {
        client.get().uri("/quotes?ids=a,b").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.quotes[1]").isEqualTo("B");
        client.get().uri("/quotes?ids=x1").exchange().expectStatus().isEqualTo(502);
        client.get().uri("/quotes?ids=x2").exchange().expectStatus().isEqualTo(502);
        // 2 of the 4 calls in the window failed: 50%, open
        client.get().uri("/quotes?ids=c").exchange().expectStatus().isEqualTo(503);

        client.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.components.circuitBreakers.details.partner.state").isEqualTo("OPEN")
                .jsonPath("$.components.stallWatchdog.status").isEqualTo("UP")
                .jsonPath("$.components.stallWatchdog.details.quotes.status").exists();
        client.get().uri("/actuator/metrics/resilience4j.circuitbreaker.state?tag=name:partner&tag=state:open")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.measurements[0].value").isEqualTo(1.0);
        client.get().uri("/actuator/metrics/fluxgate.watchdog.stalled?tag=name:quotes").exchange().expectStatus().isOk();
        client.get().uri("/actuator/fluxgate").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.circuitbreakers.partner.state").isEqualTo("OPEN")
                .jsonPath("$.ratelimiters.partner.settings.permits").isEqualTo(100)
                .jsonPath("$.watchdogs.quotes.settings.stallAfter").isEqualTo("PT20S");

        client.post().uri("/actuator/fluxgate/circuitbreakers/partner").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"state\":\"CLOSED\"}").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.state").value((String s) -> assertThat(s).isEqualTo("CLOSED"));
        client.get().uri("/quotes?ids=c").exchange().expectStatus().isOk();
    }
}
