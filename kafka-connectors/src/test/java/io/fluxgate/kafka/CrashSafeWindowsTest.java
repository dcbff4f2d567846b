package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.internal.CheckpointCodec;
import io.fluxgate.kafka.json.FrameResult;
import io.fluxgate.kafka.json.RootFrameReader;
import io.fluxgate.window.WindowCount;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Kill -9 at random points: a child JVM runs source → frame parse → unique users → sink and is destroyed
 * forcibly several times, each time after it has committed some progress; after the last, uninterrupted run the
 * output topic, keyed by window start with the last write winning, equals the uninterrupted result.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashSafeWindowsTest {

    private static final Logger log = LoggerFactory.getLogger(CrashSafeWindowsTest.class);
    private static final int FRAMES = 120_000;
    private static final int KILLS = 3;

    @Test
    void outputAfterRepeatedKillsEqualsAnUninterruptedRun(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        String in = KafkaTestSupport.unique("crash-in");
        String out = in + "-out";
        String group = in + "-g";
        kafka.createTopic(in, 1);
        kafka.createTopic(out, 1);
        List<String> frames = frames(new Random(7));
        KafkaTestSupport.produceRaw(kafka, in, frames);

        List<Process> children = new ArrayList<>();
        try {
            run(kafka, in, out, group, frames, dir, children);
        } finally {
            // never leave a child behind, whatever failed
            for (Process p : children) {
                p.destroyForcibly();
            }
        }
    }

    private void run(EmbeddedKafka kafka, String in, String out, String group, List<String> frames, Path dir,
                     List<Process> children) throws Exception {
        Random rnd = new Random();
        long lastCommitted = -1;
        int kills = 0;
        for (int attempt = 0; attempt < 10 && kills < KILLS; attempt++) {
            Process child = startChild(kafka, in, out, group, dir.resolve("child-" + attempt + ".log"));
            children.add(child);
            long seen = lastCommitted;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // wait for this run to commit progress of its own, then kill it a random moment later
            while (child.isAlive() && (seen = committedOffset(kafka, group, in)) <= lastCommitted
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (seen <= lastCommitted) {
                child.destroyForcibly().waitFor();
                throw new AssertionError("child made no committed progress:\n" + Files.readString(dir.resolve("child-" + attempt + ".log")));
            }
            if (!child.isAlive()) {
                log.info("Child finished before it could be killed (attempt {})", attempt);
                break;
            }
            // a child reads the whole input in well under a second on an idle machine: kill soon after its commit
            Thread.sleep(rnd.nextInt(150));
            long beforeKill = committedOffset(kafka, group, in);
            child.destroyForcibly().waitFor();
            // what the killed child managed to commit; the next child must commit beyond it
            lastCommitted = Math.max(seen, committedOffset(kafka, group, in));
            if (beforeKill >= FRAMES) {
                // it had committed the whole input and was about to exit: nothing is left to crash in
                log.info("Child had finished the input before it was killed (attempt {})", attempt);
                break;
            }
            kills++;
            log.info("Killed child {} after committed offset {} (of {})", kills, seen, FRAMES);
        }
        Process last = startChild(kafka, in, out, group, dir.resolve("child-final.log"));
        children.add(last);
        assertThat(last.waitFor(90, TimeUnit.SECONDS)).as("final run finishes").isTrue();
        assertThat(last.exitValue()).as(Files.readString(dir.resolve("child-final.log"))).isZero();
        // at least one kill mid-run; on a fast machine a child can finish the input before its random kill moment
        assertThat(kills).as("children killed mid-run").isPositive();

        Map<Long, Long> expected = uninterrupted(frames);
        Map<Long, Long> actual = lastWriteWins(kafka, out);
        assertThat(expected).hasSizeGreaterThan(40);
        assertThat(actual).isEqualTo(expected);

        // the final commit carries the window state in its metadata
        try (var admin = kafka.admin()) {
            var om = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(in, 0));
            assertThat(om.offset()).isEqualTo(FRAMES);
            assertThat(CheckpointCodec.decode(om.metadata())).isNotNull();
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

    private static Map<Long, Long> uninterrupted(List<String> frames) {
        RootFrameReader reader = RootFrameReader.ofDefaults();
        Map<Long, Long> m = new TreeMap<>();
        Flux.fromIterable(frames)
                .mapNotNull(f -> reader.read(f) instanceof FrameResult.Frame fr ? fr : null)
                .transform(CrashChild.<FrameResult.Frame>windows(f -> f).build())
                .doOnNext((WindowCount w) -> m.put(w.start(), w.uniqueUsers()))
                .blockLast();
        return m;
    }

    private static Map<Long, Long> lastWriteWins(EmbeddedKafka kafka, String topic) {
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

    private static long committedOffset(EmbeddedKafka kafka, String group, String topic) {
        try {
            return KafkaTestSupport.committed(kafka, group).getOrDefault(new TopicPartition(topic, 0), -1L);
        } catch (Exception e) {
            return -1;
        }
    }

    private static Process startChild(EmbeddedKafka kafka, String in, String out, String group, Path logFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                kafka.bootstrapServers(), in, out, group));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    }
}
