package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.json.FrameResult;
import io.fluxgate.kafka.json.RootFrameReader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A partition with nothing to read must not hold back the busy partition next to it. With Kafka's default
 * {@code max.poll.records} (500) the 3.9 consumer leaves fetched records of the busy partition behind after each
 * poll and meanwhile fetches the idle partition alone, a request the broker holds for {@code fetch.max.wait.ms}
 * before the busy partition can be fetched again. Here that wait is 5 s and the busy partition needs ~20 fetches,
 * so a source that kept the limit would take well over a minute; without it the whole input takes a few seconds.
 * The sources leave {@code max.poll.records} unlimited by default.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class IdlePartitionTest {

    private static final int FRAMES = 20_000;
    /** ~1 KB frames: 20 MB in the busy partition, 1 MB per fetch. */
    private static final String PAD = "x".repeat(1000);
    private static final Duration BROKER_WAIT = Duration.ofSeconds(5);
    private static final Duration WHOLE_INPUT = Duration.ofSeconds(40);

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
                        KafkaSourceOptions.builder(new ByteArrayDeserializer(), RootFrameReader.ofDefaults().deserializer())
                                .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(topic + "-windows")
                                .property("fetch.max.wait.ms", (int) BROKER_WAIT.toMillis())
                                .build(),
                        (KafkaRecord<byte[], FrameResult> r) -> r.value() instanceof FrameResult.Frame f ? f : null,
                        CrashChild.<KafkaRecord<byte[], FrameResult.Frame>>windows(KafkaRecord::value)
                                .partitionIdleTimeout(Duration.ofMillis(200)))
                .stopAtEnd(true)
                .sink(w -> w)
                .build()
                .run()
                .count()
                .block(WHOLE_INPUT);

        assertThat(windows).isEqualTo(FRAMES / 20 / 60 + 1);
    }

    @Test
    void kafkaSourceReadsTheBusyPartitionWithoutWaitingForTheIdleOne(EmbeddedKafka kafka) {
        Long read = KafkaSource.create(KafkaSourceOptions.builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .bootstrapServers(kafka.bootstrapServers()).topics(topic).groupId(topic + "-source")
                        .property("fetch.max.wait.ms", (int) BROKER_WAIT.toMillis())
                        .build())
                .receive()
                .doOnNext(KafkaRecord::ack)
                .take(FRAMES)
                .count()
                .block(WHOLE_INPUT);

        assertThat(read).isEqualTo(FRAMES);
    }
}
