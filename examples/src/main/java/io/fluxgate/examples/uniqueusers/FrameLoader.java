package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.publisher.Flux;

/**
 * Puts the input into the input topic before the pipeline runs: the lines of a file (or stdin) in file order, or
 * generated frames. A line larger than a Kafka record may be is replaced by a small placeholder that the pipeline
 * counts and dead-letters as malformed: the input is never cut short, and the topic keeps one record per line,
 * which is what lets an interrupted load carry on where it stopped.
 */
final class FrameLoader {

    /** What a load did: records written, of which {@code rejected} placeholders for lines too large. */
    record Loaded(long records, long rejected, long bytes) {}

    /** Under the producer's default max.request.size (1 MiB), with room for the record's own overhead. */
    static final int MAX_LINE_BYTES = 1_000_000;
    /** The bytes of a line too large that its placeholder keeps (and so the dead letter shows). */
    static final int HEAD_BYTES = 1024;

    /** A line of the input: its bytes, whole or (when longer than {@link #MAX_LINE_BYTES}) its head, and its length. */
    private record Line(byte[] bytes, long length) {
    }

    private final String bootstrapServers;
    private final String topic;
    private final Function<byte[], byte[]> keyOf;
    private final org.reactivestreams.Publisher<?> stop;

    /**
     * @param keyOf the record key of a line (the frame's uid when it has one, so that several partitions split the
     *              users between them), or {@code null}
     */
    FrameLoader(String bootstrapServers, String topic, Function<byte[], byte[]> keyOf) {
        this(bootstrapServers, topic, keyOf, reactor.core.publisher.Mono.never());
    }

    /** As above, stopping (after what was read so far is sent) when {@code stop} signals. */
    FrameLoader(String bootstrapServers, String topic, Function<byte[], byte[]> keyOf,
                org.reactivestreams.Publisher<?> stop) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.keyOf = keyOf;
        this.stop = stop;
    }

    /** Loads the lines of a file (or stdin for {@code -}) after the first {@code skip}, which are already there. */
    Loaded loadFile(String path, long skip, ConsoleReporter reporter) throws IOException {
        long total = path.equals("-") ? -1 : Files.size(Path.of(path));
        try (InputStream in = path.equals("-") ? System.in : Files.newInputStream(Path.of(path));
             LineReader lines = new LineReader(in, MAX_LINE_BYTES, HEAD_BYTES)) {
            Flux<Line> all = Flux.generate(sink -> {
                try {
                    byte[] line = lines.next();
                    if (line == null) {
                        sink.complete();
                    } else {
                        sink.next(new Line(line, lines.lastLength()));
                    }
                } catch (IOException e) {
                    sink.error(new UncheckedIOException(e));
                }
            });
            // progress in bytes of the file, the skipped lines included, so that the bar ends full
            return load(all.transform(reporter.stage("load", total, line -> line.length() + 1L)), skip, reporter);
        }
    }

    /** Loads {@code count} generated frames after the first {@code skip}, which are already there. */
    Loaded generate(FrameGenerator generator, long count, long skip, ConsoleReporter reporter) throws IOException {
        Flux<Line> all = Flux.<Line, Long>generate(() -> 0L, (i, sink) -> {
            if (i < count) {
                byte[] frame = generator.next();
                sink.next(new Line(frame, frame.length));
            } else {
                sink.complete();
            }
            return i + 1;
        });
        return load(all.transform(reporter.stage("generate", count, null)), skip, reporter);
    }

    /** Sends the lines after the first {@code skip} (generated or read again only to be passed over) in order. */
    private Loaded load(Flux<Line> lines, long skip, ConsoleReporter reporter) throws IOException {
        long[] counts = new long[3]; // records, rejected, bytes
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            lines.skip(skip)
                    .takeUntilOther(stop)
                    .doOnNext(l -> {
                        if (failure.get() != null) {
                            throw new IllegalStateException("could not write to topic " + topic, failure.get());
                        }
                        counts[0]++;
                        counts[2] += l.length();
                        byte[] line = l.bytes();
                        byte[] value = line;
                        if (l.length() > MAX_LINE_BYTES) {
                            counts[1]++;
                            value = placeholder(line, l.length());
                        }
                        producer.send(new ProducerRecord<>(topic,
                                        keyOf == null || value != line ? null : keyOf.apply(line), value),
                                (md, e) -> {
                                    if (e != null) {
                                        failure.compareAndSet(null, e);
                                    }
                                });
                    })
                    .then()
                    .block();
            producer.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalStateException e) {
            if (failure.get() == null) {
                throw e;
            }
        } finally {
            reporter.endBar();
        }
        if (failure.get() != null) {
            throw new IOException("could not write to topic " + topic + ": " + failure.get().getMessage(), failure.get());
        }
        return new Loaded(counts[0], counts[1], counts[2]);
    }

    /**
     * What stands in the topic for a line too large for a record: a JSON object the pipeline counts and dead-letters
     * as malformed, with the line's length and its first bytes ({@code head}; invalid UTF-8 as U+FFFD).
     */
    static byte[] placeholder(byte[] head, long length) {
        StringBuilder sb = new StringBuilder(head.length + 160);
        sb.append("{\"fluxgate_rejected\":\"a line of ").append(length)
                .append(" bytes, larger than a Kafka record may be\",\"head\":\"");
        tools.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(
                new String(head, StandardCharsets.UTF_8), sb);
        return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // Idempotent and ordered: the file order is the order the pipeline must see.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        return p;
    }
}
