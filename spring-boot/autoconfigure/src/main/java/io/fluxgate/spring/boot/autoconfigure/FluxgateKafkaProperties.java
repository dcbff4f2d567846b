package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fluxgate.kafka.StartPosition;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Named Kafka sources, sinks and crash-safe window runs under {@code fluxgate.kafka}. The connection (bootstrap
 * servers, security, SSL, SASL), the client settings and the (de)serializers are Spring Boot's own
 * {@code spring.kafka.*} ({@code spring.kafka.consumer.*} for sources, {@code spring.kafka.producer.*} for sinks);
 * what is here is only what a Fluxgate connector adds, plus per-connector client properties that override Boot's.
 */
@ConfigurationProperties(FluxgateKafkaProperties.PREFIX)
public class FluxgateKafkaProperties extends SelfValidating {

    /** The properties' prefix. */
    public static final String PREFIX = "fluxgate.kafka";

    /** KafkaSources by name: topics and commit settings on top of spring.kafka.consumer.*. */
    private Map<String, Source> sources = new LinkedHashMap<>();

    /** KafkaSinks by name: topic and in-flight bound on top of spring.kafka.producer.*. */
    private Map<String, Sink> sinks = new LinkedHashMap<>();

    /** CrashSafeWindows runs by name, each over a source of fluxgate.kafka.sources. */
    private Map<String, Windows> crashSafeWindows = new LinkedHashMap<>();

    /** Creates empty properties. */
    public FluxgateKafkaProperties() {
    }

    /** @return the sources by name */
    public Map<String, Source> getSources() {
        return sources;
    }

    /** @param sources the sources by name */
    public void setSources(Map<String, Source> sources) {
        this.sources = sources;
    }

    /** @return the sinks by name */
    public Map<String, Sink> getSinks() {
        return sinks;
    }

    /** @param sinks the sinks by name */
    public void setSinks(Map<String, Sink> sinks) {
        this.sinks = sinks;
    }

    /** @return the crash-safe window runs by name */
    public Map<String, Windows> getCrashSafeWindows() {
        return crashSafeWindows;
    }

    /** @param crashSafeWindows the crash-safe window runs by name */
    public void setCrashSafeWindows(Map<String, Windows> crashSafeWindows) {
        this.crashSafeWindows = crashSafeWindows;
    }

    @Override
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        sources.forEach((name, s) -> {
            String p = PREFIX + ".sources." + name;
            if ((s.getTopics() == null || s.getTopics().isEmpty()) && s.getTopicPattern() == null) {
                problems.add(p + ".topics: required (or " + p + ".topic-pattern)");
            }
            positive(problems, p + ".commit-interval", s.getCommitInterval());
            positive(problems, p + ".poll-timeout", s.getPollTimeout());
            if (s.getCommitBatchSize() != null && s.getCommitBatchSize() < 1) {
                problems.add(p + ".commit-batch-size: must be >= 1, was " + s.getCommitBatchSize());
            }
        });
        sinks.forEach((name, s) -> {
            String p = PREFIX + ".sinks." + name;
            if (s.getTopic() == null || s.getTopic().isBlank()) {
                problems.add(p + ".topic: required");
            }
            if (s.getMaxInFlight() != null && s.getMaxInFlight() < 1) {
                problems.add(p + ".max-in-flight: must be >= 1, was " + s.getMaxInFlight());
            }
        });
        crashSafeWindows.forEach((name, w) -> {
            String p = PREFIX + ".crash-safe-windows." + name;
            if (w.getSource() == null || !sources.containsKey(w.getSource())) {
                problems.add(p + ".source: must name one of " + PREFIX + ".sources " + sources.keySet() + ", was "
                        + w.getSource());
            }
            positive(problems, p + ".commit-interval", w.getCommitInterval());
            if (w.getParseParallelism() != null && w.getParseParallelism() < 1) {
                problems.add(p + ".parse-parallelism: must be >= 1, was " + w.getParseParallelism());
            }
            if (w.getMaxDeadLettersInFlight() != null && w.getMaxDeadLettersInFlight() < 1) {
                problems.add(p + ".max-dead-letters-in-flight: must be >= 1, was " + w.getMaxDeadLettersInFlight());
            }
        });
        return problems;
    }

    private static void positive(List<String> problems, String property, @Nullable Duration d) {
        if (d != null && (d.isZero() || d.isNegative())) {
            problems.add(property + ": must be positive, was " + d);
        }
    }

    /** A KafkaSource: what it reads and how it commits; the consumer is spring.kafka.consumer.* plus properties. */
    public static class Source {

        /** Topics to subscribe to. */
        private @Nullable List<String> topics;

        /** A regular expression of topics to subscribe to, instead of topics. */
        private @Nullable String topicPattern;

        /** Consumer group; default spring.kafka.consumer.group-id. */
        private @Nullable String groupId;

        /** Where a partition without a committed offset starts (default EARLIEST). */
        private @Nullable StartPosition startPosition;

        /** Read up to the end offsets found at subscription and complete (a bounded run); default false. */
        private @Nullable Boolean untilEndOffsets;

        /** Longest time between commits of acknowledged offsets (default 1s). */
        private @Nullable Duration commitInterval;

        /** Acknowledged records after which offsets are committed before the commit interval is up (default 100000). */
        private @Nullable Integer commitBatchSize;

        /** Poll timeout of the consumer (default 100ms). */
        private @Nullable Duration pollTimeout;

        /** Consumer properties of this source only, over spring.kafka.consumer.* (e.g. max.poll.records). */
        private Map<String, String> properties = new LinkedHashMap<>();

        /** Creates a source with nothing set. */
        public Source() {
        }

        /** @return the topics, or null */
        public @Nullable List<String> getTopics() {
            return topics;
        }

        /** @param topics the topics */
        public void setTopics(@Nullable List<String> topics) {
            this.topics = topics;
        }

        /** @return the topic pattern, or null */
        public @Nullable String getTopicPattern() {
            return topicPattern;
        }

        /** @param topicPattern the topic pattern */
        public void setTopicPattern(@Nullable String topicPattern) {
            this.topicPattern = topicPattern;
        }

        /** @return the group id, or null for Boot's */
        public @Nullable String getGroupId() {
            return groupId;
        }

        /** @param groupId the group id */
        public void setGroupId(@Nullable String groupId) {
            this.groupId = groupId;
        }

        /** @return the start position, or null */
        public @Nullable StartPosition getStartPosition() {
            return startPosition;
        }

        /** @param startPosition the start position */
        public void setStartPosition(@Nullable StartPosition startPosition) {
            this.startPosition = startPosition;
        }

        /** @return whether the run is bounded, or null */
        public @Nullable Boolean getUntilEndOffsets() {
            return untilEndOffsets;
        }

        /** @param untilEndOffsets whether the run is bounded */
        public void setUntilEndOffsets(@Nullable Boolean untilEndOffsets) {
            this.untilEndOffsets = untilEndOffsets;
        }

        /** @return the commit interval, or null */
        public @Nullable Duration getCommitInterval() {
            return commitInterval;
        }

        /** @param commitInterval the commit interval */
        public void setCommitInterval(@Nullable Duration commitInterval) {
            this.commitInterval = commitInterval;
        }

        /** @return the commit batch size, or null */
        public @Nullable Integer getCommitBatchSize() {
            return commitBatchSize;
        }

        /** @param commitBatchSize the commit batch size */
        public void setCommitBatchSize(@Nullable Integer commitBatchSize) {
            this.commitBatchSize = commitBatchSize;
        }

        /** @return the poll timeout, or null */
        public @Nullable Duration getPollTimeout() {
            return pollTimeout;
        }

        /** @param pollTimeout the poll timeout */
        public void setPollTimeout(@Nullable Duration pollTimeout) {
            this.pollTimeout = pollTimeout;
        }

        /** @return this source's own consumer properties */
        public Map<String, String> getProperties() {
            return properties;
        }

        /** @param properties this source's own consumer properties */
        public void setProperties(Map<String, String> properties) {
            this.properties = properties;
        }
    }

    /** A KafkaSink: where it writes; the producer is spring.kafka.producer.* plus properties. */
    public static class Sink {

        /** The topic written to. */
        private @Nullable String topic;

        /** Records sent and not yet acknowledged, at most (default 256). */
        private @Nullable Integer maxInFlight;

        /** Producer properties of this sink only, over spring.kafka.producer.* (e.g. linger.ms). */
        private Map<String, String> properties = new LinkedHashMap<>();

        /** Creates a sink with nothing set. */
        public Sink() {
        }

        /** @return the topic, or null */
        public @Nullable String getTopic() {
            return topic;
        }

        /** @param topic the topic */
        public void setTopic(@Nullable String topic) {
            this.topic = topic;
        }

        /** @return the in-flight bound, or null */
        public @Nullable Integer getMaxInFlight() {
            return maxInFlight;
        }

        /** @param maxInFlight the in-flight bound */
        public void setMaxInFlight(@Nullable Integer maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        /** @return this sink's own producer properties */
        public Map<String, String> getProperties() {
            return properties;
        }

        /** @param properties this sink's own producer properties */
        public void setProperties(Map<String, String> properties) {
            this.properties = properties;
        }
    }

    /** A CrashSafeWindows run: its source and how it commits and parses. */
    public static class Windows {

        /** Name of the source under fluxgate.kafka.sources. */
        private @Nullable String source;

        /** Longest time between commits of checkpoints (default 1s). */
        private @Nullable Duration commitInterval;

        /** Threads parsing records next to the consumer's (default 1). */
        private @Nullable Integer parseParallelism;

        /** Count each input partition on its own (one window operator per partition); default false. */
        private @Nullable Boolean perPartition;

        /** Stop at the end offsets found at the start; default false. */
        private @Nullable Boolean stopAtEnd;

        /** Dead letters handed to the sink and not yet stored, at most (default 1024). */
        private @Nullable Integer maxDeadLettersInFlight;

        /** Creates a run with nothing set. */
        public Windows() {
        }

        /** @return the source's name, or null */
        public @Nullable String getSource() {
            return source;
        }

        /** @param source the source's name */
        public void setSource(@Nullable String source) {
            this.source = source;
        }

        /** @return the commit interval, or null */
        public @Nullable Duration getCommitInterval() {
            return commitInterval;
        }

        /** @param commitInterval the commit interval */
        public void setCommitInterval(@Nullable Duration commitInterval) {
            this.commitInterval = commitInterval;
        }

        /** @return the parse parallelism, or null */
        public @Nullable Integer getParseParallelism() {
            return parseParallelism;
        }

        /** @param parseParallelism the parse parallelism */
        public void setParseParallelism(@Nullable Integer parseParallelism) {
            this.parseParallelism = parseParallelism;
        }

        /** @return whether partitions are counted on their own, or null */
        public @Nullable Boolean getPerPartition() {
            return perPartition;
        }

        /** @param perPartition whether partitions are counted on their own */
        public void setPerPartition(@Nullable Boolean perPartition) {
            this.perPartition = perPartition;
        }

        /** @return whether the run stops at the end offsets, or null */
        public @Nullable Boolean getStopAtEnd() {
            return stopAtEnd;
        }

        /** @param stopAtEnd whether the run stops at the end offsets */
        public void setStopAtEnd(@Nullable Boolean stopAtEnd) {
            this.stopAtEnd = stopAtEnd;
        }

        /** @return the dead-letter bound, or null */
        public @Nullable Integer getMaxDeadLettersInFlight() {
            return maxDeadLettersInFlight;
        }

        /** @param maxDeadLettersInFlight the dead-letter bound */
        public void setMaxDeadLettersInFlight(@Nullable Integer maxDeadLettersInFlight) {
            this.maxDeadLettersInFlight = maxDeadLettersInFlight;
        }
    }
}
