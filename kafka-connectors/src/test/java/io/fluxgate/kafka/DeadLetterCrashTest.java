package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kill -9 during a malformed-heavy run of {@link CrashSafeWindows} whose parse function rejects a third of the
 * frames to a dead-letter topic without waiting for each letter: a child ({@link DeadLetterCrashChild}) holds a
 * thousand letters in flight (handed to the sink, never stored) and is killed at a letter it names, twice; a
 * third run finishes. Then every malformed frame is in the dead-letter topic at least once, exactly once after
 * dedupe by partition and offset; nothing was committed past a letter in flight at the kill; and the windows,
 * last write winning, equal an uninterrupted run.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class DeadLetterCrashTest {

    private static final int FRAMES = 30_000;
    /** Letters handed over by a killed run; the last {@value #HELD} of them are never stored. */
    private static final int KILL_AT = 3_000;
    /** ~3,000 frames, more than a window's worth: windows past the first held letter are emitted before the kill. */
    private static final int HELD = 1_000;

    /** Records per second of a killed run: ~2 s to its first held letter, windows committed meanwhile. */
    private static final int PACE = 4_000;

    @Test
    void everyMalformedFrameIsDeadLetteredOnceAfterDedupeAndTheWindowsEqualAnUninterruptedRun(EmbeddedKafka kafka,
                                                                                              @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        String in = KafkaTestSupport.unique("dlq-crash-in");
        String out = in + "-out";
        String dlq = in + "-dlq";
        String group = in + "-g";
        kafka.createTopic(in, 1);
        kafka.createTopic(out, 1);
        kafka.createTopic(dlq, 1);
        List<String> frames = frames(new Random(17));
        KafkaTestSupport.produceRaw(kafka, in, frames);
        List<Long> malformed = new ArrayList<>();
        RootFrameReader reader = RootFrameReader.ofDefaults();
        for (int i = 0; i < frames.size(); i++) {
            if (reader.read(frames.get(i)) instanceof FrameResult.Malformed) {
                malformed.add((long) i);
            }
        }
        assertThat(malformed).hasSizeGreaterThan(3 * KILL_AT);

        TopicPartition tp = new TopicPartition(in, 0);
        long lastCommitted = 0;
        for (int kill = 0; kill < 2; kill++) {
            List<String> args = List.of(kafka.bootstrapServers(), in, out, dlq, group, Integer.toString(KILL_AT),
                    Integer.toString(HELD), Integer.toString(PACE));
            Process child = start(args);
            try {
                List<String> lines = linesUntil(child, "KILL-POINT");
                long firstHeld = offsetOf(lines, "HELD ");
                long killPoint = offsetOf(lines, "KILL-POINT ");
                child.destroyForcibly().waitFor();
                long committed = KafkaTestSupport.committed(kafka, group).getOrDefault(tp, 0L);
                // the guarantee: no offset past a letter in flight (here: never stored) is committed
                assertThat(committed).as("committed after kill %d (held from %d, killed at %d)", kill, firstHeld,
                        killPoint).isLessThanOrEqualTo(firstHeld);
                // and the run did commit progress of its own before the held letters: the resume is exercised
                assertThat(committed).as("progress committed by run %d:\n%s", kill, String.join("\n", lines))
                        .isGreaterThan(lastCommitted);
                lastCommitted = committed;
            } finally {
                child.destroyForcibly();
            }
        }
        Process last = start(List.of(kafka.bootstrapServers(), in, out, dlq, group, "0", "0", "0"));
        try {
            List<String> lines = linesUntil(last, "DONE");
            assertThat(last.waitFor(60, TimeUnit.SECONDS)).as("final run exits").isTrue();
            assertThat(last.exitValue()).as(String.join("\n", lines)).isZero();
        } finally {
            last.destroyForcibly();
        }

        List<Long> lettered = letteredOffsets(kafka, dlq, in);
        assertThat(lettered).as("every malformed frame at least once").containsAll(malformed);
        assertThat(lettered.stream().distinct().sorted().toList()).as("exactly once after dedupe").isEqualTo(malformed);
        assertThat(lettered.size()).as("killed runs left letters to store again").isGreaterThanOrEqualTo(malformed.size());
        Map<Long, Long> expected = CrashSafeWindowsTest.uninterrupted(frames);
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(CrashSafeWindowsTest.lastWriteWins(kafka, out)).isEqualTo(expected);
    }

    /** Frames over ~12 minutes of event time (a window per 2,400), some disorder, a third malformed (4 kinds). */
    private static List<String> frames(Random rnd) {
        List<String> frames = new ArrayList<>(FRAMES);
        long base = 1_700_000_000L;
        for (int i = 0; i < FRAMES; i++) {
            long ts = base + i / 40 + rnd.nextInt(4) - 2;
            String uid = Long.toHexString(0x1000000000000000L + rnd.nextInt(3000));
            frames.add(switch (i % 3 == 0 ? rnd.nextInt(4) : -1) {
                case 0 -> "{\"uid\":\"" + uid + "\",\"ts\":\"" + ts + "\"}";
                case 1 -> "{\"uid\":\"" + uid + "\",\"ts\":" + ts + ".5}";
                case 2 -> "{\"uid\":\"" + uid + "\",\"ts\":" + ts;
                case 3 -> "[\"" + uid + "\"," + ts + "]";
                default -> "{\"uid\":\"" + uid + "\",\"ts\":" + ts + ",\"meta\":{\"uid\":\"nested\",\"ts\":1}}";
            });
        }
        return frames;
    }

    private static Process start(List<String> args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DeadLetterCrashChild.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** The child's output up to and including the first line starting with {@code signal}; fails if it exits first. */
    private static List<String> linesUntil(Process child, String signal) throws Exception {
        List<String> lines = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
            if (line.startsWith(signal)) {
                return lines;
            }
        }
        throw new AssertionError("child ended without " + signal + ":\n" + String.join("\n", lines));
    }

    private static long offsetOf(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in " + lines));
    }

    /** The origin offsets of the letters in {@code dlq}, in topic order, each checked to come from {@code in}. */
    private static List<Long> letteredOffsets(EmbeddedKafka kafka, String dlq, String in) {
        List<Long> offsets = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(dlq, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    assertThat(header(r, DeadLetters.HEADER_TOPIC)).isEqualTo(in);
                    assertThat(header(r, DeadLetters.HEADER_PARTITION)).isEqualTo("0");
                    offsets.add(Long.parseLong(header(r, DeadLetters.HEADER_OFFSET)));
                }
            }
        }
        return offsets;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
