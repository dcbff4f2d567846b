package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.json.FrameDeserializer;
import io.fluxgate.window.frame.FrameResult;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A partition with nothing to read must not hold back the busy partition next to it. With Kafka's default
 * {@code max.poll.records} (500) the 3.9 consumer leaves fetched records of the busy partition behind after each
 * poll and meanwhile fetches the idle partition alone, a request the broker holds for {@code fetch.max.wait.ms}
 * before the busy partition can be fetched again. The sources leave {@code max.poll.records} unlimited by default.
 *
 * <p>These tests assert the outcome (every frame read, every window emitted), not a speed: the broker's wait is
 * made so long (25 s) that a source with the limit would stall for minutes on the ~10 fetches the busy partition
 * needs, which {@link #HANG_GUARD} turns into a failure, while a correct source reads everything in seconds. How
 * much the idle partition costs, as a ratio against a one-partition topic, is measured by
 * {@code benchmarks/.../kafka/IdlePartitionRun} (BENCHMARKS.md, "An idle partition next to a busy one").
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class IdlePartitionTest {

    private static final int FRAMES = 10_000;
    /** ~1 KB frames: 10 MB in the busy partition, 1 MB per fetch. */
    private static final String PAD = "x".repeat(1000);
    private static final Duration BROKER_WAIT = Duration.ofSeconds(25);
    /** A hang guard: a correct source needs seconds; a stalling one needs minutes. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);

    private static String topic;

    @BeforeAll
    static void busyAndIdlePartition(EmbeddedKafka kafka) {
        topic = KafkaTestSupport.unique("idle-partition");
        kafka.createTopic(topic, 2);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            records.add(new ProducerRecord<>(topic, 0, null,
                    "{\"uid\":\"u" + (i % 997) + "\",\"ts\":" + (1_700_000_000L + i / 20) + ",\"pad\":\"" + PAD + "\"}"));
        }
        KafkaTestSupport.produceRecords(kafka, records);
    }

    @Test
    void crashSafeWindowsReadTheBusyPartitionWithoutWaitingForTheIdleOne(EmbeddedKafka kafka) {
        Long windows = CrashSafeWindows.builder(
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), new FrameDeserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(topic + "-windows")
                                .property("fetch.max.wait.ms", (int) BROKER_WAIT.toMillis())
                                .property("request.timeout.ms", (int) BROKER_WAIT.multipliedBy(3).toMillis())
                                .build(),
                        (KafkaRecord<byte[], FrameResult> r) -> r.value() instanceof FrameResult.Frame f ? f : null,
                        CrashSafeWindows.tracking(() -> CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)
                                .partitionIdleTimeout(Duration.ofMillis(200))))
                .stopAtEnd(true)
                .sink(w -> w)
                .build()
                .run()
                .count()
                .block(HANG_GUARD);

        assertThat(windows).isEqualTo(FRAMES / 20 / 60 + 1);
    }

    @Test
    void kafkaSourceReadsTheBusyPartitionWithoutWaitingForTheIdleOne(EmbeddedKafka kafka) {
        Long read = KafkaSource.create(KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(topic + "-source")
                        .property("fetch.max.wait.ms", (int) BROKER_WAIT.toMillis())
                        .property("request.timeout.ms", (int) BROKER_WAIT.multipliedBy(3).toMillis())
                        .build())
                .receive()
                .doOnNext(KafkaRecord::ack)
                .take(FRAMES)
                .count()
                .block(HANG_GUARD);

        assertThat(read).isEqualTo(FRAMES);
    }
}
