package io.fluxgate.kafka.share;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fluxgate.internal.Checks;
import io.fluxgate.kafka.DeadLetters;
import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.outcome.DeadLetterSink;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

/**
 * Immutable configuration of a {@link KafkaShareSource}. Build with {@link #builder(Deserializer, Deserializer)};
 * each setter validates its argument and names the bad value.
 *
 * <p>Required: {@link Builder#bootstrapServers(String) bootstrap servers}, {@link Builder#groupId(String) share
 * group id} and {@link Builder#topics(String...) topics}. Where a new share group starts reading is a setting of
 * the group on the broker ({@code share.auto.offset.reset}, {@code latest} unless set with the Admin client's
 * {@code incrementalAlterConfigs} on the group), not of the consumer.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KafkaShareSourceOptions<K, V> {

    /** Default number of acknowledgements after which they are sent to the broker. */
    public static final int DEFAULT_COMMIT_BATCH_SIZE = 1000;
    /** Default longest time an acknowledgement waits before it is sent to the broker. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    /** Default poll timeout of the underlying share consumer. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default most records acquired per poll, and so held by one subscription at a time. */
    public static final int DEFAULT_MAX_POLL_RECORDS = 500;
    /** Default longest wait on close for the last acknowledgements and the group leave. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Default name of the source, the prefix of its meter names (see {@link Builder#name(String)}). */
    public static final String DEFAULT_NAME = "fluxgate.kafka.share";

    /** Consumer properties the source sets itself. */
    private static final Set<String> OWN = Set.of("bootstrap.servers", "group.id", "share.acknowledgement.mode",
            "max.poll.records", "key.deserializer", "value.deserializer");

    private final String bootstrapServers;
    private final List<String> topics;
    private final String groupId;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final int commitBatchSize;
    private final Duration commitInterval;
    private final Duration pollTimeout;
    private final int maxPollRecords;
    private final @Nullable Duration renewAfter;
    private final Duration closeTimeout;
    private final Map<String, Object> properties;
    private final DeadLetterSink<? super RejectedRecord> deadLetters;
    private final @Nullable MeterRegistry registry;
    private final String name;

    private KafkaShareSourceOptions(Builder<K, V> b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topics = b.topics;
        this.groupId = b.groupId;
        this.keyDeserializer = b.keyDeserializer;
        this.valueDeserializer = b.valueDeserializer;
        this.commitBatchSize = b.commitBatchSize;
        this.commitInterval = b.commitInterval;
        this.pollTimeout = b.pollTimeout;
        this.maxPollRecords = b.maxPollRecords;
        this.renewAfter = b.renewAfter;
        this.closeTimeout = b.closeTimeout;
        this.properties = Map.copyOf(b.properties);
        this.deadLetters = b.deadLetters == null ? DeadLetters.logging() : b.deadLetters;
        this.registry = b.registry;
        this.name = b.name;
    }

    /**
     * A builder with the defaults above.
     *
     * @param <K> key type
     * @param <V> value type
     * @param keyDeserializer turns key bytes into keys
     * @param valueDeserializer turns value bytes into values
     * @return a new builder
     * @throws NullPointerException if a deserializer is null
     */
    public static <K, V> Builder<K, V> builder(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new Builder<>(keyDeserializer, valueDeserializer);
    }

    /** {@return {@code host:port[,host:port...]} of the cluster} */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@return the topics the share group reads} */
    public List<String> topics() {
        return topics;
    }

    /** {@return the share group id} */
    public String groupId() {
        return groupId;
    }

    /** {@return the key deserializer} */
    public Deserializer<K> keyDeserializer() {
        return keyDeserializer;
    }

    /** {@return the value deserializer} */
    public Deserializer<V> valueDeserializer() {
        return valueDeserializer;
    }

    /**
     * Acknowledgements gathered before they are sent to the broker.
     *
     * @return the count; {@link #DEFAULT_COMMIT_BATCH_SIZE} unless configured
     */
    public int commitBatchSize() {
        return commitBatchSize;
    }

    /**
     * Longest time an acknowledgement waits before it is sent.
     *
     * @return the interval; {@link #DEFAULT_COMMIT_INTERVAL} unless configured
     */
    public Duration commitInterval() {
        return commitInterval;
    }

    /**
     * Poll timeout of the share consumer.
     *
     * @return the timeout; {@link #DEFAULT_POLL_TIMEOUT} unless configured
     */
    public Duration pollTimeout() {
        return pollTimeout;
    }

    /**
     * Most records acquired by one poll; one subscription holds at most this many records at a time.
     *
     * @return the count; {@link #DEFAULT_MAX_POLL_RECORDS} unless configured
     */
    public int maxPollRecords() {
        return maxPollRecords;
    }

    /**
     * How long a record is held (acquired and not acknowledged) before the source renews the locks of the records
     * it holds.
     *
     * @return the time, or null for half the acquisition lock duration the broker reports (the default)
     */
    public @Nullable Duration renewAfter() {
        return renewAfter;
    }

    /**
     * Longest wait on close for releases, the last acknowledgements and leaving the group.
     *
     * @return the timeout; {@link #DEFAULT_CLOSE_TIMEOUT} unless configured
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * Share consumer properties passed through as given (security, fetch sizes, ...).
     *
     * @return an unmodifiable map
     */
    public Map<String, Object> properties() {
        return properties;
    }

    /**
     * Where records the deserializers refuse go (they are rejected at the broker once stored there).
     *
     * @return the sink; {@link DeadLetters#logging()} unless configured
     */
    public DeadLetterSink<? super RejectedRecord> deadLetters() {
        return deadLetters;
    }

    /**
     * The registry meters are recorded in.
     *
     * @return the registry of {@link Builder#meterRegistry(MeterRegistry)}, or null for none
     */
    public @Nullable MeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * The name of the source: the prefix of its meter names.
     *
     * @return the name; {@link #DEFAULT_NAME} unless configured
     */
    public String name() {
        return name;
    }

    /**
     * Mutable builder; not thread-safe.
     *
     * @param <K> key type
     * @param <V> value type
     */
    public static final class Builder<K, V> {
        private @Nullable String bootstrapServers;
        private List<String> topics = List.of();
        private @Nullable String groupId;
        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        private int commitBatchSize = DEFAULT_COMMIT_BATCH_SIZE;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private int maxPollRecords = DEFAULT_MAX_POLL_RECORDS;
        private @Nullable Duration renewAfter;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private @Nullable DeadLetterSink<? super RejectedRecord> deadLetters;
        private @Nullable MeterRegistry registry;
        private String name = DEFAULT_NAME;

        private Builder(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
            this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
            this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        }

        /**
         * {@code host:port[,host:port...]} of the cluster. Required.
         *
         * @param bootstrapServers not blank
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank
         */
        public Builder<K, V> bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Checks.notBlank("bootstrapServers", bootstrapServers);
            return this;
        }

        /**
         * The topics to read. Required.
         *
         * @param topics at least one topic name, none blank
         * @return this builder
         * @throws NullPointerException     if the array or a topic is null
         * @throws IllegalArgumentException if no topic is given or one is blank
         */
        public Builder<K, V> topics(String... topics) {
            Objects.requireNonNull(topics, "topics");
            Checks.atLeast("number of topics", topics.length, 1);
            for (String t : topics) {
                Checks.notBlank("topic", t);
            }
            this.topics = List.of(topics);
            return this;
        }

        /**
         * The share group: its members divide the records among themselves, record by record. Required.
         *
         * @param groupId not blank
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank
         */
        public Builder<K, V> groupId(String groupId) {
            this.groupId = Checks.notBlank("groupId", groupId);
            return this;
        }

        /**
         * Send acknowledgements after this many; default 1000. A poll sends those gathered so far too.
         *
         * @param commitBatchSize at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code commitBatchSize < 1}
         */
        public Builder<K, V> commitBatchSize(int commitBatchSize) {
            this.commitBatchSize = Checks.atLeast("commitBatchSize", commitBatchSize, 1);
            return this;
        }

        /**
         * Send acknowledgements at least this often; default 1 s.
         *
         * @param commitInterval positive
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if not positive
         */
        public Builder<K, V> commitInterval(Duration commitInterval) {
            this.commitInterval = Checks.requirePositive("commitInterval", commitInterval);
            return this;
        }

        /**
         * Poll timeout of the share consumer; default 100 ms. Bounds how long a cancel waits for a poll in progress.
         *
         * @param pollTimeout positive
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if not positive
         */
        public Builder<K, V> pollTimeout(Duration pollTimeout) {
            this.pollTimeout = Checks.requirePositive("pollTimeout", pollTimeout);
            return this;
        }

        /**
         * Most records acquired per poll (Kafka's {@code max.poll.records}, with {@code share.acquire.mode}
         * {@code record_limit} unless set otherwise); default 500. A subscription polls again only once every record
         * of the last poll is acknowledged (Kafka's explicit acknowledgement mode), so this is also the most
         * records it holds, emitted or waiting for demand: smaller spreads records over more consumers of the group.
         *
         * @param maxPollRecords at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPollRecords < 1}
         */
        public Builder<K, V> maxPollRecords(int maxPollRecords) {
            this.maxPollRecords = Checks.atLeast("maxPollRecords", maxPollRecords, 1);
            return this;
        }

        /**
         * Renew the acquisition locks of the records held (emitted or waiting for demand, not yet acknowledged) once
         * the oldest has been held this long; default half the lock duration the broker reports
         * ({@code group.share.record.lock.duration.ms}, 30 s unless set). Must be well below that duration.
         *
         * @param renewAfter positive
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if not positive
         */
        public Builder<K, V> renewAfter(Duration renewAfter) {
            this.renewAfter = Checks.requirePositive("renewAfter", renewAfter);
            return this;
        }

        /**
         * Longest wait on close for releases, the last acknowledgements and leaving the group; default 10 s.
         *
         * @param closeTimeout not negative
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if negative
         */
        public Builder<K, V> closeTimeout(Duration closeTimeout) {
            this.closeTimeout = Checks.requireNonNegative("closeTimeout", closeTimeout);
            return this;
        }

        /**
         * A share consumer property passed through (security, fetch sizes, {@code client.id}, ...).
         *
         * @param name  the Kafka property name; not one the source sets itself ({@code bootstrap.servers},
         *              {@code group.id}, {@code share.acknowledgement.mode}, {@code max.poll.records},
         *              deserializers)
         * @param value its value
         * @return this builder
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if the source sets {@code name} itself
         */
        public Builder<K, V> property(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (OWN.contains(name)) {
                throw new IllegalArgumentException(name + " is set by the share source; use its own setter: " + name);
            }
            properties.put(name, value);
            return this;
        }

        /**
         * Where records the deserializers refuse go, as {@link RejectedRecord} letters with their raw bytes; the
         * record is rejected at the broker once its letter is stored, released if the sink fails. Default
         * {@link DeadLetters#logging()}.
         *
         * @param sink the sink
         * @return this builder
         * @throws NullPointerException if {@code sink} is null
         */
        public Builder<K, V> deadLetters(DeadLetterSink<? super RejectedRecord> sink) {
            this.deadLetters = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Names the source: the prefix of its meter names (see {@link #meterRegistry(MeterRegistry)}).
         *
         * @param name not blank; default {@value KafkaShareSourceOptions#DEFAULT_NAME}
         * @return this builder
         * @throws NullPointerException     if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder<K, V> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}, named with the prefix {@link #name(String)}; see
         * {@link KafkaShareSource} for the meters. Default: no registry, no meters.
         *
         * @param registry the registry
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<K, V> meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * The options.
         *
         * @return immutable options
         * @throws IllegalStateException if bootstrap servers, group id or topics are missing
         */
        public KafkaShareSourceOptions<K, V> build() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("bootstrapServers is required");
            }
            if (groupId == null) {
                throw new IllegalStateException("groupId is required");
            }
            if (topics.isEmpty()) {
                throw new IllegalStateException("topics are required");
            }
            return new KafkaShareSourceOptions<>(this);
        }
    }
}
