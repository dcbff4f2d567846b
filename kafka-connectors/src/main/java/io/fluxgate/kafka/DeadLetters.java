package io.fluxgate.kafka;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.fluxgate.outcome.DeadLetterException;
import io.fluxgate.outcome.DeadLetterSink;
import org.jspecify.annotations.Nullable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Built-in {@link DeadLetterSink}s for Kafka rejections ({@link RejectedRecord} letters): log only, append to a
 * JSON-lines file, or produce to a Kafka topic. Each counts the letters it stored ({@link DeadLetterSink#count()}).
 * Any other core sink works too (e.g. {@link io.fluxgate.outcome.InMemoryDeadLetterSink} in tests).
 */
public final class DeadLetters {

    /** Header set on records produced by {@link #toTopic}: the rejected record's topic, UTF-8. */
    public static final String HEADER_TOPIC = "fluxgate.dlq.topic";
    /** Header set on records produced by {@link #toTopic}: the rejected record's partition, decimal UTF-8. */
    public static final String HEADER_PARTITION = "fluxgate.dlq.partition";
    /** Header set on records produced by {@link #toTopic}: the rejected record's offset, decimal UTF-8. */
    public static final String HEADER_OFFSET = "fluxgate.dlq.offset";
    /** Header set on records produced by {@link #toTopic}: {@link io.fluxgate.outcome.DeadLetter#reason()}, UTF-8. */
    public static final String HEADER_REASON = "fluxgate.dlq.reason";

    /** The topic sink's producer batch size unless set ({@code batch.size}): 512 KB, a few hundred letters. */
    public static final int DEFAULT_BATCH_BYTES = 512 * 1024;

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    /**
     * Logs each dead letter at WARN (origin and reason, not the value) and counts it. The default of
     * {@link KafkaSourceOptions.Builder#deadLetters}: nothing is kept beyond the log.
     *
     * @return a new sink; it holds no resources
     */
    public static DeadLetterSink<RejectedRecord> logging() {
        return DeadLetterSink.of(dl -> {
            RejectedRecord r = dl.element();
            log.warn("Rejected {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), dl.reason());
        });
    }

    /**
     * Appends each dead letter as one JSON line ({@code topic, partition, offset, timestamp, stage, reason, value}
     * with the value in base64) to {@code file}, creating it if needed, flushed per line.
     *
     * @param file the JSON Lines file to append to
     * @return an open sink; close it to close the file
     * @throws NullPointerException if {@code file} is null
     * @throws UncheckedIOException if the file cannot be opened
     */
    public static DeadLetterSink<RejectedRecord> toFile(Path file) {
        Objects.requireNonNull(file, "file");
        BufferedWriter out;
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open dead-letter file " + file, e);
        }
        JsonFactory json = new JsonFactory();
        return DeadLetterSink.<RejectedRecord>ofAsync(dl -> {
            RejectedRecord r = dl.element();
            synchronized (out) {
                try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), new NoCloseWriter(out))) {
                    g.writeStartObject();
                    g.writeStringProperty("topic", r.topic());
                    g.writeNumberProperty("partition", r.partition());
                    g.writeNumberProperty("offset", r.offset());
                    g.writeNumberProperty("timestamp", r.timestamp());
                    g.writeStringProperty("stage", dl.stage());
                    g.writeStringProperty("reason", dl.reason());
                    g.writeStringProperty("value", r.value() == null ? null : Base64.getEncoder().encodeToString(r.value()));
                    g.writeEndObject();
                }
                try {
                    out.write('\n');
                    out.flush();
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(new DeadLetterException("cannot write dead letter to " + file, e));
                }
            }
            return CompletableFuture.completedFuture(null);
        }, () -> {
            synchronized (out) {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot flush dead-letter file " + file, e);
                }
            }
        }, () -> {
            synchronized (out) {
                try {
                    out.close();
                } catch (IOException e) {
                    log.warn("Closing dead-letter file {} failed", file, e);
                }
            }
        });
    }

    /**
     * Produces each dead letter's raw key and value to {@code topic} (idempotent producer, acks=all, batches of up
     * to {@link #DEFAULT_BATCH_BYTES} lingering 5 ms unless {@code producerProperties} say otherwise), with its
     * origin and reason in headers ({@link #HEADER_TOPIC}, {@link #HEADER_PARTITION}, {@link #HEADER_OFFSET},
     * {@link #HEADER_REASON}). {@link DeadLetterSink#acceptAsync} hands the letter to the producer without
     * waiting (no flush per letter, so letters handed over together travel in one batch) and completes when the
     * broker acknowledged the write; {@link DeadLetterSink#accept} waits for that.
     *
     * @param bootstrapServers   {@code host:port[,host:port...]} of the cluster holding {@code topic}
     * @param topic              the dead-letter topic
     * @param producerProperties extra producer properties (security etc.), may be empty
     * @return a sink owning its producer; close it to close the producer
     * @throws NullPointerException if an argument is null
     */
    public static DeadLetterSink<RejectedRecord> toTopic(String bootstrapServers, String topic,
                                                         Map<String, Object> producerProperties) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Map<String, Object> props = new HashMap<>(producerProperties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // a burst of letters must not be held to a few per request: Kafka's default batch (16 KB) holds 7 letters of
        // 2 KB, so at 5 requests in flight the sink stored ~35 letters per round trip to the broker
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, DEFAULT_BATCH_BYTES);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        return DeadLetterSink.<RejectedRecord>ofAsync(dl -> {
            RejectedRecord r = dl.element();
            RecordHeaders headers = new RecordHeaders();
            headers.add(HEADER_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_PARTITION, Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_OFFSET, Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_REASON, dl.reason().getBytes(StandardCharsets.UTF_8));
            CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
            producer.send(new ProducerRecord<>(topic, null, null, r.key(), r.value(), headers), (md, e) -> {
                if (e == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(new DeadLetterException("cannot write dead letter for " + r
                            + " to topic " + topic, e));
                }
            });
            return done;
        }, producer::flush, producer::close);
    }

    private static final class NoCloseWriter extends java.io.FilterWriter {
        NoCloseWriter(java.io.Writer out) {
            super(out);
        }

        @Override
        public void close() {
            // the sink owns the file
        }
    }
}
