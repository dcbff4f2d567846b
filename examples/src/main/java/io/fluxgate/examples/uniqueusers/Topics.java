package io.fluxgate.examples.uniqueusers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The topic housekeeping the app does around its pipeline: create missing topics, read offsets. */
final class Topics implements AutoCloseable {

    private static final String LOADED = "fluxgate-load-complete";
    private static final String LOAD_STARTED = "fluxgate-load-started:";

    private final Admin admin;
    /** The topics of the cluster, listed once by the first {@link #ensure}, plus those created since. */
    private Set<String> known;

    Topics(String bootstrapServers) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        this.admin = Admin.create(p);
    }

    /** Creates each topic that does not exist yet with the given partition count. */
    void ensure(List<String> topics, int partitions) {
        ensure(topics, partitions, Map.of(), true);
    }

    /**
     * Creates the partials topic of a scaled-out run when missing: one partition, so that the combiner reads each
     * input partition's partials in the order they were written, and compacted, so that it keeps the last partial per
     * window and partition.
     *
     * @throws IllegalStateException if it exists with more than one partition
     */
    void ensurePartials(String topic) {
        ensure(List.of(topic), 1, Map.of("cleanup.policy", "compact"), true);
        int partitions = endOffsets(topic).size();
        if (partitions != 1) {
            throw new IllegalStateException("topic " + topic + " has " + partitions + " partitions; the partial counts"
                    + " need exactly one (the combiner relies on their order): delete it or use another --output-topic");
        }
    }

    /**
     * Creates the output topic when missing, compacted: results are keyed by window, the last write per window is
     * the result, so the repeats a restart (or each combiner) writes are compacted away instead of kept forever.
     *
     * @return the cleanup policy of an existing topic that is not compacted (to warn about), else {@code null}
     */
    String ensureCompacted(String topic, int partitions) {
        // Only producers write to it, and a producer waits for a new topic's leaders itself: no need to wait here, on
        // the way to the pipeline's start.
        if (ensure(List.of(topic), partitions, Map.of("cleanup.policy", "compact"), false).contains(topic)) {
            return null; // created here, compacted
        }
        String policy = cleanupPolicy(topic);
        return policy.contains("compact") ? null : policy;
    }

    /** The topic's {@code cleanup.policy} ({@code delete}, {@code compact} or {@code compact,delete}). */
    String cleanupPolicy(String topic) {
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        return call("read the configuration of " + topic, () -> admin.describeConfigs(List.of(resource)).all().get()
                .get(resource).get("cleanup.policy").value());
    }

    /**
     * Creates the missing ones of {@code topics} and, with {@code await}, waits for their leaders (needed before an
     * admin request such as listing offsets; a producer waits by itself); topics that exist cost nothing more
     * than the one listing this instance reads (a run over existing topics starts without further admin calls).
     *
     * @return the topics created here (none when another instance created one of them at the same time)
     */
    private Set<String> ensure(List<String> topics, int partitions, Map<String, String> configs, boolean await) {
        boolean[] raced = {false};
        List<String> create = call("create topics " + topics, () -> {
            if (known == null) {
                known = new java.util.HashSet<>(admin.listTopics().names().get());
            }
            List<String> missing = topics.stream().filter(t -> !known.contains(t)).toList();
            if (missing.isEmpty()) {
                return missing;
            }
            short replication = (short) Math.min(3, admin.describeCluster().nodes().get().size());
            List<NewTopic> requests = new ArrayList<>();
            for (String t : missing) {
                requests.add(new NewTopic(t, partitions, replication).configs(configs));
            }
            try {
                admin.createTopics(requests).all().get();
            } catch (ExecutionException e) {
                // another instance of the app created it first: what we wanted
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                raced[0] = true;
            }
            known.addAll(missing);
            return missing;
        });
        for (String t : await ? create : List.<String>of()) {
            awaitLeaders(t);
        }
        // after a race, which of them another instance made (with its own settings) is not known
        return raced[0] ? Set.of() : Set.copyOf(create);
    }

    /**
     * Waits until every partition of a new topic has a leader that answers: createTopics returns before that, and a
     * request in between fails with "This server does not host this topic-partition".
     */
    private void awaitLeaders(String topic) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                endOffsets(topic);
                return;
            } catch (IllegalStateException e) {
                boolean notYet = e.getCause() instanceof UnknownTopicOrPartitionException
                        || e.getCause() instanceof LeaderNotAvailableException
                        || e.getCause() instanceof NotLeaderOrFollowerException;
                if (!notYet || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
            }
        }
    }

    /** The end offset (the offset the next record will get) of every partition of a topic. */
    Map<TopicPartition, Long> endOffsets(String topic) {
        return offsets(topic, OffsetSpec.latest());
    }

    /** The first offset still held by every partition of a topic. */
    Map<TopicPartition, Long> startOffsets(String topic) {
        return offsets(topic, OffsetSpec.earliest());
    }

    /** The offsets a consumer group committed, by partition (absent: none). */
    Map<TopicPartition, Long> committed(String group) {
        Map<TopicPartition, OffsetAndMetadata> m = call("read the offsets of group " + group,
                () -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
        Map<TopicPartition, Long> out = new HashMap<>();
        m.forEach((tp, om) -> {
            if (om != null) {
                out.put(tp, om.offset());
            }
        });
        return out;
    }

    /**
     * Records in a topic: the sum over partitions of end offset minus start offset. One description of the topic, and
     * both offset requests in flight at once (on the way to the pipeline's start).
     */
    long size(String topic) {
        return call("read the offsets of " + topic, () -> {
            List<TopicPartition> partitions = partitions(topic);
            var start = admin.listOffsets(request(partitions, OffsetSpec.earliest())).all();
            var end = admin.listOffsets(request(partitions, OffsetSpec.latest())).all();
            Map<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo> first = start.get();
            long total = 0;
            for (var e : end.get().entrySet()) {
                total += e.getValue().offset() - first.get(e.getKey()).offset();
            }
            return total;
        });
    }

    private List<TopicPartition> partitions(String topic) throws InterruptedException, ExecutionException {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        return d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static Map<TopicPartition, OffsetSpec> request(List<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        return request;
    }

    /**
     * Records, before a load of {@code topic} begins, which input it is ({@code source}: a short fingerprint), as a
     * commit of the group {@code <topic>.loaded}. A later run finding records without the "loaded" mark carries the
     * load on only if this mark names the same input: records of anything else are never taken for a prefix of it.
     */
    void markLoadStarted(String topic, String source) {
        mark(topic, LOAD_STARTED + source, false);
    }

    /** The fingerprint given to {@link #markLoadStarted}, or null when there is none (or the load finished). */
    String loadStartedSource(String topic) {
        String metadata = loadMark(topic);
        return metadata != null && metadata.startsWith(LOAD_STARTED) ? metadata.substring(LOAD_STARTED.length()) : null;
    }

    /**
     * Records that a load of {@code topic} finished: a run that finds this mark reads the topic as it is and never
     * loads it again.
     */
    void markLoaded(String topic) {
        mark(topic, LOADED, true);
    }

    /** Whether {@link #markLoaded} was done for this topic. */
    boolean isLoaded(String topic) {
        return LOADED.equals(loadMark(topic));
    }

    private void mark(String topic, String metadata, boolean atEnd) {
        Map<TopicPartition, OffsetAndMetadata> marks = new HashMap<>();
        endOffsets(topic).forEach((tp, end) -> marks.put(tp, new OffsetAndMetadata(atEnd ? end : 0, metadata)));
        call("mark the load of " + topic, () -> admin.alterConsumerGroupOffsets(topic + ".loaded", marks).all().get());
    }

    /** The mark's metadata when every partition carries the same one, else null. */
    private String loadMark(String topic) {
        Map<TopicPartition, OffsetAndMetadata> marks = call("read the load mark of " + topic,
                () -> admin.listConsumerGroupOffsets(topic + ".loaded").partitionsToOffsetAndMetadata().get());
        String metadata = null;
        for (OffsetAndMetadata m : marks.values()) {
            if (m == null || (metadata != null && !metadata.equals(m.metadata()))) {
                return null;
            }
            metadata = m.metadata();
        }
        return metadata;
    }

    private Map<TopicPartition, Long> offsets(String topic, OffsetSpec spec) {
        return call("read the offsets of " + topic, () -> {
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(request(partitions(topic), spec)).all().get()
                    .forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        });
    }

    private interface AdminCall<R> {
        R call() throws InterruptedException, ExecutionException;
    }

    private static <R> R call(String what, AdminCall<R> call) {
        try {
            return call.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
