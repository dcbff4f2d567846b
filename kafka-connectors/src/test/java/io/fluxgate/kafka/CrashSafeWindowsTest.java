package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.internal.CheckpointCodec;
import io.fluxgate.kafka.json.FrameResult;
import io.fluxgate.kafka.json.RootFrameReader;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Kill -9 at random points: a child JVM runs source → frame parse → unique users → sink and is destroyed
 * forcibly several times, each time after it has committed some progress; after the last, uninterrupted run the
 * output topic, keyed by window start with the last write winning, equals the uninterrupted result. Once with one
 * input partition (disorder beyond the lateness: late decisions must survive the crashes too), once with four
 * (per-partition watermarks, one partition idle after its first records).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashSafeWindowsTest {

    private static final Logger log = LoggerFactory.getLogger(CrashSafeWindowsTest.class);
    private static final int FRAMES = 120_000;
    private static final int KILLS = 3;
    private static final int PARTITIONS = 4;
    private static final int IDLE_PARTITION = 3;
    private static final int IDLE_FRAMES = 40;
    private static final int PARTITIONED_FRAMES = 120_000;
    /** Long enough that no busy partition looks idle while the consumer reads another's chunk. */
    private static final Duration PARTITION_IDLE = Duration.ofSeconds(1);
    /** A few hundred frames per partition and fetch: a chunk of one partition is read in a few ms. */
    private static final int PARTITION_FETCH_BYTES = 32 * 1024;
    /** Frames per second: a child needs ~12 s for the whole input, so each killed one leaves work for the next. */
    private static final long PACE = 10_000;

    /** With the frames read by the deserializer inside the poll (0), or parsed on one thread of the run (1). */
    @ParameterizedTest(name = "parseThreads={0}, group.protocol={1}")
    @MethodSource("parseThreadsAndProtocols")
    void outputAfterRepeatedKillsEqualsAnUninterruptedRun(String parseThreads, GroupProtocol protocol, EmbeddedKafka kafka,
                                                          @TempDir Path dir) throws Exception {
        String in = KafkaTestSupport.unique("crash-in");
        String out = in + "-out";
        String group = in + "-g";
        kafka.createTopic(in, 1);
        kafka.createTopic(out, 1);
        List<String> frames = frames(new Random(7));
        KafkaTestSupport.produceRaw(kafka, in, frames);

        killRepeatedlyThenFinish(kafka, protocol, in, group, dir, List.of(kafka.bootstrapServers(), in, out, group, parseThreads),
                FRAMES);

        Map<Long, Long> expected = uninterrupted(frames);
        assertThat(expected).hasSizeGreaterThan(40);
        assertThat(lastWriteWins(kafka, out)).isEqualTo(expected);
        assertFinalCommitsCarryTheWindowState(kafka, group, in, Map.of(0, (long) FRAMES));
    }

    /**
     * Four input partitions: frames spread over three by user, each within the lateness of its partition's
     * latest (so the result does not depend on how the consumer interleaves the partitions, though a single
     * watermark over the interleaved stream would drop records of the partition behind), the fourth idle after
     * its first records. Without the idle timeout the fourth would hold every window open until the end of input
     * and the children would commit nothing before they finish.
     */
    @ParameterizedTest(name = "group.protocol={0}")
    @MethodSource("io.fluxgate.kafka.GroupProtocols#available")
    void severalPartitionsAndAnIdleOneAfterRepeatedKillsEqualAnUninterruptedRun(GroupProtocol protocol, EmbeddedKafka kafka,
                                                                                @TempDir Path dir) throws Exception {
        String in = KafkaTestSupport.unique("crash-parts-in");
        String out = in + "-out";
        String group = in + "-g";
        kafka.createTopic(in, PARTITIONS);
        kafka.createTopic(out, 1);
        List<ProducerRecord<String, String>> records = partitionedFrames(in, new Random(11));
        KafkaTestSupport.produceRecords(kafka, records);

        killRepeatedlyThenFinish(kafka, protocol, in, group, dir, List.of(kafka.bootstrapServers(), in, out, group, "2",
                Long.toString(PARTITION_IDLE.toMillis()), Integer.toString(PARTITION_FETCH_BYTES), Long.toString(PACE)),
                PARTITIONED_FRAMES);

        List<String> frames = records.stream().map(ProducerRecord::value).toList();
        Map<Long, Long> expected = uninterrupted(frames);
        // the premise: no frame is late anywhere, so any interleaving of the partitions counts every frame
        assertThat(expected).as("every valid frame counted").isEqualTo(everyFrameCounted(frames));
        assertThat(expected).hasSizeGreaterThan(30);
        assertThat(lastWriteWins(kafka, out)).isEqualTo(expected);
        Map<Integer, Long> ends = new TreeMap<>();
        records.forEach(r -> ends.merge(r.partition(), 1L, Long::sum));
        assertThat(ends).containsEntry(IDLE_PARTITION, (long) IDLE_FRAMES).hasSize(PARTITIONS);
        assertFinalCommitsCarryTheWindowState(kafka, group, in, ends);
    }

    /**
     * Starts children one after another, each killed ({@code destroyForcibly}) a random moment after it has
     * committed progress of its own, {@value #KILLS} times; then one more that runs to the end of input.
     */
    private void killRepeatedlyThenFinish(EmbeddedKafka kafka, GroupProtocol protocol, String in, String group, Path dir,
                                          List<String> args, long inputRecords)
            throws Exception {
        List<Process> children = new ArrayList<>();
        try {
            Random rnd = new Random();
            long lastCommitted = -1;
            int kills = 0;
            for (int attempt = 0; attempt < 10 && kills < KILLS; attempt++) {
                Path logFile = dir.resolve("child-" + attempt + ".log");
                Process child = startChild(protocol, args, logFile);
                children.add(child);
                long seen = lastCommitted;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // wait for this run to commit progress of its own, then kill it a random moment later
                while (child.isAlive() && (seen = committedSum(kafka, group, in)) <= lastCommitted
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                if (seen <= lastCommitted) {
                    child.destroyForcibly().waitFor();
                    throw new AssertionError("child made no committed progress:\n" + Files.readString(logFile));
                }
                if (!child.isAlive()) {
                    log.info("Child finished before it could be killed (attempt {})", attempt);
                    break;
                }
                // a child reads the whole input in well under a second on an idle machine: kill soon after its commit
                Thread.sleep(rnd.nextInt(150));
                long beforeKill = committedSum(kafka, group, in);
                child.destroyForcibly().waitFor();
                // what the killed child managed to commit; the next child must commit beyond it
                lastCommitted = Math.max(seen, committedSum(kafka, group, in));
                if (beforeKill >= inputRecords) {
                    // it had committed the whole input and was about to exit: nothing is left to crash in
                    log.info("Child had finished the input before it was killed (attempt {})", attempt);
                    break;
                }
                kills++;
                log.info("Killed child {} after committed offsets summing to {} (of {})", kills, seen, inputRecords);
            }
            Path logFile = dir.resolve("child-final.log");
            long started = System.nanoTime();
            Process last = startChild(protocol, args, logFile);
            children.add(last);
            assertThat(last.waitFor(90, TimeUnit.SECONDS)).as("final run finishes").isTrue();
            log.info("Final run finished in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertThat(last.exitValue()).as(Files.readString(logFile)).isZero();
            // at least one kill mid-run; on a fast machine a child can finish the input before its kill moment
            assertThat(kills).as("children killed mid-run").isPositive();
        } finally {
            // never leave a child behind, whatever failed
            for (Process p : children) {
                p.destroyForcibly();
            }
        }
    }

    /** The last commit of each partition is at its end, with the window state in its metadata. */
    private static void assertFinalCommitsCarryTheWindowState(EmbeddedKafka kafka, String group, String topic,
                                                              Map<Integer, Long> ends) throws Exception {
        try (var admin = kafka.admin()) {
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            ends.forEach((partition, end) -> {
                var om = offsets.get(new TopicPartition(topic, partition));
                assertThat(om).as("partition %d committed", partition).isNotNull();
                assertThat(om.offset()).as("partition %d", partition).isEqualTo(end);
                assertThat(CheckpointCodec.decode(om.metadata())).as("partition %d metadata", partition).isNotNull();
            });
        }
    }

    /** Frames over ~50 minutes of event time, some disorder beyond the lateness, some malformed lines. */
    static List<String> frames(Random rnd) {
        List<String> frames = new ArrayList<>(FRAMES);
        long base = 1_700_000_000L;
        for (int i = 0; i < FRAMES; i++) {
            if (rnd.nextInt(100) == 0) {
                frames.add(rnd.nextBoolean() ? "{\"uid\":\"x\",\"ts\":1.5}" : "not json");
                continue;
            }
            long ts = base + i / 40 + rnd.nextInt(21) - 15;
            String uid = Long.toHexString(0x1000000000000000L + rnd.nextInt(3000));
            frames.add("{\"uid\":\"" + uid + "\",\"ts\":" + ts + ",\"meta\":{\"uid\":\"nested\",\"ts\":1}}");
        }
        return frames;
    }

    /**
     * {@value #PARTITIONED_FRAMES} frames over ~40 minutes of event time, each less than the lateness behind the
     * latest before it (so never late in its own partition), some malformed; the first {@value #IDLE_FRAMES} go to
     * the idle partition, the others by user to the three busy ones, in order.
     */
    static List<ProducerRecord<String, String>> partitionedFrames(String topic, Random rnd) {
        List<ProducerRecord<String, String>> records = new ArrayList<>(PARTITIONED_FRAMES);
        long base = 1_700_000_000L;
        long lateness = CrashChild.LATENESS.toSeconds();
        for (int i = 0; i < PARTITIONED_FRAMES; i++) {
            int user = rnd.nextInt(3000);
            int partition = i < IDLE_FRAMES ? IDLE_PARTITION : user % (PARTITIONS - 1);
            String frame;
            if (i >= IDLE_FRAMES && rnd.nextInt(100) == 0) {
                frame = rnd.nextBoolean() ? "{\"uid\":\"x\",\"ts\":1.5}" : "not json";
            } else {
                long ts = base + i / 50 - rnd.nextInt((int) lateness);
                String uid = Long.toHexString(0x1000000000000000L + user);
                frame = "{\"uid\":\"" + uid + "\",\"ts\":" + ts + ",\"meta\":{\"uid\":\"nested\",\"ts\":1}}";
            }
            records.add(new ProducerRecord<>(topic, partition, null, frame));
        }
        return records;
    }

    /** Unique users per minute over every valid frame: what any run counts when no frame is late. */
    private static Map<Long, Long> everyFrameCounted(List<String> frames) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        Map<Long, Set<String>> users = new TreeMap<>();
        for (String f : frames) {
            if (reader.read(f) instanceof FrameResult.Frame fr) {
                users.computeIfAbsent(Math.floorDiv(fr.ts(), 60) * 60, k -> new HashSet<>()).add(fr.uid());
            }
        }
        Map<Long, Long> counts = new TreeMap<>();
        users.forEach((start, set) -> counts.put(start, (long) set.size()));
        return counts;
    }

    /** Unique users per window start of the operator over the valid frames in this order, as one run counts them. */
    static Map<Long, Long> uninterrupted(List<String> frames) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        Map<Long, Long> m = new TreeMap<>();
        Flux.fromIterable(frames)
                .mapNotNull(f -> reader.read(f) instanceof FrameResult.Frame fr ? fr : null)
                .transform(CrashChild.<FrameResult.Frame>windows(f -> f).build())
                .doOnNext((WindowCount w) -> m.put(w.start(), w.uniqueUsers()))
                .blockLast();
        return m;
    }

    static Map<Long, Long> lastWriteWins(EmbeddedKafka kafka, String topic) {
        Map<Long, Long> m = new TreeMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    String v = r.value();
                    long cnt = Long.parseLong(v.substring(v.indexOf("\"cnt\":") + 6, v.indexOf('}')));
                    m.put(Long.parseLong(r.key()), cnt);
                }
            }
        }
        return m;
    }

    /** Committed offsets of the group on the topic, summed over its partitions (-1 if none yet). */
    private static long committedSum(EmbeddedKafka kafka, String group, String topic) {
        try {
            return KafkaTestSupport.committed(kafka, group).entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(Map.Entry::getValue)
                    .reduce(Long::sum).orElse(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    static Stream<Arguments> parseThreadsAndProtocols() {
        return Stream.of("0", "1").flatMap(threads -> GroupProtocols.available().map(p -> Arguments.of(threads, p)));
    }

    private static Process startChild(GroupProtocol protocol, List<String> args, Path logFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-D" + GroupProtocols.PROPERTY + "=" + protocol.name(),
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    }
}
