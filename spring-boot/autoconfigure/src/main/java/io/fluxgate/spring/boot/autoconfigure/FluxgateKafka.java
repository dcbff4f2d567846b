package io.fluxgate.spring.boot.autoconfigure;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.fluxgate.kafka.CrashSafeWindows;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.window.UniqueUsers;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

/**
 * Fluxgate's Kafka connectors from Spring Boot's own Kafka settings: {@code spring.kafka.*} (bootstrap servers,
 * security, SSL, SASL, client id, the consumer's and producer's settings and (de)serializers) plus the
 * connector's own {@code fluxgate.kafka.sources.<name>}, {@code .sinks.<name>}, {@code .crash-safe-windows.<name>}
 * ({@link FluxgateKafkaProperties}). Every connector records its meters in the application's {@code MeterRegistry}.
 *
 * <pre>{@code
 * Flux<KafkaRecord<String, String>> orders = kafka.<String, String>source("orders").receive();
 * }</pre>
 */
public class FluxgateKafka {

    private final KafkaProperties kafka;
    private final FluxgateKafkaProperties properties;
    private final @Nullable MeterRegistry meterRegistry;

    /**
     * A factory over Boot's and Fluxgate's Kafka properties.
     *
     * @param kafka Boot's {@code spring.kafka.*}
     * @param properties {@code fluxgate.kafka.*}
     * @param meterRegistry where the connectors' meters go; null for none
     */
    public FluxgateKafka(KafkaProperties kafka, FluxgateKafkaProperties properties,
                         @Nullable MeterRegistry meterRegistry) {
        this.kafka = kafka;
        this.properties = properties;
        this.meterRegistry = meterRegistry;
    }

    /**
     * The consumer properties of source {@code name}: {@code spring.kafka.consumer.*} (with the common
     * {@code spring.kafka.*} ones), then the source's own {@code properties}.
     *
     * @param name a source under {@code fluxgate.kafka.sources}
     * @return a new mutable map
     * @throws IllegalArgumentException if there is no such source
     */
    public Map<String, Object> consumerProperties(String name) {
        Map<String, Object> p = new HashMap<>(kafka.buildConsumerProperties());
        p.putAll(source(name, "sources").getProperties());
        return p;
    }

    /**
     * The producer properties of sink {@code name}: {@code spring.kafka.producer.*} (with the common
     * {@code spring.kafka.*} ones), then the sink's own {@code properties}.
     *
     * @param name a sink under {@code fluxgate.kafka.sinks}
     * @return a new mutable map
     * @throws IllegalArgumentException if there is no such sink
     */
    public Map<String, Object> producerProperties(String name) {
        Map<String, Object> p = new HashMap<>(kafka.buildProducerProperties());
        p.putAll(sink(name).getProperties());
        return p;
    }

    /**
     * Options of source {@code name} with the deserializers of {@code spring.kafka.consumer.key-deserializer} and
     * {@code .value-deserializer} (Kafka's {@code StringDeserializer} unless set), for further settings (dead
     * letters, a stop position) before {@code build()}.
     *
     * @param name a source under {@code fluxgate.kafka.sources}
     * @param <K> the key type of the configured deserializer
     * @param <V> the value type of the configured deserializer
     * @return a builder with everything the properties say
     * @throws IllegalArgumentException if there is no such source
     */
    public <K, V> KafkaSourceOptions.Builder<K, V> sourceOptions(String name) {
        Map<String, Object> p = consumerProperties(name);
        Deserializer<K> k = instance(p.get(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG), Deserializer.class,
                "org.apache.kafka.common.serialization.StringDeserializer");
        Deserializer<V> v = instance(p.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG), Deserializer.class,
                "org.apache.kafka.common.serialization.StringDeserializer");
        k.configure(p, true);
        v.configure(p, false);
        return sourceOptions(name, k, v);
    }

    /**
     * Options of source {@code name} with the given deserializers.
     *
     * @param name a source under {@code fluxgate.kafka.sources}
     * @param keyDeserializer the key deserializer
     * @param valueDeserializer the value deserializer
     * @param <K> the key type
     * @param <V> the value type
     * @return a builder with everything the properties say
     * @throws IllegalArgumentException if there is no such source
     */
    public <K, V> KafkaSourceOptions.Builder<K, V> sourceOptions(String name, Deserializer<K> keyDeserializer,
                                                                 Deserializer<V> valueDeserializer) {
        FluxgateKafkaProperties.Source s = source(name, "sources");
        Map<String, Object> p = consumerProperties(name);
        KafkaSourceOptions.Builder<K, V> b = KafkaSourceOptions.builder(keyDeserializer, valueDeserializer);
        b.bootstrapServers(servers(p.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)));
        Object bootGroup = p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        String group = s.getGroupId() != null ? s.getGroupId() : bootGroup != null ? bootGroup.toString() : null;
        if (group == null) {
            throw new IllegalArgumentException(FluxgateKafkaProperties.PREFIX + ".sources." + name
                    + ".group-id: required (or spring.kafka.consumer.group-id)");
        }
        b.groupId(group);
        p.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        p.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        if (s.getTopics() != null && !s.getTopics().isEmpty()) {
            b.topics(s.getTopics().toArray(String[]::new));
        } else if (s.getTopicPattern() != null) {
            b.topicPattern(Pattern.compile(s.getTopicPattern()));
        }
        if (s.getStartPosition() != null) {
            b.startPosition(s.getStartPosition());
        }
        if (Boolean.TRUE.equals(s.getUntilEndOffsets())) {
            b.untilEndOffsets();
        }
        if (s.getCommitInterval() != null) {
            b.commitInterval(s.getCommitInterval());
        }
        if (s.getCommitBatchSize() != null) {
            b.commitBatchSize(s.getCommitBatchSize());
        }
        if (s.getPollTimeout() != null) {
            b.pollTimeout(s.getPollTimeout());
        }
        b.properties(p);
        if (meterRegistry != null) {
            b.meterRegistry(meterRegistry);
        }
        return b;
    }

    /**
     * Source {@code name} with the configured deserializers.
     *
     * @param name a source under {@code fluxgate.kafka.sources}
     * @param <K> the key type of the configured deserializer
     * @param <V> the value type of the configured deserializer
     * @return a new source; each {@code receive()} subscription is one consumer
     * @throws IllegalArgumentException if there is no such source
     */
    public <K, V> KafkaSource<K, V> source(String name) {
        return KafkaSource.create(this.<K, V>sourceOptions(name).build());
    }

    /**
     * A sink builder for sink {@code name}: topic, in-flight bound, producer properties and meters set, the
     * serializers of {@code spring.kafka.producer.key-serializer} and {@code .value-serializer} (Kafka's
     * {@code StringSerializer} unless set).
     *
     * @param name a sink under {@code fluxgate.kafka.sinks}
     * @param keyOf the record key of an element
     * @param valueOf the record value of an element
     * @param <T> the element type
     * @param <K> the key type of the configured serializer
     * @param <V> the value type of the configured serializer
     * @return a builder; {@code build()} makes the sink
     * @throws IllegalArgumentException if there is no such sink
     */
    public <T, K, V> KafkaSink.Builder<T, K, V> sink(String name, Function<T, K> keyOf, Function<T, V> valueOf) {
        Map<String, Object> p = producerProperties(name);
        Serializer<K> k = instance(p.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG), Serializer.class,
                "org.apache.kafka.common.serialization.StringSerializer");
        Serializer<V> v = instance(p.get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG), Serializer.class,
                "org.apache.kafka.common.serialization.StringSerializer");
        k.configure(p, true);
        v.configure(p, false);
        return sink(name, keyOf, k, valueOf, v);
    }

    /**
     * A sink builder for sink {@code name} with the given serializers.
     *
     * @param name a sink under {@code fluxgate.kafka.sinks}
     * @param keyOf the record key of an element
     * @param keySerializer the key serializer
     * @param valueOf the record value of an element
     * @param valueSerializer the value serializer
     * @param <T> the element type
     * @param <K> the key type
     * @param <V> the value type
     * @return a builder; {@code build()} makes the sink
     * @throws IllegalArgumentException if there is no such sink
     */
    public <T, K, V> KafkaSink.Builder<T, K, V> sink(String name, Function<T, K> keyOf, Serializer<K> keySerializer,
                                                     Function<T, V> valueOf, Serializer<V> valueSerializer) {
        FluxgateKafkaProperties.Sink s = sink(name);
        Map<String, Object> p = producerProperties(name);
        KafkaSink.Builder<T, K, V> b = KafkaSink.builder(keyOf, keySerializer, valueOf, valueSerializer)
                .bootstrapServers(servers(p.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)))
                .topic(java.util.Objects.requireNonNull(s.getTopic(), "topic"));
        p.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        p.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        p.forEach(b::property);
        if (s.getMaxInFlight() != null) {
            b.maxInFlight(s.getMaxInFlight());
        }
        if (meterRegistry != null) {
            b.meterRegistry(meterRegistry);
        }
        return b;
    }

    /**
     * A {@link CrashSafeWindows} builder for run {@code name}: its source's options with the configured
     * deserializers, and the run's commit, parse and stop settings. A sink is still required.
     *
     * @param name a run under {@code fluxgate.kafka.crash-safe-windows}
     * @param parse turns a record into the value the window operator reads, or null to skip it
     * @param windows a new window operator configuration per call (e.g. {@code () -> UniqueUsers.perWindow(...)...}),
     *     given to {@link CrashSafeWindows#tracking(Supplier)}
     * @param <K> the key type of the configured deserializer
     * @param <V> the value type of the configured deserializer
     * @param <T> the parsed value type
     * @return a builder
     * @throws IllegalArgumentException if there is no such run
     */
    public <K, V, T> CrashSafeWindows.Builder<K, V, T> crashSafeWindows(
            String name, Function<? super KafkaRecord<K, V>, ? extends @Nullable T> parse,
            Supplier<UniqueUsers.Builder<KafkaRecord<K, T>>> windows) {
        FluxgateKafkaProperties.Windows w = properties.getCrashSafeWindows().get(name);
        if (w == null) {
            throw new IllegalArgumentException("no " + FluxgateKafkaProperties.PREFIX + ".crash-safe-windows." + name
                    + " (runs: " + properties.getCrashSafeWindows().keySet() + ")");
        }
        KafkaSourceOptions<K, V> source = this.<K, V>sourceOptions(java.util.Objects.requireNonNull(w.getSource(),
                "source")).build();
        CrashSafeWindows.Builder<K, V, T> b = CrashSafeWindows.builder(source, parse,
                CrashSafeWindows.tracking(windows));
        if (w.getCommitInterval() != null) {
            b.commitInterval(w.getCommitInterval());
        }
        if (w.getParseParallelism() != null) {
            b.parseParallelism(w.getParseParallelism());
        }
        if (w.getPerPartition() != null) {
            b.perPartition(w.getPerPartition());
        }
        if (w.getStopAtEnd() != null) {
            b.stopAtEnd(w.getStopAtEnd());
        }
        if (w.getMaxDeadLettersInFlight() != null) {
            b.maxDeadLettersInFlight(w.getMaxDeadLettersInFlight());
        }
        return b;
    }

    private FluxgateKafkaProperties.Source source(String name, String kind) {
        FluxgateKafkaProperties.Source s = properties.getSources().get(name);
        if (s == null) {
            throw new IllegalArgumentException("no " + FluxgateKafkaProperties.PREFIX + "." + kind + "." + name
                    + " (sources: " + properties.getSources().keySet() + ")");
        }
        return s;
    }

    private FluxgateKafkaProperties.Sink sink(String name) {
        FluxgateKafkaProperties.Sink s = properties.getSinks().get(name);
        if (s == null) {
            throw new IllegalArgumentException("no " + FluxgateKafkaProperties.PREFIX + ".sinks." + name
                    + " (sinks: " + properties.getSinks().keySet() + ")");
        }
        return s;
    }

    private static String servers(@Nullable Object value) {
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(Object::toString).toList());
        }
        if (value == null) {
            throw new IllegalArgumentException("spring.kafka.bootstrap-servers is not set");
        }
        return value.toString();
    }

    @SuppressWarnings("unchecked")
    private static <X> X instance(@Nullable Object configured, Class<?> type, String fallback) {
        try {
            Object c = configured != null ? configured : fallback;
            Class<?> cls = c instanceof Class<?> k ? k : Class.forName(c.toString(), true,
                    FluxgateKafka.class.getClassLoader());
            return (X) type.cast(Utils.newInstance(cls));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no " + type.getSimpleName() + " class " + configured, e);
        }
    }
}
