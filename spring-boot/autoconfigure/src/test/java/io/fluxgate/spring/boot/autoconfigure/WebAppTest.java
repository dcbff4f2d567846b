package io.fluxgate.spring.boot.autoconfigure;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The one application context the WebFlux tests share (same configuration, so Spring's test context cache starts
 * it once): {@link WebApp} with a few lines of properties, as {@code application.yml} would have them.
 */
@SpringBootTest(classes = WebApp.class, webEnvironment = SpringBootTest.WebEnvironment.MOCK, properties = {
        "fluxgate.circuitbreaker.configs.default.sliding-window-size=2",
        "fluxgate.circuitbreaker.configs.default.minimum-number-of-calls=2",
        "fluxgate.circuitbreaker.instances.partner.wait-duration-in-open-state=1h",
        "fluxgate.circuitbreaker.instances.partner.writable-stack-trace-enabled=false",
        "fluxgate.ratelimiter.instances.partner.permits=1000",
        "fluxgate.ratelimiter.instances.partner.period=1s",
        "fluxgate.ratelimiter.instances.partner.burst=100",
        "fluxgate.watchdog.instances.quotes.stall-after=30s",
        "fluxgate.valve.instances.quotes.max-in-flight=8",
        "management.endpoints.web.exposure.include=health,metrics,fluxgate",
        "management.endpoint.health.show-details=always"
})
@AutoConfigureWebTestClient(timeout = "30s")
abstract class WebAppTest {

    @Autowired
    WebTestClient client;

    @Autowired
    FluxgateCircuitBreakers breakers;
}
