package io.fluxgate.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

@ExtendWith(EmbeddedKafkaExtension.class)
class GroupOffsetsTest {

    private static KafkaSourceOptions<String, String> source(String servers, String group) {
        return KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers(servers).groupId(group).topics("t")
                .property("max.poll.records", 10)
                .property("request.timeout.ms", 7000)
                .property("security.protocol", "PLAINTEXT")
                .build();
    }

    @Test
    void theAdminGetsTheSourcesAdminSettingsOnly() {
        Map<String, Object> props = GroupOffsets.adminProperties(source("h:1", "g"));
        assertThat(props).containsEntry("bootstrap.servers", "h:1")
                .containsEntry("request.timeout.ms", 7000)
                .containsEntry("security.protocol", "PLAINTEXT")
                .containsEntry("client.id", "g-offsets")
                // a consumer setting would only be warned about as unknown
                .doesNotContainKey("max.poll.records");
    }

    @Test
    void readsTheGroupsCommitsOfTheGivenPartitions(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("group-offsets", 3);
        TopicPartition p0 = new TopicPartition("group-offsets", 0);
        TopicPartition p1 = new TopicPartition("group-offsets", 1);
        TopicPartition p2 = new TopicPartition("group-offsets", 2);
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets("go", Map.of(p0, new OffsetAndMetadata(0), p1, new OffsetAndMetadata(42)))
                    .all().get();
        }
        GroupOffsets offsets = new GroupOffsets(source(kafka.bootstrapServers(), "go"));
        try {
            StepVerifier.create(offsets.committed(Set.of(p0, p1, p2)))
                    // a partition without a commit is absent
                    .expectNext(Map.of(p0, 0L, p1, 42L))
                    .verifyComplete();
            StepVerifier.create(offsets.committed(Set.of(p1))).expectNext(Map.of(p1, 42L)).verifyComplete();
        } finally {
            offsets.close();
        }
        StepVerifier.create(offsets.committed(Set.of(p0)))
                .expectErrorMessage("closed")
                .verify(Duration.ofSeconds(5));
    }
}
