package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.io.InputStream;
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

    private final String bootstrapServers;
    private final String topic;
    private final Function<byte[], byte[]> keyOf;

    /**
     * @param keyOf the record key of a line (the frame's uid when it has one, so that several partitions split the
     *              users between them), or {@code null}
     */
    FrameLoader(String bootstrapServers, String topic, Function<byte[], byte[]> keyOf) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.keyOf = keyOf;
    }

    /** Loads the lines of a file (or stdin for {@code -}) after the first {@code skip}, which are already there. */
    Loaded loadFile(String path, long skip, ConsoleReporter reporter) throws IOException {
        long total = path.equals("-") ? -1 : Files.size(Path.of(path));
        try (InputStream in = path.equals("-") ? System.in : Files.newInputStream(Path.of(path));
             LineReader lines = new LineReader(in)) {
            return load(new Source() {
                long bytes;

                @Override
                public byte[] next() throws IOException {
                    byte[] line = lines.next();
                    while (line != null && lines.lineNumber() <= skip) {
                        bytes += line.length + 1;
                        line = lines.next();
                    }
                    if (line != null) {
                        bytes += line.length + 1;
                    }
                    return line;
                }

                @Override
                public long done(long records) {
                    return bytes;
                }
            }, total, "load", reporter);
        }
    }

    /** Loads {@code count} generated frames after the first {@code skip}, which are already there. */
    Loaded generate(FrameGenerator generator, long count, long skip, ConsoleReporter reporter) throws IOException {
        for (long i = 0; i < skip && i < count; i++) {
            generator.next();
        }
        return load(new Source() {
            long left = Math.max(0, count - skip);

            @Override
            public byte[] next() {
                return left-- > 0 ? generator.next() : null;
            }

            @Override
            public long done(long records) {
                return skip + records;
            }
        }, count, "generate", reporter);
    }

    /** A sequence of lines, and how far along it is in the unit of the total given for progress. */
    private interface Source {
        byte[] next() throws IOException;

        long done(long records);
    }

    private Loaded load(Source source, long total, String phase, ConsoleReporter reporter) throws IOException {
        long rejected = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        long records = 0;
        long bytes = 0;
        long started = System.nanoTime();
        long lastReport = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            for (byte[] line; (line = source.next()) != null; ) {
                if (failure.get() != null) {
                    break;
                }
                records++;
                bytes += line.length;
                byte[] value = line;
                if (line.length > MAX_LINE_BYTES) {
                    rejected++;
                    value = ("{\"fluxgate_rejected\":\"a line of " + line.length
                            + " bytes, larger than a Kafka record may be\"}").getBytes(StandardCharsets.UTF_8);
                }
                producer.send(new ProducerRecord<>(topic, keyOf == null || value != line ? null : keyOf.apply(line), value),
                        (md, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                long now = System.nanoTime();
                if (now - lastReport > 200_000_000L) {
                    lastReport = now;
                    long done = source.done(records);
                    double rate = records / Math.max(1e-9, (now - started) / 1e9);
                    reporter.progress(phase, done, total, rate, eta(done, total, now - started));
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IOException("could not write to topic " + topic + ": " + failure.get().getMessage(), failure.get());
        }
        long elapsed = System.nanoTime() - started;
        long done = source.done(records);
        reporter.progress(phase, total > 0 ? total : done, total, records / Math.max(1e-9, elapsed / 1e9), null);
        reporter.endBar();
        return new Loaded(records, rejected, bytes);
    }

    private static java.time.Duration eta(long done, long total, long elapsedNanos) {
        if (total <= 0 || done <= 0) {
            return null;
        }
        return java.time.Duration.ofNanos((long) (elapsedNanos * ((double) (total - done) / done)));
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
