package io.fluxgate.kafka;

import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.kafka.spi.SinkEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Writes each element to Kafka and emits a {@link SendResult} carrying the element once the broker acknowledged
 * it. Results come in acknowledgement order: input order within a partition, interleaved across partitions. Apply
 * with {@code flux.transform(sink)}.
 *
 * <pre>{@code
 * KafkaSink<WindowCount> sink = KafkaSink.builder(w -> Long.toString(w.start()), new StringSerializer(),
 *                                                  w -> toJson(w), new StringSerializer())
 *         .bootstrapServers("localhost:9092").topic("unique-users")
 *         .errorPolicy(SinkErrorPolicy.retry(3, Duration.ofMillis(100)))
 *         .build();
 * counts.transform(sink).doOnNext(r -> ack(r.element())).subscribe();
 * }</pre>
 *
 * <ul>
 *   <li><b>Producer:</b> a thin wrapper of {@code KafkaProducer} (sends and results on a thread of the
 *       subscription, never on the producer's I/O thread); {@link #over(SinkEngine)} puts another engine behind the
 *       same API. One idempotent producer per subscription, {@code acks=all} by default (any producer
 *       property can be passed through), closed on completion, error or cancel.</li>
 *   <li><b>Backpressure:</b> at most {@link Builder#maxInFlight(int) maxInFlight} elements are sent and not yet
 *       acknowledged; upstream is requested accordingly.</li>
 *   <li><b>Errors:</b> per element, as the {@link SinkErrorPolicy} says: fail the stream with a
 *       {@link KafkaSinkException} naming the element (default), retry with back-off, or write it to a
 *       dead-letter topic and go on. A value larger than the producer's {@code max.request.size} or the broker's
 *       {@code message.max.bytes} (or the topic's {@code max.message.bytes}) fails with a message saying so; it is
 *       never retried. Kafka producer caveat: a value under {@code batch.size} but over the broker's limit, batched
 *       with other records, is split and re-sent by the producer until {@code delivery.timeout.ms} before it fails;
 *       keep {@code batch.size} at or below the broker's limit when values approach it.</li>
 *   <li><b>Cancel:</b> closes the producer; elements in flight may or may not have been written.</li>
 * </ul>
 *
 * @param <T> element type
 */
public final class KafkaSink<T> implements Function<Flux<T>, Flux<SendResult<T>>> {

    /** Default bound on elements sent and not yet acknowledged. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;

    private final SinkEngine<T> engine;

    private KafkaSink(SinkEngine<T> engine) {
        this.engine = engine;
    }

    /**
     * A sink over another producer engine (an adapter's, such as {@code fluxgate-kafka-reactor}'s); its producer
     * settings and error handling are then the engine's.
     *
     * @param <T>    the element type
     * @param engine sends the elements and reports one result per element
     * @return a sink delegating to {@code engine}
     * @throws NullPointerException if {@code engine} is null
     */
    public static <T> KafkaSink<T> over(SinkEngine<T> engine) {
        return new KafkaSink<>(Objects.requireNonNull(engine, "engine"));
    }

    /**
     * A builder for a sink writing {@code keyOf(element)} and {@code valueOf(element)} with the given serializers.
     *
     * @param <T>             the element type
     * @param <K>             the record key type
     * @param <V>             the record value type
     * @param keyOf           the record key of an element (it picks the partition, so equal keys keep their order)
     * @param keySerializer   turns a key into bytes
     * @param valueOf         the record value of an element
     * @param valueSerializer turns a value into bytes
     * @return a new builder with the defaults
     * @throws NullPointerException if an argument is null
     */
    public static <T, K, V> Builder<T, K, V> builder(Function<T, K> keyOf, Serializer<K> keySerializer,
                                                     Function<T, V> valueOf, Serializer<V> valueSerializer) {
        return new Builder<>(keyOf, keySerializer, valueOf, valueSerializer);
    }

    @Override
    public Flux<SendResult<T>> apply(Flux<T> elements) {
        return engine.send(elements);
    }

    /**
     * Mutable builder; not thread-safe.
     *
     * @param <T> the element type
     * @param <K> the record key type
     * @param <V> the record value type
     */
    public static final class Builder<T, K, V> {
        private final Function<T, K> keyOf;
        private final Serializer<K> keySerializer;
        private final Function<T, V> valueOf;
        private final Serializer<V> valueSerializer;
        private @Nullable String bootstrapServers;
        private @Nullable Function<T, String> topicOf;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private SinkErrorPolicy errorPolicy = SinkErrorPolicy.fail();
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private @Nullable MeterRegistry registry;

        private Builder(Function<T, K> keyOf, Serializer<K> keySerializer, Function<T, V> valueOf, Serializer<V> valueSerializer) {
            this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
            this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
            this.valueOf = Objects.requireNonNull(valueOf, "valueOf");
            this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
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
        public Builder<T, K, V> bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Checks.notBlank("bootstrapServers", bootstrapServers);
            return this;
        }

        /**
         * Every element goes to {@code topic}. A topic is required: this or {@link #topic(Function)}.
         *
         * @param topic not blank
         * @return this builder
         *
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank
         */
        public Builder<T, K, V> topic(String topic) {
            Checks.notBlank("topic", topic);
            this.topicOf = t -> topic;
            return this;
        }

        /**
         * Each element goes to the topic {@code topicOf} gives (replaces a fixed topic).
         *
         * @param topicOf the topic of an element
         * @return this builder
         * @throws NullPointerException if {@code topicOf} is null
         */
        public Builder<T, K, V> topic(Function<T, String> topicOf) {
            this.topicOf = Objects.requireNonNull(topicOf, "topicOf");
            return this;
        }

        /**
         * Bound on elements sent and not yet acknowledged; default 256.
         *
         * @param maxInFlight at least 1; past it, no more elements are requested until one is acknowledged
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public Builder<T, K, V> maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * What to do with an element that could not be written; default {@link SinkErrorPolicy#fail()}.
         *
         * @param policy fail, retry, or write the element to a dead-letter topic
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder<T, K, V> errorPolicy(SinkErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * A producer property passed through (security, {@code linger.ms}, {@code compression.type}, ...).
         *
         * @param name  a Kafka producer property name
         * @param value its value, as the Kafka client accepts it (a string or the typed value)
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder<T, K, V> property(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, () -> "value of " + name);
            properties.put(name, value);
            return this;
        }

        /**
         * Records meters in {@code registry}: Micrometer's {@code KafkaClientMetrics}, bound to each producer
         * (their names are Kafka's, so there is no prefix to choose). Default: no registry, no meters.
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T, K, V> meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds the sink from a copy of this builder's settings, so later changes to the builder do not affect it.
         *
         * @return a sink, reusable across subscriptions
         * @throws IllegalStateException if bootstrap servers or topic is missing
         */
        public KafkaSink<T> build() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("bootstrapServers is required");
            }
            if (topicOf == null) {
                throw new IllegalStateException("topic is required");
            }
            Builder<T, K, V> copy = new Builder<>(keyOf, keySerializer, valueOf, valueSerializer);
            copy.bootstrapServers = bootstrapServers;
            copy.topicOf = topicOf;
            copy.maxInFlight = maxInFlight;
            copy.errorPolicy = errorPolicy;
            copy.properties.putAll(properties);
            copy.registry = registry;
            return new KafkaSink<>(copy::write);
        }

        private Map<String, Object> producerProperties() {
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.putAll(properties);
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            return props;
        }

        Flux<SendResult<T>> write(Flux<T> elements) {
            return Flux.using(Sending::new,
                    sending -> Flux.defer(() -> {
                        SendingSubscriber sends = new SendingSubscriber(sending);
                        return Flux.<Attempt<T>>create(out -> {
                                    sends.out = out;
                                    out.onDispose(sends::dispose);
                                    // elements arrive on a thread of the sink: never on the producer's I/O thread,
                                    // where a send that waits (metadata of a new topic, a full buffer) would wait
                                    // for itself
                                    elements.publishOn(sending.thread, maxInFlight).subscribe(sends);
                                }, FluxSink.OverflowStrategy.BUFFER)
                                .publishOn(sending.thread, maxInFlight)
                                // the next element is sent once a result is taken: results never pile up here
                                .doOnNext(a -> sends.request(1))
                                // one at a time, in acknowledgement order: a retry holds back later results
                                .concatMap(a -> a.error() == null ? Mono.just(sent(a.element(), a.metadata()))
                                        : onFailure(sending, a.element(), a.error()));
                    }),
                    // completion arrives on the producer's I/O thread, where close() cannot wait for it
                    sending -> Schedulers.boundedElastic().schedule(sending::close));
        }

        /**
         * Sends each element as it comes (at most {@code maxInFlight} requested and not yet answered) and passes each
         * answer on in the order the producer gives them: per partition, the order of the sends.
         */
        private final class SendingSubscriber extends BaseSubscriber<T> {
            private final Sending sending;
            private final AtomicInteger inFlight = new AtomicInteger();
            private volatile boolean upstreamDone;
            volatile FluxSink<Attempt<T>> out;

            SendingSubscriber(Sending sending) {
                this.sending = sending;
            }

            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(maxInFlight);
            }

            @Override
            protected void hookOnNext(T t) {
                ProducerRecord<K, V> record = record(t);
                inFlight.incrementAndGet();
                sending.send(record, t, this::answered);
            }

            private void answered(Attempt<T> a) {
                out.next(a);
                if (inFlight.decrementAndGet() == 0 && upstreamDone) {
                    out.complete();
                }
            }

            @Override
            protected void hookOnComplete() {
                upstreamDone = true;
                if (inFlight.get() == 0) {
                    out.complete();
                }
            }

            @Override
            protected void hookOnError(Throwable e) {
                out.error(e);
            }
        }

        /** The outcome of one send: the element (the caller's correlation value) with its metadata or error. */
        private record Attempt<T>(T element, RecordMetadata metadata, Exception error) {
        }

        /** One subscription's producer, and its meters. */
        private final class Sending {
            final KafkaProducer<K, V> producer = new KafkaProducer<>(producerProperties(), keySerializer, valueSerializer);
            final KafkaClientMetrics metrics;
            final Scheduler thread = Schedulers.newSingle("fluxgate-kafka-sink", true);

            Sending() {
                if (registry != null) {
                    metrics = new KafkaClientMetrics(producer);
                    metrics.bindTo(registry);
                } else {
                    metrics = null;
                }
            }

            /** Sends one record; {@code answer} gets the outcome when the broker acknowledged or refused it. */
            void send(ProducerRecord<K, V> record, T t, java.util.function.Consumer<Attempt<T>> answer) {
                try {
                    producer.send(record, (md, e) -> answer.accept(new Attempt<>(t, md, e)));
                } catch (RuntimeException e) {
                    // serialization, a closed producer, a full buffer past max.block.ms
                    answer.accept(new Attempt<>(t, null, e));
                }
            }

            Mono<Attempt<T>> send(ProducerRecord<K, V> record, T t) {
                return Mono.create(sink -> send(record, t, sink::success));
            }

            void close() {
                try {
                    producer.close();
                } finally {
                    thread.dispose();
                    if (metrics != null) {
                        metrics.close();
                    }
                }
            }
        }

        private ProducerRecord<K, V> record(T t) {
            try {
                return new ProducerRecord<>(topicOf.apply(t), keyOf.apply(t), valueOf.apply(t));
            } catch (RuntimeException e) {
                throw new KafkaSinkException("cannot map element to a Kafka record: " + e, t, e);
            }
        }

        private SendResult<T> sent(T t, RecordMetadata md) {
            return new SendResult<>(t, SendResult.Outcome.SENT, md.topic(), md.partition(), md.offset(), null);
        }

        private Mono<SendResult<T>> onFailure(Sending sending, T t, Exception first) {
            Mono<SendResult<T>> attempts = Mono.error(first);
            if (errorPolicy.retries() > 0 && retriable(first)) {
                attempts = sendOne(sending, record(t), t)
                        .map(md -> sent(t, md))
                        .retryWhen(Retry.backoff(errorPolicy.retries() - 1L, errorPolicy.backoff())
                                .filter(Builder::retriable)
                                .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                        .delaySubscription(errorPolicy.backoff());
            }
            return attempts.onErrorResume(e -> {
                String topic = topicOf.apply(t);
                String reason = describe(topic, e);
                if (errorPolicy.deadLetterTopic() == null) {
                    return Mono.error(new KafkaSinkException(reason, t, e));
                }
                ProducerRecord<K, V> original = record(t);
                RecordHeaders headers = new RecordHeaders();
                headers.add(DeadLetters.HEADER_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
                headers.add(DeadLetters.HEADER_REASON, reason.getBytes(StandardCharsets.UTF_8));
                ProducerRecord<K, V> dlq = new ProducerRecord<>(errorPolicy.deadLetterTopic(), null, original.key(),
                        original.value(), headers);
                return sendOne(sending, dlq, t)
                        .map(md -> new SendResult<>(t, SendResult.Outcome.DEAD_LETTERED, md.topic(), md.partition(), md.offset(), e))
                        .onErrorMap(dlqError -> new KafkaSinkException(reason + "; and writing it to dead-letter topic "
                                + errorPolicy.deadLetterTopic() + " failed too: " + dlqError, t, e));
            });
        }

        private Mono<RecordMetadata> sendOne(Sending sending, ProducerRecord<K, V> record, T t) {
            return Mono.defer(() -> sending.send(record, t))
                    .publishOn(sending.thread)
                    .flatMap(a -> a.error() == null ? Mono.just(a.metadata()) : Mono.error(a.error()));
        }

        private static boolean retriable(Throwable e) {
            return e instanceof RetriableException;
        }

        private String describe(String topic, Throwable e) {
            if (e instanceof RecordTooLargeException) {
                return "record for topic " + topic + " is too large: " + e.getMessage()
                        + " (limits: producer max.request.size, broker message.max.bytes, topic max.message.bytes)";
            }
            return "could not write record to topic " + topic + ": " + e;
        }
    }
}
