package io.fluxgate.kafka;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import io.fluxgate.internal.Checks;
import io.fluxgate.outcome.DeadLetterSink;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Immutable configuration of a {@link KafkaSource}. Build with {@link #builder(Deserializer, Deserializer)}; each
 * setter validates its argument and names the bad value.
 *
 * <p>Required: {@link Builder#bootstrapServers(String) bootstrap servers}, {@link Builder#groupId(String) group id}
 * and either {@link Builder#topics(String...) topics} or a {@link Builder#topicPattern(Pattern) pattern}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KafkaSourceOptions<K, V> {

    /**
     * Default number of acknowledged records after which offsets are committed before the interval is up (100,000).
     * At a steady rate the {@linkplain #DEFAULT_COMMIT_INTERVAL interval} is what bounds the records a restart reads
     * again (about one second's worth, where Kafka's own auto-commit allows five); the count only caps a burst. Each
     * commit is a round trip the group coordinator serves: committing every 1000 records cost ~0.1-0.4 CPU-s per
     * million records, about a tenth of what a plain consumer spends reading them.
     */
    public static final int DEFAULT_COMMIT_BATCH_SIZE = 100_000;
    /** Default longest time between commits of acknowledged offsets. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    /** Default poll timeout of the underlying consumer. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default position of a partition without committed offset. */
    public static final StartPosition DEFAULT_START_POSITION = StartPosition.EARLIEST;
    /** Default bound on dead letters handed to the sink and not yet stored. */
    public static final int DEFAULT_DEAD_LETTERS_IN_FLIGHT = 256;
    /** Default position where a subscription stops: never. */
    public static final StopPosition DEFAULT_STOP_POSITION = StopPosition.NEVER;
    /** Default name of the source, the prefix of its meter names (see {@link Builder#name(String)}). */
    public static final String DEFAULT_NAME = "fluxgate.kafka.source";

    private final String bootstrapServers;
    private final List<String> topics;
    private final @Nullable Pattern topicPattern;
    private final String groupId;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final StartPosition startPosition;
    private final StopPosition stopPosition;
    private final int deadLettersInFlight;
    private final int commitBatchSize;
    private final Duration commitInterval;
    private final Duration pollTimeout;
    private final Map<String, Object> properties;
    private final DeadLetterSink<? super RejectedRecord> deadLetters;
    private final @Nullable MeterRegistry registry;
    private final String name;

    private KafkaSourceOptions(Builder<K, V> b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topics = b.topics;
        this.topicPattern = b.topicPattern;
        this.groupId = b.groupId;
        this.keyDeserializer = b.keyDeserializer;
        this.valueDeserializer = b.valueDeserializer;
        this.startPosition = b.startPosition;
        this.stopPosition = b.stopPosition;
        this.deadLettersInFlight = b.deadLettersInFlight;
        this.commitBatchSize = b.commitBatchSize;
        this.commitInterval = b.commitInterval;
        this.pollTimeout = b.pollTimeout;
        this.properties = Map.copyOf(b.properties);
        this.deadLetters = b.deadLetters;
        this.registry = b.registry;
        this.name = b.name;
    }

    /**
     * A builder for records deserialized by the given deserializers (used as given: the consumer does not call
     * their {@code configure}).
     *
     * @param <K>               the key type
     * @param <V>               the value type
     * @param keyDeserializer   turns a record's key bytes into a key; what it throws rejects the record
     * @param valueDeserializer turns a record's value bytes into a value; what it throws rejects the record
     * @return a new builder with the defaults
     * @throws NullPointerException if a deserializer is null
     */
    public static <K, V> Builder<K, V> builder(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new Builder<>(keyDeserializer, valueDeserializer);
    }

    /**
     * The cluster to connect to.
     *
     * @return {@code host:port[,host:port...]}
     */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The subscribed topics.
     *
     * @return an unmodifiable list; empty when a pattern is used
     */
    public List<String> topics() {
        return topics;
    }

    /**
     * The subscription pattern.
     *
     * @return the pattern, or null when topics are listed
     */
    public @Nullable Pattern topicPattern() {
        return topicPattern;
    }

    /**
     * The consumer group whose committed offsets the source resumes from.
     *
     * @return the group id
     */
    public String groupId() {
        return groupId;
    }

    /**
     * The key deserializer, used as given.
     *
     * @return the key deserializer
     */
    public Deserializer<K> keyDeserializer() {
        return keyDeserializer;
    }

    /**
     * The value deserializer, used as given.
     *
     * @return the value deserializer
     */
    public Deserializer<V> valueDeserializer() {
        return valueDeserializer;
    }

    /**
     * Where a partition without committed offset starts.
     *
     * @return the start position; {@link #DEFAULT_START_POSITION} unless configured
     */
    public StartPosition startPosition() {
        return startPosition;
    }

    /**
     * Where a subscription stops.
     *
     * @return the stop position; {@link StopPosition#NEVER} unless configured
     */
    public StopPosition stopPosition() {
        return stopPosition;
    }

    /**
     * The most dead letters handed to the sink and not yet stored.
     *
     * @return the bound; {@link #DEFAULT_DEAD_LETTERS_IN_FLIGHT} unless configured
     */
    public int deadLettersInFlight() {
        return deadLettersInFlight;
    }

    /**
     * Acknowledgements that trigger a commit.
     *
     * @return the count; {@link #DEFAULT_COMMIT_BATCH_SIZE} unless configured
     */
    public int commitBatchSize() {
        return commitBatchSize;
    }

    /**
     * Longest time between commits of acknowledged offsets.
     *
     * @return the interval; {@link #DEFAULT_COMMIT_INTERVAL} unless configured
     */
    public Duration commitInterval() {
        return commitInterval;
    }

    /**
     * Poll timeout of the underlying consumer.
     *
     * @return the timeout; {@link #DEFAULT_POLL_TIMEOUT} unless configured
     */
    public Duration pollTimeout() {
        return pollTimeout;
    }

    /**
     * Consumer properties passed through as given (security, fetch sizes, ...).
     *
     * @return an unmodifiable map
     */
    public Map<String, Object> properties() {
        return properties;
    }

    /**
     * Where rejected records go.
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

    /** Consumer properties the consumer group protocol (KIP-848) leaves to the broker, and what replaces each. */
    private static final Map<String, String> CLASSIC_ONLY = Map.of(
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "the broker's group.consumer.session.timeout.ms",
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "the broker's group.consumer.heartbeat.interval.ms",
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, "group.remote.assignor (the broker's assignors)");

    private static void refuseClassicOnlyProperties(Map<String, Object> properties) {
        Object protocol = properties.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        if (protocol == null || !"consumer".equalsIgnoreCase(protocol.toString().trim())) {
            return;
        }
        for (Map.Entry<String, String> e : CLASSIC_ONLY.entrySet()) {
            if (properties.containsKey(e.getKey())) {
                throw new IllegalArgumentException(e.getKey() + "=" + properties.get(e.getKey())
                        + " is not supported with group.protocol=consumer (KIP-848); use " + e.getValue()
                        + ", or group.protocol=classic");
            }
        }
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
        private @Nullable Pattern topicPattern;
        private @Nullable String groupId;
        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        private StartPosition startPosition = DEFAULT_START_POSITION;
        private StopPosition stopPosition = DEFAULT_STOP_POSITION;
        private int deadLettersInFlight = DEFAULT_DEAD_LETTERS_IN_FLIGHT;
        private int commitBatchSize = DEFAULT_COMMIT_BATCH_SIZE;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
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
         *
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank
         */
        public Builder<K, V> bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Checks.notBlank("bootstrapServers", bootstrapServers);
            return this;
        }

        /**
         * Subscribes to these topics (replaces a pattern).
         *
         * @param topics at least one topic name, none blank
         * @return this builder
         *
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
            this.topicPattern = null;
            return this;
        }

        /**
         * Subscribes to every topic matching {@code pattern} (replaces topics).
         *
         * @param pattern matched against whole topic names
         * @return this builder
         * @throws NullPointerException if {@code pattern} is null
         */
        public Builder<K, V> topicPattern(Pattern pattern) {
            this.topicPattern = Objects.requireNonNull(pattern, "pattern");
            this.topics = List.of();
            return this;
        }

        /**
         * The consumer group: its committed offsets are where a restart resumes. Required.
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
         * Where to start in a partition without committed offset; default {@link StartPosition#EARLIEST}.
         *
         * @param startPosition the position
         * @return this builder
         * @throws NullPointerException if {@code startPosition} is null
         */
        public Builder<K, V> startPosition(StartPosition startPosition) {
            this.startPosition = Objects.requireNonNull(startPosition, "startPosition");
            return this;
        }

        /**
         * Where a subscription stops; default {@link StopPosition#NEVER} (follow the topics until cancelled).
         *
         * @param stopPosition the position
         * @return this builder
         * @throws NullPointerException if {@code stopPosition} is null
         */
        public Builder<K, V> stopPosition(StopPosition stopPosition) {
            this.stopPosition = Objects.requireNonNull(stopPosition, "stopPosition");
            return this;
        }

        /**
         * A bounded run: read to the end offsets found at the start and complete; the same as
         * {@code stopPosition(StopPosition.END_OFFSETS_AT_START)}.
         *
         * @return this builder
         */
        public Builder<K, V> untilEndOffsets() {
            return stopPosition(StopPosition.END_OFFSETS_AT_START);
        }

        /**
         * The most dead letters handed to the {@link #deadLetters(DeadLetterSink) sink} and not yet stored; default
         * 256. Letters are stored concurrently up to this bound (a batching sink such as
         * {@link DeadLetters#toTopic} gets many at once); past it, reading waits for a letter to be stored. A
         * rejected record's offset is acknowledged once its letter is stored, so no offset is committed past a
         * letter not yet stored.
         *
         * @param deadLettersInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code deadLettersInFlight < 1}
         */
        public Builder<K, V> deadLettersInFlight(int deadLettersInFlight) {
            this.deadLettersInFlight = Checks.atLeast("deadLettersInFlight", deadLettersInFlight, 1);
            return this;
        }

        /**
         * Commit after this many acknowledgements advanced a committed position, even before the commit interval is
         * up; default {@link #DEFAULT_COMMIT_BATCH_SIZE 100,000}.
         *
         * @param commitBatchSize at least 1; smaller commits more often, so a restart re-reads less
         * @return this builder
         * @throws IllegalArgumentException if {@code commitBatchSize < 1}
         */
        public Builder<K, V> commitBatchSize(int commitBatchSize) {
            this.commitBatchSize = Checks.atLeast("commitBatchSize", commitBatchSize, 1);
            return this;
        }

        /**
         * Commit acknowledged offsets at least this often; default 1 s.
         *
         * @param commitInterval positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder<K, V> commitInterval(Duration commitInterval) {
            this.commitInterval = Checks.requirePositive("commitInterval", commitInterval);
            return this;
        }

        /**
         * Poll timeout of the underlying consumer; default 100 ms.
         *
         * @param pollTimeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder<K, V> pollTimeout(Duration pollTimeout) {
            this.pollTimeout = Checks.requirePositive("pollTimeout", pollTimeout);
            return this;
        }

        /**
         * A consumer property passed through (e.g. {@code security.protocol}, {@code sasl.jaas.config},
         * {@code ssl.truststore.location}, {@code fetch.max.bytes}). {@code enable.auto.commit} is always false:
         * the source commits.
         *
         * <p>{@code max.poll.records} defaults to unlimited here (Kafka's default is 500): each poll takes all that
         * the consumer has fetched. The source polls on a thread of its own and pauses without demand, so the limit
         * does not bound processing time between polls; what it does with the Kafka 3.9 client is leave fetched
         * records behind in the consumer, and while a partition has records left behind the consumer fetches the
         * other partitions of its broker without it, one request at a time: with an idle partition among them, that
         * request waits at the broker for {@code fetch.max.wait.ms} (500 ms) before the busy partition can be
         * fetched again. Measured: 100,000 records of one partition next to an idle one took 82 s with the limit at
         * 500 and 0.5 s without it. Set it only knowing this; memory per poll is bounded by {@code fetch.max.bytes}
         * and {@code max.partition.fetch.bytes} either way.
         *
         * @param name  a Kafka consumer property name
         * @param value its value, as the Kafka client accepts it (a string or the typed value)
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder<K, V> property(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, () -> "value of " + name);
            properties.put(name, value);
            return this;
        }

        /**
         * The consumer group protocol: {@link GroupProtocol#CLASSIC} (Kafka's default up to 4.x clients) or
         * {@link GroupProtocol#CONSUMER}, the protocol of KIP-848 (brokers 4.0 and newer), where the broker assigns
         * partitions member by member and a rebalance no longer stops the whole group. Same as
         * {@code property("group.protocol", ...)}. Default: the client's own default.
         *
         * <p>Under {@code CONSUMER} the group's session timeout, heartbeat interval and assignor are the broker's
         * ({@code group.consumer.session.timeout.ms}, {@code group.consumer.heartbeat.interval.ms},
         * {@code group.remote.assignor} on the consumer): {@link #build()} refuses {@code session.timeout.ms},
         * {@code heartbeat.interval.ms} and {@code partition.assignment.strategy}, which the Kafka client would
         * refuse only when the source subscribes.
         *
         * @param protocol the group protocol
         * @return this builder
         * @throws NullPointerException if {@code protocol} is null
         */
        public Builder<K, V> groupProtocol(GroupProtocol protocol) {
            Objects.requireNonNull(protocol, "protocol");
            return property(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol.name().toLowerCase(Locale.ROOT));
        }

        /**
         * Several consumer properties; see {@link #property(String, Object)}.
         *
         * @param properties name to value, none null
         * @return this builder
         * @throws NullPointerException if the map, a name or a value is null
         */
        public Builder<K, V> properties(Map<String, ?> properties) {
            Objects.requireNonNull(properties, "properties").forEach(this::property);
            return this;
        }

        /**
         * Where records that cannot be deserialized go, as {@link RejectedRecord} letters of stage
         * {@link RejectedRecord#SOURCE_STAGE}, through {@link DeadLetterSink#acceptAsync}: a record's offset is
         * acknowledged only once its letter is stored. Default {@link DeadLetters#logging()}. The caller closes
         * the sink.
         *
         * @param sink stores the rejected records
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
         * @param name not blank; default {@value KafkaSourceOptions#DEFAULT_NAME}
         * @return this builder
         * @throws NullPointerException     if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder<K, V> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: Micrometer's {@code KafkaClientMetrics} for the consumer, counters
         * {@code <name>.records} (its rate is records/s) and {@code <name>.rejected}, and a gauge {@code <name>.lag}
         * (records behind the end of the assigned partitions), {@code <name>} being {@link #name(String)}. Default:
         * no registry, no meters.
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<K, V> meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the options.
         *
         * @return immutable options
         * @throws IllegalStateException    if bootstrap servers, group id or a subscription is missing
         * @throws IllegalArgumentException if {@code group.protocol=consumer} is combined with a property that
         *                                  protocol leaves to the broker
         */
        public KafkaSourceOptions<K, V> build() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("bootstrapServers is required");
            }
            if (groupId == null) {
                throw new IllegalStateException("groupId is required");
            }
            if (topics.isEmpty() && topicPattern == null) {
                throw new IllegalStateException("topics or topicPattern is required");
            }
            refuseClassicOnlyProperties(properties);
            if (deadLetters == null) {
                deadLetters = DeadLetters.logging();
            }
            return new KafkaSourceOptions<>(this);
        }
    }
}
