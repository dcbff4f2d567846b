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
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
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
 * Kill -9 mid-run: a child JVM runs source → frame parse → unique users → sink and is destroyed forcibly
 * several times, each time at a known point after it has committed progress of its own ({@link KillPointInterceptor}); after the last, uninterrupted run the
 * output topic, keyed by window start with the last write winning, equals the uninterrupted result. Once with one
 * input partition (disorder beyond the lateness: late decisions must survive the crashes too), once with four
 * (per-partition watermarks, one partition idle after its first records).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashSafeWindowsTest {

    private static final Logger log = LoggerFactory.getLogger(CrashSafeWindowsTest.class);
    private static final int FRAMES = 120_000;
    private static final int KILLS = 3;
    /** Commits a child makes before its kill point (commits come every 50 ms while windows are acknowledged). */
    private static final int COMMITS_BEFORE_KILL = 3;
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

        // paced (3 s for the input), so that each child makes many commits: the kill point is never its last
        killRepeatedlyThenFinish(kafka, protocol, in, group, dir, List.of(kafka.bootstrapServers(), in, out, group,
                parseThreads, "0", Integer.toString(1024 * 1024), Long.toString(FRAMES / 3)), FRAMES);

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
     * Starts children one after another, {@value #KILLS} of them killed ({@code destroyForcibly}) at a known point:
     * each one, after its {@value #COMMITS_BEFORE_KILL}th commit, says so on its output and holds its consumer
     * ({@link KillPointInterceptor}), and is killed on that signal; then one more runs to the end of input.
     */
    private void killRepeatedlyThenFinish(EmbeddedKafka kafka, GroupProtocol protocol, String in, String group, Path dir,
                                          List<String> args, long inputRecords)
            throws Exception {
        List<Process> children = new ArrayList<>();
        try {
            long lastCommitted = -1;
            for (int kill = 0; kill < KILLS; kill++) {
                Path logFile = dir.resolve("child-" + kill + ".log");
                Process child = startChild(protocol, args, logFile, COMMITS_BEFORE_KILL);
                children.add(child);
                awaitKillPoint(child, logFile);
                long committed = committedSum(kafka, group, in);
                child.destroyForcibly().waitFor();
                assertThat(committed).as("child %d committed progress of its own before its kill", kill)
                        .isGreaterThan(lastCommitted).isLessThan(inputRecords);
                lastCommitted = committed;
                log.info("Killed child {} at its kill point: committed offsets sum to {} (of {})", kill, committed,
                        inputRecords);
            }
            Path logFile = dir.resolve("child-final.log");
            long started = System.nanoTime();
            Process last = startChild(protocol, args, logFile, 0);
            children.add(last);
            assertThat(last.waitFor(90, TimeUnit.SECONDS)).as("final run finishes").isTrue();
            log.info("Final run finished in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertThat(last.exitValue()).as(Files.readString(logFile)).isZero();
        } finally {
            // never leave a child behind, whatever failed
            for (Process p : children) {
                p.destroyForcibly();
            }
        }
    }

    /** Waits for the child's kill-point line; fails if it exits first or says nothing within 60 s. */
    private static void awaitKillPoint(Process child, Path logFile) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(logFile).contains(KillPointInterceptor.SIGNAL)) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                child.destroyForcibly().waitFor();
                throw new AssertionError("child did not reach its kill point (alive: " + child.isAlive() + "):\n"
                        + Files.readString(logFile));
            }
            Thread.sleep(10);
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

    private static Process startChild(GroupProtocol protocol, List<String> args, Path logFile, int killAfterCommits)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-D" + GroupProtocols.PROPERTY + "=" + protocol.name(),
                "-D" + KillPointInterceptor.AFTER_COMMITS + "=" + killAfterCommits,
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    }
}
