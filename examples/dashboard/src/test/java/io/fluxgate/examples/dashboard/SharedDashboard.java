package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one application context (and so the one embedded broker) the endpoint and browser tests share: every class
 * extending this has the same configuration, so Spring's test context cache starts it once.
 *
 * <p>Windows close fast here: one second of lateness and a heartbeat every 200 ms, so frames at the last seconds of a
 * minute close their window about two seconds after the last one. The tests share one windows pipeline, so each takes
 * its own minutes from {@link #freshWindowStart()}: an hour of event time after the previous test's, never late.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "fluxgate.windows.lateness=1s",
        "fluxgate.windows.idle-flush=200ms",
        "fluxgate.windows.keep-alive=1s",
        "fluxgate.events.max-body-size=64KB",
        "fluxgate.events.max-line-size=1KB",
        "fluxgate.events.max-errors=2",
        "fluxgate.kafka.group-id=dashboard-test",
        // Selenium warns that it has no DevTools binding for this Chromium; WebDriver itself needs none
        "logging.level.org.openqa.selenium=ERROR"
})
@AutoConfigureWebTestClient(timeout = "30s")
abstract class SharedDashboard {

    static final Duration WINDOW_WAIT = Duration.ofSeconds(30);
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicLong NEXT_START = new AtomicLong(1_800_000_000L);

    @Autowired
    WebTestClient client;

    @Autowired
    KafkaCluster kafka;

    @Autowired
    DashboardProperties props;

    /** A window start (epoch seconds) no earlier test has posted near. */
    static long freshWindowStart() {
        return NEXT_START.getAndAdd(3600);
    }

    /** NDJSON of one frame per uid, all at {@code ts}. */
    static String frames(long ts, String... uids) {
        return List.of(uids).stream().map(u -> "{\"uid\":\"" + u + "\",\"ts\":" + ts + "}")
                .collect(Collectors.joining("\n", "", "\n"));
    }

    WebTestClient.ResponseSpec post(String body) {
        return client.post().uri("/events").contentType(MediaType.parseMediaType("application/x-ndjson"))
                .bodyValue(body).exchange();
    }

    /** The SSE stream's events as (name, JSON data); comments (keep-alives) left out. */
    Flux<Map.Entry<String, JsonNode>> events() {
        return client.get().uri("/windows/stream").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody()
                .filter(e -> e.event() != null)
                .map(e -> Map.entry(e.event(), JSON.readTree(e.data())));
    }

    /** The window starting at {@code start}, from the stream (replayed or live), within {@link #WINDOW_WAIT}. */
    JsonNode awaitWindow(Flux<Map.Entry<String, JsonNode>> events, long start) {
        return events.filter(e -> e.getKey().equals(StreamHandler.WINDOW_EVENT))
                .map(Map.Entry::getValue)
                .filter(w -> w.get("start").asLong() == start)
                .blockFirst(WINDOW_WAIT);
    }

    /** Records in the frames topic (sum of the partitions' end offsets). */
    long topicSize() throws Exception {
        String topic = props.kafka().topic();
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset()).sum();
        }
    }
}
