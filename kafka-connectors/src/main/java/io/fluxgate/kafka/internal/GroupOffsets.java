package io.fluxgate.kafka.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.fluxgate.kafka.KafkaSourceOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A source's group's committed offsets read through an admin client rather than through the group's own consumer.
 *
 * <p>Why: under the consumer group protocol (KIP-848) the consumer's {@code committed()} sends its member epoch,
 * and a fetch that an assignment change overtakes fails with {@code STALE_MEMBER_EPOCH}, which kafka-clients up to
 * at least 4.4.0 logs as an ERROR ("the consumer is not part of the group anymore") although the member is (fixed
 * upstream by KAFKA-20765, not in a release served here). An admin's fetch is no member's and has no epoch to go
 * stale. The client is created at the first read, from the source's properties that are admin settings (security,
 * timeouts), and closed by {@link #close()}. Thread-safe.
 */
public final class GroupOffsets implements AutoCloseable {

    private final KafkaSourceOptions<?, ?> options;
    private @Nullable Admin admin;
    private boolean closed;

    /** @param options the source whose group's offsets are read */
    public GroupOffsets(KafkaSourceOptions<?, ?> options) {
        this.options = options;
    }

    /** The admin client's settings: the source's properties an admin client knows, and the source's servers. */
    static Map<String, Object> adminProperties(KafkaSourceOptions<?, ?> options) {
        Set<String> known = AdminClientConfig.configNames();
        Map<String, Object> props = new HashMap<>();
        options.properties().forEach((k, v) -> {
            if (known.contains(k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, options.groupId() + "-offsets");
        return props;
    }

    /**
     * The group's committed offsets of {@code partitions} (a partition without a commit is absent).
     *
     * @throws IllegalStateException (in the Mono) once closed
     */
    public Mono<Map<TopicPartition, Long>> committed(Set<TopicPartition> partitions) {
        return Mono.defer(() -> {
            Admin a = admin();
            ListConsumerGroupOffsetsSpec spec = new ListConsumerGroupOffsetsSpec().topicPartitions(partitions);
            return Mono.fromCompletionStage(a.listConsumerGroupOffsets(Map.of(options.groupId(), spec),
                            new ListConsumerGroupOffsetsOptions())
                    .partitionsToOffsetAndMetadata(options.groupId()).toCompletionStage());
        }).map(GroupOffsets::offsets);
    }

    private static Map<TopicPartition, Long> offsets(Map<TopicPartition, OffsetAndMetadata> committed) {
        Map<TopicPartition, Long> out = new HashMap<>();
        committed.forEach((tp, om) -> {
            if (om != null) {
                out.put(tp, om.offset());
            }
        });
        return out;
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (admin == null) {
            admin = Admin.create(adminProperties(options));
        }
        return admin;
    }

    /** Closes the admin client, if one was created, without waiting for a read in flight. */
    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(java.time.Duration.ZERO);
            admin = null;
        }
    }
}
