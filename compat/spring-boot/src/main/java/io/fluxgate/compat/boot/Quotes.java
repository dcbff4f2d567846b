package io.fluxgate.compat.boot;

import java.util.Map;

import io.fluxgate.breaker.CallNotPermittedException;
import io.fluxgate.spring.boot.autoconfigure.FluxgateCircuitBreakers;
import io.fluxgate.spring.boot.autoconfigure.FluxgateRateLimiters;
import io.fluxgate.spring.boot.autoconfigure.FluxgateWatchdogs;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /quotes?ids=a,b}: each id's quote from a partner, through the rate limiter, the watchdog and the
 * per-element circuit breaker the starter builds from {@code application.yml}. The partner fails ids starting with
 * {@code x}: 502; while the breaker is open, 503.
 */
@Configuration(proxyBeanMethods = false)
public class Quotes {

    static Mono<String> partner(String id) {
        return id.startsWith("x") ? Mono.error(new IllegalStateException("partner failed for " + id))
                : Mono.just(id.toUpperCase());
    }

    @Bean
    RouterFunction<ServerResponse> quoteRoutes(FluxgateCircuitBreakers breakers, FluxgateRateLimiters rateLimiters,
                                               FluxgateWatchdogs watchdogs) {
        return RouterFunctions.route().GET("/quotes", req -> Flux.fromArray(req.queryParam("ids").orElse("").split(","))
                        .transform(rateLimiters.rateLimit("partner"))
                        .transform(watchdogs.watchdog("quotes").watch(ids -> ids
                                .transform(breakers.breaker("partner").protect(Quotes::partner))))
                        .collectList()
                        .flatMap(q -> ServerResponse.ok().bodyValue(Map.of("quotes", q)))
                        .onErrorResume(CallNotPermittedException.class,
                                e -> ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).bodyValue(Map.of("error", e.getMessage())))
                        .onErrorResume(IllegalStateException.class,
                                e -> ServerResponse.status(HttpStatus.BAD_GATEWAY).bodyValue(Map.of("error", e.getMessage()))))
                .build();
    }
}
