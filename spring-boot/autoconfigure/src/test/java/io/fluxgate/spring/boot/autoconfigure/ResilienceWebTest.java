package io.fluxgate.spring.boot.autoconfigure;

import io.fluxgate.breaker.CircuitBreakerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/** Breaker and rate limiter from properties in a running WebFlux app: failures open it, health and metrics see it. */
class ResilienceWebTest extends WebAppTest {

    @AfterEach
    void closeAgain() {
        breakers.breaker("partner").circuitBreaker().reset();
    }

    @Test
    void failingCallsOpenTheBreakerAndTheServiceRefusesFast() {
        client.get().uri("/quotes?ids=a,b").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.quotes[0]").isEqualTo("A").jsonPath("$.quotes[1]").isEqualTo("B");
        // window of 2 (b, x1), 50% failed: the failure opens it
        client.get().uri("/quotes?ids=x1").exchange().expectStatus().isEqualTo(502);
        assertThat(breakers.breaker("partner").state()).isEqualTo(CircuitBreakerState.OPEN);
        client.get().uri("/quotes?ids=c").exchange().expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.error").value((String e) -> assertThat(e).contains("partner"));

        client.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.circuitBreakers.status").isEqualTo("CIRCUIT_OPEN")
                .jsonPath("$.components.circuitBreakers.details.partner.state").isEqualTo("OPEN")
                .jsonPath("$.components.circuitBreakers.details.partner.failedCalls").isEqualTo(1);
        client.get().uri("/actuator/metrics/resilience4j.circuitbreaker.not.permitted.calls?tag=name:partner")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.measurements[0].value").isEqualTo(1.0);
        // each permitted call was an observation of the app's ObservationRegistry: Boot's handler times it
        client.get().uri("/actuator/metrics/" + FluxgateCircuitBreakers.OBSERVATION + "?tag=name:partner")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.measurements[?(@.statistic == 'COUNT')].value").value(
                        (java.util.List<Double> v) -> assertThat(v.get(0)).isGreaterThanOrEqualTo(3.0));
    }

    @Test
    void theEndpointForcesTheBreakerOpenAndClosedAgain() {
        client.post().uri("/actuator/fluxgate/circuitbreakers/partner").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"state\":\"FORCED_OPEN\"}").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("FORCED_OPEN");
        client.get().uri("/quotes?ids=a").exchange().expectStatus().isEqualTo(503);

        client.post().uri("/actuator/fluxgate/circuitbreakers/partner").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"state\":\"CLOSED\"}").exchange().expectStatus().isOk();
        client.get().uri("/quotes?ids=a").exchange().expectStatus().isOk();

        client.post().uri("/actuator/fluxgate/circuitbreakers/partner").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"state\":\"AJAR\"}").exchange().expectStatus().isBadRequest();
    }

    @Test
    void theRateLimitedStageHasItsMeters() {
        client.get().uri("/quotes?ids=a,b,c").exchange().expectStatus().isOk();
        client.get().uri("/actuator/metrics/fluxgate.ratelimit.permits?tag=name:partner").exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.measurements[0].value").value((Double v) -> assertThat(v).isGreaterThanOrEqualTo(3.0));
    }
}
