package io.fluxgate.examples.dashboard;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /events} against the real app and the embedded broker. */
class EventsEndpointTest extends SharedDashboard {

    @Test
    void goodFramesAreAcceptedWrittenAndCountedInTheirWindow() throws Exception {
        long start = freshWindowStart();
        long before = topicSize();

        // extra root fields and nested uid/ts are the main job's business: kept, and not mistaken for the frame's
        post("{\"uid\":\"u1\",\"ts\":" + (start + 58) + ",\"page\":\"/\",\"n\":{\"uid\":\"zz\",\"ts\":1}}\r\n"
                + "\n"
                + "{\"uid\":\"u2\",\"ts\":" + (start + 59) + "}\n"
                + "{\"ts\":" + (start + 59) + ",\"uid\":\"u1\"}")
                .expectStatus().isOk()
                .expectBody().json("{\"accepted\":3}");

        assertThat(topicSize() - before).isEqualTo(3);
        JsonNode window = awaitWindow(events(), start);
        assertThat(window.get("uniqueUsers").asLong()).isEqualTo(2);
        assertThat(window.get("events").asLong()).isEqualTo(3);
        assertThat(window.get("end").asLong()).isEqualTo(start + 60);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON               | {\"uid\":\"a\",\"ts\":1                 | invalid JSON",
            "missing uid            | {\"ts\":1700000000}                   | missing uid",
            "empty uid              | {\"uid\":\"\",\"ts\":1700000000}        | uid is empty",
            "float ts               | {\"uid\":\"a\",\"ts\":1700000000.5}     | ts is a float, not an integer",
            "string ts              | {\"uid\":\"a\",\"ts\":\"1700000000\"}   | ts is a string, not an integer",
            "boolean ts             | {\"uid\":\"a\",\"ts\":true}             | ts is a boolean, not an integer",
            "not an object          | [1,2]                                 | not a JSON object"
    })
    void aBadLineIsA400NamingItAndNothingIsWritten(String what, String bad, String reason) throws Exception {
        long before = topicSize();

        JsonNode body = JSON.readTree(post(frames(freshWindowStart() + 1, "good") + bad + "\n" + frames(1, "good2"))
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody(String.class).returnResult().getResponseBody());

        assertThat(body.get("line").asInt()).isEqualTo(2);
        assertThat(body.get("reason").asString()).contains(reason);
        assertThat(body.get("error").asString()).contains("line 2").contains("nothing was published");
        assertThat(body.get("invalidLines").asInt()).isEqualTo(1);
        assertThat(body.get("errors")).hasSize(1);
        // all or nothing: the good lines around it were not written either
        assertThat(topicSize()).isEqualTo(before);
    }

    @Test
    void everyBadLineIsCountedAndTheFirstOnesListed() {
        String body = "x\n" + frames(1, "a") + "{\"uid\":1,\"ts\":1}\n{}\n";

        post(body).expectStatus().isBadRequest().expectBody()
                .jsonPath("$.line").isEqualTo(1)
                .jsonPath("$.invalidLines").isEqualTo(3)
                .jsonPath("$.errors.length()").isEqualTo(2)      // fluxgate.events.max-errors=2
                .jsonPath("$.errors[1].line").isEqualTo(3)
                .jsonPath("$.errors[1].reason").isEqualTo("uid is an integer, not a string");
    }

    @Test
    void aBodyWithoutFramesIsA400() {
        post("\n  \n").expectStatus().isBadRequest().expectBody().jsonPath("$.error").value(
                (String e) -> assertThat(e).startsWith("no frames"));
        client.post().uri("/events").exchange().expectStatus().isBadRequest();
    }

    @Test
    void aBodyOverTheLimitIsA413() throws Exception {
        long before = topicSize();
        String frame = frames(1, "a");
        String body = frame.repeat(64 * 1024 / frame.length() + 1);      // just over 64 KB of valid frames
        assertThat(body.length()).isGreaterThan(64 * 1024);

        post(body).expectStatus().isEqualTo(413).expectBody()
                .jsonPath("$.limit").isEqualTo(64 * 1024)
                .jsonPath("$.error").value((String e) -> assertThat(e).contains("max-body-size"));

        // without a Content-Length (chunked), the limit holds while reading
        Flux<DataBuffer> chunks = Flux.range(0, 70).map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap(frames(1, "a").repeat(50).getBytes(StandardCharsets.UTF_8)));
        client.post().uri("/events").body(chunks, DataBuffer.class).exchange()
                .expectStatus().isEqualTo(413);
        assertThat(topicSize()).isEqualTo(before);
    }

    @Test
    void aLineOverTheLimitIsA413NamingIt() throws Exception {
        long before = topicSize();
        String longLine = "{\"uid\":\"a\",\"ts\":1,\"pad\":\"" + "p".repeat(1100) + "\"}";

        post(frames(1, "a", "b") + longLine + "\n").expectStatus().isEqualTo(413).expectBody()
                .jsonPath("$.line").isEqualTo(3)
                .jsonPath("$.limit").isEqualTo(1024)
                .jsonPath("$.error").value((String e) -> assertThat(e).contains("max-line-size"));
        assertThat(topicSize()).isEqualTo(before);
    }

    @Test
    void breakerIsClosedAndShown() {
        client.get().uri("/breaker").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.name").isEqualTo(DashboardConfiguration.BREAKER_NAME)
                .jsonPath("$.state").isEqualTo("CLOSED")
                .jsonPath("$.retryAfterSeconds").isEqualTo(0);
    }
}
