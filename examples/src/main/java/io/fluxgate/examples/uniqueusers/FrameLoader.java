package io.fluxgate.examples.uniqueusers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts the input into the input topic before the pipeline runs: the lines of a file (or stdin) in file order, or
 * generated frames. A line the broker refuses (larger than its limit) is counted as rejected, not fatal: the rest
 * of the file still goes in.
 */
final class FrameLoader {

    /** What a load did. */
    record Loaded(long records, long rejected, long bytes) {}

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

    Loaded loadFile(String path, ConsoleReporter reporter) throws IOException {
        long total = path.equals("-") ? -1 : Files.size(Path.of(path));
        try (InputStream in = path.equals("-") ? System.in : Files.newInputStream(Path.of(path));
             LineReader lines = new LineReader(in)) {
            return load(new Source() {
                long bytes;

                @Override
                public byte[] next() throws IOException {
                    byte[] line = lines.next();
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

    Loaded generate(FrameGenerator generator, long count, ConsoleReporter reporter) throws IOException {
        return load(new Source() {
            long left = count;

            @Override
            public byte[] next() {
                return left-- > 0 ? generator.next() : null;
            }

            @Override
            public long done(long records) {
                return records;
            }
        }, count, "generate", reporter);
    }

    /** A sequence of lines, and how far along it is in the unit of the total given for progress. */
    private interface Source {
        byte[] next() throws IOException;

        long done(long records);
    }

    private Loaded load(Source source, long total, String phase, ConsoleReporter reporter) throws IOException {
        AtomicLong rejected = new AtomicLong();
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
                producer.send(new ProducerRecord<>(topic, keyOf == null ? null : keyOf.apply(line), line), (md, e) -> {
                    if (e instanceof RecordTooLargeException) {
                        rejected.incrementAndGet();
                    } else if (e != null) {
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
        return new Loaded(records - rejected.get(), rejected.get(), bytes);
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
