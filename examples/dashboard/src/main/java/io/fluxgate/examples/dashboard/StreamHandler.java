package io.fluxgate.examples.dashboard;

import java.time.Duration;

import io.fluxgate.heartbeat.Heartbeat;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /windows/stream}: Server-Sent Events, {@code event: window} with a
 * {@link WindowsPipeline.WindowView} for each closed window (the recent ones first), and {@code event: breaker} with
 * a {@link BreakerStatus.View} now and on each state change; a comment after {@code fluxgate.windows.keep-alive} of
 * silence keeps proxies from closing the connection. {@code GET /breaker}: the breaker now, as JSON.
 */
final class StreamHandler {

    static final String WINDOW_EVENT = "window";
    static final String BREAKER_EVENT = "breaker";

    private final WindowsPipeline windows;
    private final BreakerStatus breaker;
    private final Duration keepAlive;

    StreamHandler(WindowsPipeline windows, BreakerStatus breaker, Duration keepAlive) {
        this.windows = windows;
        this.breaker = breaker;
        this.keepAlive = keepAlive;
    }

    Mono<ServerResponse> windows(ServerRequest request) {
        Flux<ServerSentEvent<Object>> windowEvents = windows.closedWindows()
                .map(w -> ServerSentEvent.<Object>builder(w).event(WINDOW_EVENT).id(Long.toString(w.start())).build());
        Flux<ServerSentEvent<Object>> breakerEvents = breaker.changes()
                .map(b -> ServerSentEvent.<Object>builder(b).event(BREAKER_EVENT).build());
        Flux<ServerSentEvent<Object>> events = Flux.merge(breakerEvents, windowEvents)
                .transform(Heartbeat.every(keepAlive).inject(() -> ServerSentEvent.builder().comment("keep-alive").build()));
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .body(events, ServerSentEvent.class);
    }

    Mono<ServerResponse> breaker(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(breaker.view());
    }
}
