package io.fluxgate.compat.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.CrashSafeWindows;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.SendResult;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.spring.boot.autoconfigure.FluxgateKafka;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Flux;

/**
 * Fluxgate in a stock Boot 4.1 app, on the Kafka line Boot manages: the embedded broker of fluxgate-kafka-test, a
 * round trip through {@code KafkaSink} and {@code KafkaSource} from a Spring bean, and {@code CrashSafeWindows}
 * counting unique users per window over a topic and committing its progress.
 */
class KafkaPipelineTest extends CompatContext {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Autowired
    Readings readings;

    @Autowired
    FluxgateKafka kafka;

    @Test
    void theBrokerIsTheKafkaLineBootManages() {
        assertThat(EmbeddedKafka.brokerVersion()).startsWith("4.");
        assertThat(EmbeddedKafka.clientsVersion()).isEqualTo(EmbeddedKafka.brokerVersion());
    }

    @Test
    void roundTripThroughKafkaSinkAndKafkaSource() {
        KAFKA.createTopic("readings", 3);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            lines.add("sensor-" + (i % 100) + "=" + i);
        }
        List<SendResult<String>> sent = Flux.fromIterable(lines).transform(readings.writer("readings"))
                .collectList().block(TIMEOUT);
        assertThat(sent).hasSize(300).allMatch(SendResult::isSent);

        List<String> first = readings.firstPerSensor("readings", "readers").take(100).collectList().block(TIMEOUT);
        // keyed by sensor, so each sensor's readings are in one partition, in order: its first is i < 100
        assertThat(first).hasSize(100)
                .allSatisfy(line -> assertThat(Integer.parseInt(line.substring(line.indexOf('=') + 1))).isLessThan(100));
    }

    @Test
    void theStartersSinkAndSourceRunOnBootsKafkaProperties() {
        KAFKA.createTopic("alerts", 1);
        // fluxgate.kafka.sinks.alerts / sources.alerts (application.yml) over spring.kafka.bootstrap-servers and
        // spring.kafka.consumer.group-id, Kafka's String (de)serializers by Boot's defaults
        List<SendResult<String>> sent = Flux.just("disk=91", "cpu=99")
                .transform(kafka.<String, String, String>sink("alerts", a -> a.substring(0, a.indexOf('=')), a -> a).build())
                .collectList().block(TIMEOUT);
        assertThat(sent).hasSize(2).allMatch(SendResult::isSent);
        List<String> read = kafka.<String, String>source("alerts").receive()
                .doOnNext(KafkaRecord::ack).map(KafkaRecord::value).collectList().block(TIMEOUT);
        assertThat(read).containsExactly("disk=91", "cpu=99");
    }

    @Test
    void crashSafeWindowsCountsUniqueUsersAndCommitsItsProgress() throws Exception {
        // one partition: the event-time order of the input is the order read, so no visit is late
        KAFKA.createTopic("visits-in", 1);
        // two one-minute windows: users u0..u9 in the first, u5..u24 in the second
        List<String> visits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            visits.add("u" + i + "=" + (1_700_000_000L + i));
        }
        for (int i = 5; i < 25; i++) {
            visits.add("u" + i + "=" + (1_700_000_060L + i));
        }
        Flux.fromIterable(visits).transform(readings.writer("visits-in")).blockLast(TIMEOUT);

        Map<Long, Long> counts = new ConcurrentHashMap<>();
        KafkaSourceOptions<String, String> source = KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers(KAFKA.bootstrapServers()).topics("visits-in").groupId("windows").build();
        UniqueUsers.Builder<KafkaRecord<String, String>> windows = UniqueUsers.<KafkaRecord<String, String>>perWindow(Duration.ofMinutes(1))
                .userId(r -> r.value().substring(0, r.value().indexOf('=')))
                .eventTimeSeconds(r -> Long.parseLong(r.value().substring(r.value().indexOf('=') + 1)))
                .exact();
        long emitted = CrashSafeWindows.builder(source, (KafkaRecord<String, String> r) -> r.value(),
                        CrashSafeWindows.tracking(() -> windows))
                .stopAtEnd(true)
                .sink(w -> w.doOnNext((WindowCount c) -> counts.put(c.start(), c.uniqueUsers())))
                .build()
                .run()
                .count()
                .block(TIMEOUT);

        assertThat(emitted).isEqualTo(2);
        assertThat(counts).containsEntry(1_699_999_980L, 10L).containsEntry(1_700_000_040L, 20L);
        try (Admin admin = KAFKA.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("windows")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(visits.size());
        }
    }
}
