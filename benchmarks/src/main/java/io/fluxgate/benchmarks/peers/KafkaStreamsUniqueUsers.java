package io.fluxgate.benchmarks.peers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.datasketches.hash.MurmurHash3;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.memory.Memory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.WindowStore;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The unique-users job written as a Kafka Streams user would write it: the peer of {@code bin/unique-users} in the
 * end-to-end comparison ({@link PeersEndToEnd}) and in {@code KafkaStreamsMatchesTheAppTest}.
 *
 * <p>Same semantics as the app: JSON frames with a non-empty string {@code uid} and an integer {@code ts} (Unix
 * seconds) at the root, anything else malformed and dropped; 1-minute tumbling event-time windows with 5 s grace
 * ({@code TimeWindows.ofSizeAndGrace}: a record whose window ended at or before stream time minus grace is dropped as
 * late, exactly the app's watermark rule); one result per window when it closes
 * ({@code suppress(untilWindowCloses)}). The distinct users of a window are either a sorted array of 64-bit hashes of
 * the uid (exact: {@link Variant#EXACT}) or a DataSketches {@code HllSketch} of lgK 12, HLL_4 (the app's
 * approximate-mode sketch: {@link Variant#HLL}), held in a RocksDB or in-memory window store ({@link Store}).
 *
 * <p>What a Kafka Streams user has to add for that: the frames carry no key, so all records are re-keyed to one
 * key and go through a repartition topic (aggregations drop null keys); the event time comes from the value through
 * a {@link TimestampExtractor}; the frames are read with Jackson's streaming parser (root fields only, nested objects
 * skipped), not bound to a class, because binding coerces {@code "130"} or {@code 1.5e2} into a number. Kafka
 * Streams closes a window only when stream time passes it, so a bounded input needs a last record far in the future
 * (the "push" record, counted in a window of its own that never closes).
 *
 * <p>{@code java -cp benchmarks.jar io.fluxgate.benchmarks.peers.KafkaStreamsUniqueUsers <bootstrap> <input> <output>
 * <exact|hll> <rocksdb|memory> <application id> <push uid>}: runs until the push record has gone through the
 * aggregation, then closes (which flushes the caches, so the suppressed results reach the output topic) and exits.
 */
public final class KafkaStreamsUniqueUsers {

    /** How the distinct users of a window are held. */
    public enum Variant { EXACT, HLL }

    /** Where the window aggregates live. */
    public enum Store { ROCKSDB, MEMORY }

    static final Duration SIZE = Duration.ofMinutes(1);
    static final Duration GRACE = Duration.ofSeconds(5);
    static final int LG_K = 12;
    private static final long HASH_SEED = 9001L;
    private static final long TS_LIMIT = 1L << 62;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ALL = "all";

    private KafkaStreamsUniqueUsers() {
    }

    /** A valid frame's root fields. */
    public record Frame(String uid, long ts) {
    }

    /**
     * The topology. {@code onRecord} sees every valid frame after the aggregation has taken it (and, through the
     * suppression, emitted what it closed): the main method stops at the push record, the test does not need it.
     */
    public static Topology topology(String input, String output, Variant variant, Store store,
                                    java.util.function.Consumer<Frame> onRecord) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Frame> frames = builder
                .stream(input, Consumed.with(Serdes.ByteArray(),
                                Serdes.serdeFrom(new FrameSerde(), (topic, data) -> data == null ? null : parse(data)))
                        .withTimestampExtractor(new FrameTimestamp()))
                .filter((k, v) -> v != null)
                .selectKey((k, v) -> ALL)
                .repartition(Repartitioned.with(Serdes.String(), new FrameSerde()).withName("all-frames"));
        TimeWindows windows = TimeWindows.ofSizeAndGrace(SIZE, GRACE);
        KStream<String, String> results;
        if (variant == Variant.EXACT) {
            results = frames.groupByKey(Grouped.with(Serdes.String(), new FrameSerde()))
                    .windowedBy(windows)
                    .aggregate(() -> new long[0], (k, f, set) -> HashSet64.add(set, hash(f.uid())),
                            KafkaStreamsUniqueUsers.<long[]>materialized("uid-hashes", store, new HashSet64()))
                    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                    .toStream()
                    .map((w, set) -> KeyValue.pair(Long.toString(w.window().start() / 1000),
                            json(w.window().start() / 1000, set.length)));
        } else {
            results = frames.groupByKey(Grouped.with(Serdes.String(), new FrameSerde()))
                    .windowedBy(windows)
                    .aggregate(() -> new HllSketch(LG_K, TgtHllType.HLL_4), (k, f, sketch) -> {
                                sketch.update(f.uid());
                                return sketch;
                            },
                            KafkaStreamsUniqueUsers.<HllSketch>materialized("uid-sketches", store, new SketchSerde()))
                    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                    .toStream()
                    .map((w, sketch) -> KeyValue.pair(Long.toString(w.window().start() / 1000),
                            json(w.window().start() / 1000, Math.round(sketch.getEstimate()))));
        }
        results.to(output, Produced.with(Serdes.String(), Serdes.String()));
        // added after the aggregation, so it runs after it for each record
        frames.foreach((k, f) -> onRecord.accept(f));
        return builder.build();
    }

    private static <V> Materialized<String, V, WindowStore<Bytes, byte[]>> materialized(String name, Store store,
                                                                                        Serde<V> values) {
        Materialized<String, V, WindowStore<Bytes, byte[]>> m = Materialized.<String, V, WindowStore<Bytes, byte[]>>as(name)
                .withKeySerde(Serdes.String())
                .withValueSerde(values)
                .withRetention(SIZE.plus(GRACE));
        return m.withStoreType(store == Store.MEMORY ? Materialized.StoreType.IN_MEMORY : Materialized.StoreType.ROCKS_DB);
    }

    static String json(long start, long count) {
        return "{\"ts\":" + start + ",\"cnt\":" + count + "}";
    }

    static long hash(String uid) {
        return MurmurHash3.hash(uid.getBytes(StandardCharsets.UTF_8), HASH_SEED)[0];
    }

    /** The streams settings the job runs with: Kafka's defaults but for the state directory and fewer logs. */
    public static Properties settings(String bootstrap, String applicationId, Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return p;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: KafkaStreamsUniqueUsers <bootstrap> <input> <output> <exact|hll> <rocksdb|memory>"
                    + " <application id> <push uid>");
            System.exit(2);
        }
        Variant variant = Variant.valueOf(args[3].toUpperCase(Locale.ROOT));
        Store store = Store.valueOf(args[4].toUpperCase(Locale.ROOT));
        String pushUid = args[6];
        Path stateDir = Files.createTempDirectory("kstreams-");
        CountDownLatch pushed = new CountDownLatch(1);
        long[] frames = new long[1];
        Topology topology = topology(args[1], args[2], variant, store, f -> {
            frames[0]++;
            if (f.uid().equals(pushUid)) {
                pushed.countDown();
            }
        });
        long started = System.nanoTime();
        KafkaStreams streams = new KafkaStreams(topology, settings(args[0], args[5], stateDir));
        streams.setUncaughtExceptionHandler(e -> {
            e.printStackTrace();
            pushed.countDown();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        boolean done = pushed.await(30, TimeUnit.MINUTES);
        // a clean close commits: the caches are flushed through the suppression and the producer is flushed
        streams.close(Duration.ofMinutes(2));
        System.out.printf(Locale.ROOT, "kafka-streams %s %s: %,d frames in %.1f s%s%n", variant, store, frames[0],
                (System.nanoTime() - started) / 1e9, done ? "" : " (timed out)");
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        System.exit(done && streams.state() == KafkaStreams.State.NOT_RUNNING ? 0 : 1);
    }

    /** Event time from the frame; a malformed frame (null, filtered right after) keeps the partition's time. */
    static final class FrameTimestamp implements TimestampExtractor {
        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            Frame f = (Frame) record.value();
            return f == null ? Math.max(partitionTime, 0) : f.ts() * 1000;
        }
    }

    /** The parsed frame as the repartition topic carries it (ts, then the uid's UTF-8), not the 2 KB of JSON. */
    static final class FrameSerde implements Serde<Frame>, Deserializer<Frame>, Serializer<Frame> {
        @Override
        public void close() {
        }

        @Override
        public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        }

        @Override
        public byte[] serialize(String topic, Frame f) {
            if (f == null) {
                return null;
            }
            byte[] uid = f.uid().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(8 + uid.length).putLong(f.ts()).put(uid).array();
        }

        @Override
        public Frame deserialize(String topic, byte[] data) {
            return data == null ? null
                    : new Frame(new String(data, 8, data.length - 8, StandardCharsets.UTF_8), ByteBuffer.wrap(data).getLong());
        }

        @Override
        public Serializer<Frame> serializer() {
            return this;
        }

        @Override
        public Deserializer<Frame> deserializer() {
            return this;
        }
    }

    /**
     * A frame is valid when it is one JSON object with a non-empty string {@code uid} and an integer {@code ts}
     * (|ts| at most 2^62, and representable as epoch milliseconds) at its root; nested objects are skipped.
     */
    static Frame parse(byte[] data) {
        String uid = null;
        boolean uidSeen = false;
        Long ts = null;
        boolean tsBad = false;
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("uid".equals(name)) {
                    uidSeen = true;
                    uid = v == JsonToken.VALUE_STRING ? p.getString() : null;
                } else if ("ts".equals(name)) {
                    if (v == JsonToken.VALUE_NUMBER_INT) {
                        java.math.BigInteger big = p.getBigIntegerValue();
                        tsBad = big.abs().compareTo(java.math.BigInteger.ONE.shiftLeft(62)) > 0;
                        ts = tsBad ? null : big.longValue();
                    } else {
                        tsBad = true;
                        ts = null;
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
        } catch (RuntimeException e) {
            return null;
        }
        if (!uidSeen || uid == null || uid.isEmpty() || ts == null || tsBad) {
            return null;
        }
        // Kafka Streams' event time is epoch milliseconds >= 0: ts outside it cannot be windowed here
        if (ts < 0 || ts > Long.MAX_VALUE / 1000 || Math.abs(ts) > TS_LIMIT) {
            return null;
        }
        return new Frame(uid, ts);
    }

    /** A set of 64-bit hashes as a sorted {@code long[]}: its serialized form is a copy of the array. */
    static final class HashSet64 implements Serde<long[]>, Serializer<long[]>, Deserializer<long[]> {
        @Override
        public void close() {
        }

        @Override
        public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        }


        static long[] add(long[] set, long h) {
            int at = Arrays.binarySearch(set, h);
            if (at >= 0) {
                return set;
            }
            int i = -at - 1;
            long[] bigger = new long[set.length + 1];
            System.arraycopy(set, 0, bigger, 0, i);
            bigger[i] = h;
            System.arraycopy(set, i, bigger, i + 1, set.length - i);
            return bigger;
        }

        @Override
        public byte[] serialize(String topic, long[] set) {
            if (set == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate(set.length * 8);
            b.asLongBuffer().put(set);
            return b.array();
        }

        @Override
        public long[] deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            long[] set = new long[data.length / 8];
            ByteBuffer.wrap(data).asLongBuffer().get(set);
            return set;
        }

        @Override
        public Serializer<long[]> serializer() {
            return this;
        }

        @Override
        public Deserializer<long[]> deserializer() {
            return this;
        }
    }

    /** HLL sketches in their compact form. */
    static final class SketchSerde implements Serde<HllSketch>, Serializer<HllSketch>, Deserializer<HllSketch> {
        @Override
        public void close() {
        }

        @Override
        public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        }

        @Override
        public byte[] serialize(String topic, HllSketch sketch) {
            return sketch == null ? null : sketch.toCompactByteArray();
        }

        @Override
        public HllSketch deserialize(String topic, byte[] data) {
            return data == null ? null : HllSketch.heapify(Memory.wrap(data));
        }

        @Override
        public Serializer<HllSketch> serializer() {
            return this;
        }

        @Override
        public Deserializer<HllSketch> deserializer() {
            return this;
        }
    }
}
