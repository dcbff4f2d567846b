package io.fluxgate.spring.boot.autoconfigure;

import java.util.Arrays;
import java.util.Map;

import io.fluxgate.breaker.CallNotPermittedException;
import io.fluxgate.heartbeat.StallWatchdog;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A WebFlux service as a user writes one with the starter: a partner call behind a rate limiter and a breaker, a
 * watched stage and a valve, all from {@code fluxgate.*} properties, no wiring.
 */
@SpringBootApplication
class WebApp {

    /** The partner: fails for ids starting with {@code x}. */
    static Mono<String> partner(String id) {
        return id.startsWith("x") ? Mono.error(new IllegalStateException("partner failed for " + id))
                : Mono.just(id.toUpperCase());
    }

    @Bean
    RouterFunction<ServerResponse> routes(FluxgateCircuitBreakers breakers, FluxgateRateLimiters rateLimiters,
                                          FluxgateWatchdogs watchdogs, FluxgateValves valves) {
        StallWatchdog watchdog = watchdogs.watchdog("quotes");
        return RouterFunctions.route()
                .GET("/quotes", req -> {
                    Flux<String> ids = Flux.fromArray(req.queryParam("ids").orElse("").split(","));
                    Flux<String> quotes = ids
                            .transform(valves.valve("quotes").gate())
                            .transform(rateLimiters.rateLimit("partner"))
                            .transform(watchdog.watch(f -> f.transform(
                                    breakers.breaker("partner").protect(WebApp::partner))));
                    return quotes.collectList()
                            .flatMap(q -> ServerResponse.ok().bodyValue(Map.of("quotes", q)))
                            .onErrorResume(CallNotPermittedException.class, e -> ServerResponse
                                    .status(HttpStatus.SERVICE_UNAVAILABLE).bodyValue(Map.of("error", e.getMessage())))
                            .onErrorResume(IllegalStateException.class, e -> ServerResponse
                                    .status(HttpStatus.BAD_GATEWAY).bodyValue(Map.of("error", e.getMessage())));
                })
                .build();
    }

    static String[] split(String s) {
        return Arrays.stream(s.split(",")).filter(x -> !x.isBlank()).toArray(String[]::new);
    }
}
