package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /windows/stream} against the real app and the embedded broker. */
class WindowStreamTest extends SharedDashboard {

    @Test
    void aConnectedClientSeesTheBreakerThenTheWindowClosedByTheIdleFlush() {
        long start = freshWindowStart();
        List<Map.Entry<String, JsonNode>> seen = new CopyOnWriteArrayList<>();
        Disposable subscription = events().subscribe(seen::add);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
            assertThat(seen.get(0).getKey()).isEqualTo(StreamHandler.BREAKER_EVENT);
            assertThat(seen.get(0).getValue().get("state").asString()).isEqualTo("CLOSED");

            // three users in the last seconds of the window: with 1 s of lateness, ~2 s of silence closes it
            post(frames(start + 57, "a", "b") + frames(start + 59, "c", "a")).expectStatus().isOk();

            await().atMost(WINDOW_WAIT).until(() -> seen.stream().anyMatch(e -> isWindow(e, start)));
            JsonNode w = seen.stream().filter(e -> isWindow(e, start)).findFirst().orElseThrow().getValue();
            assertThat(w.get("uniqueUsers").asLong()).isEqualTo(3);
            assertThat(w.get("events").asLong()).isEqualTo(4);
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void aNewClientGetsTheRecentWindowsFirst() {
        long first = freshWindowStart();
        long second = first + 60;
        // the second window's frame closes the first at once (event time moved past its end + lateness)
        post(frames(first + 30, "a", "b", "c") + frames(second + 59, "d")).expectStatus().isOk();
        awaitWindow(events(), second);

        // a client connecting now is replayed both, in order
        List<Long> starts = events().filter(e -> e.getKey().equals(StreamHandler.WINDOW_EVENT))
                .map(e -> e.getValue().get("start").asLong())
                .takeUntil(s -> s == second)
                .collectList().block(WINDOW_WAIT);
        assertThat(starts).containsSubsequence(first, second);
    }

    @Test
    void windowsAreClosedEvenWithoutAnyClient() {
        long start = freshWindowStart();
        post(frames(start + 59, "only")).expectStatus().isOk();
        long emitted = windowsEmitted();
        await().atMost(WINDOW_WAIT).until(() -> windowsEmitted() > emitted);

        assertThat(awaitWindow(events(), start).get("uniqueUsers").asLong()).isEqualTo(1);
    }

    @Test
    void aQuietStreamSendsKeepAliveComments() {
        // fluxgate.windows.keep-alive=1s here: the Heartbeat operator injects a comment after that much silence
        String comment = client.get().uri("/windows/stream").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody()
                .mapNotNull(ServerSentEvent::comment)
                .blockFirst(Duration.ofSeconds(10));

        assertThat(comment).isEqualTo("keep-alive");
    }

    private long windowsEmitted() {
        return (long) Double.parseDouble(client.get().uri("/actuator/prometheus").exchange()
                .expectBody(String.class).returnResult().getResponseBody().lines()
                .filter(l -> l.startsWith("fluxgate_window_windows_emitted_total"))
                .findFirst().orElseThrow().replaceAll(".* ", ""));
    }

    private static boolean isWindow(Map.Entry<String, JsonNode> e, long start) {
        return e.getKey().equals(StreamHandler.WINDOW_EVENT) && e.getValue().get("start").asLong() == start;
    }
}
