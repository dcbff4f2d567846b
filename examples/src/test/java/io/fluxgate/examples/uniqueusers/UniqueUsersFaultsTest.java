package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import io.fluxgate.kafka.internal.CheckpointCodec;
import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 24 on the unique-users app, through the app's own process (a child JVM, as
 * {@link UniqueUsersCrashTest} runs it) against the test's broker: a line far larger than the child's heap, and
 * SIGTERM in the middle of a run. Plus the output topic's cleanup policy and a frame starting with a byte-order mark.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class UniqueUsersFaultsTest {

    @TempDir
    Path dir;

    private static List<String> frames(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        long ts = 1_700_000_000L;
        for (int i = 0; i < n; i++) {
            ts += random.nextInt(3) == 0 ? 1 : 0;
            lines.add("{\"uid\":\"u" + random.nextInt(2000) + "\",\"ts\":" + (ts - random.nextInt(4)) + "}");
        }
        return lines;
    }

    private static List<String> expected(List<String> lines) {
        return ReferenceModel.run(lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList(), 60, 5)
                .jsonLines();
    }

    // -------------------------------------------------------------------------- 6: a line larger than the heap

    @Test
    void aLineLargerThanTheHeapIsSkippedWhileStreamingCountedAndItsHeadDeadLettered(EmbeddedKafka kafka)
            throws Exception {
        List<String> before = frames(3000, 1);
        List<String> after = frames(3000, 2).stream().map(l -> l.replace("1700", "1701")).toList();
        Path input = dir.resolve("input.jsonl");
        long huge = 300L << 20; // 300 MiB, under -Xmx128m
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(input), 1 << 20)) {
            for (String l : before) {
                out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
            }
            byte[] head = "{\"uid\":\"giant\",\"ts\":1700000000,\"pad\":\"".getBytes(StandardCharsets.UTF_8);
            out.write(head);
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'a');
            for (long written = head.length; written < huge; written += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, huge - written));
            }
            out.write('\n');
            for (String l : after) {
                out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Path output = dir.resolve("out.jsonl");
        Path log = dir.resolve("child.log");
        Process child = child("-Xmx128m", log, "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--input-file=" + input, "--input-topic=long-in", "--output-topic=long-out", "--group-id=long",
                "--output-file=" + output, "--no-progress");
        try {
            assertThat(child.waitFor(180, TimeUnit.SECONDS)).as("the child finished").isTrue();
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(input);
        }
        String text = Files.readString(log);
        assertThat(child.exitValue()).as(text).isZero();
        assertThat(text).doesNotContain("OutOfMemoryError", "Exception")
                .containsPattern("rejected at load +1 lines larger than a Kafka record")
                .containsPattern("malformed +1 \\(dead-lettered\\)");
        List<String> all = new ArrayList<>(before);
        all.addAll(after);
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(expected(all));

        // the dead letter holds the line's length and first bytes
        List<String> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                ResultFile.readerProperties(kafka.bootstrapServers()))) {
            TopicPartition tp = new TopicPartition("long-in.dlq", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(letters).singleElement().satisfies(l -> assertThat(l)
                .contains("a line of " + huge + " bytes, larger than a Kafka record may be")
                .contains("\"head\":\"{\\\"uid\\\":\\\"giant\\\",\\\"ts\\\":1700000000,\\\"pad\\\":\\\"aaaa"));
    }

    // -------------------------------------------------------------------------- 7: SIGTERM; 8: compacted output

    @Test
    void sigtermStopsGracefullyCommitsWhatWasEmittedAndPrintsTheSummary(EmbeddedKafka kafka) throws Exception {
        List<String> lines = frames(60_000, 3);
        Path input = dir.resolve("input.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        try (Topics topics = new Topics(kafka.bootstrapServers())) {
            topics.ensure(List.of("term-in", "term-in.dlq"), 1);
            ConsoleReporter quiet = new ConsoleReporter(false, new PrintWriter(new StringWriter()));
            new FrameLoader(kafka.bootstrapServers(), "term-in", null).loadFile(input.toString(), 0, quiet);
            topics.markLoaded("term-in");
        }
        List<String> expected = expected(lines);
        List<String> args = List.of("--bootstrap-servers=" + kafka.bootstrapServers(), "--input-topic=term-in",
                "--output-topic=term-out", "--group-id=term", "--no-progress");

        // without load flags the child follows the topic until stopped: wait until it has emitted all it can
        // (every window but the last ones, which stay open), then SIGTERM it (Process.destroy on Linux)
        Path log = dir.resolve("child.log");
        Process child = child("-Xmx256m", log, args.toArray(String[]::new));
        long exitNanos;
        try (Admin admin = kafka.admin()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (child.isAlive() && outputEnd(admin) < expected.size() - 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(child.isAlive()).as(Files.readString(log)).isTrue();
            long signalled = System.nanoTime();
            child.destroy();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            exitNanos = System.nanoTime() - signalled;

            String text = Files.readString(log);
            assertThat(child.exitValue()).as(text).isZero();
            assertThat(Duration.ofNanos(exitNanos)).as("graceful stop within its bound")
                    .isLessThan(GracefulStop.DEFAULT_BOUND);
            assertThat(text).contains("unique-users: SIGTERM: stopping", "unique-users summary")
                    .containsPattern("stopped +by SIGTERM");

            // the final commit covers every window written to the output topic
            long lastStart = ResultFile.lastValuePerKey(kafka.bootstrapServers(),
                            Map.of(new TopicPartition("term-out", 0), (long) outputEnd(admin)))
                    .keySet().stream().mapToLong(Long::parseLong).max().orElseThrow();
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets("term").partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition("term-in", 0));
            assertThat(committed).isNotNull();
            CheckpointCodec.State state = CheckpointCodec.decode(committed.metadata());
            assertThat(state.emittedUpTo()).containsEntry(Duration.ofMinutes(1), lastStart + 60);

            // 8: the output topic the app created is compacted, as results are keyed by window
            ConfigResource out = new ConfigResource(ConfigResource.Type.TOPIC, "term-out");
            assertThat(admin.describeConfigs(List.of(out)).all().get().get(out).get("cleanup.policy").value())
                    .isEqualTo("compact");
        } finally {
            child.destroyForcibly();
        }

        // and nothing was lost: a run to the end with the same group gives the uninterrupted result
        Path output = dir.resolve("out.jsonl");
        List<String> last = new ArrayList<>(args);
        last.add("--input-file=" + input); // already loaded: read to the end, not loaded again
        last.add("--output-file=" + output);
        StringWriter err = new StringWriter();
        int code = UniqueUsersApp.run(last.toArray(String[]::new), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(expected);
    }

    private static int outputEnd(Admin admin) throws Exception {
        TopicPartition tp = new TopicPartition("term-out", 0);
        try {
            return (int) (long) admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all().get().get(tp).offset();
        } catch (java.util.concurrent.ExecutionException e) {
            return 0; // not created yet
        }
    }

    // -------------------------------------------------------------------------- 9: a byte-order mark

    @Test
    void aFrameStartingWithAByteOrderMarkIsCountedAsTheSameFrameWithout() {
        // decided: a UTF-8 BOM before the object is skipped (RFC 8259 section 8.1 lets a parser ignore it), as
        // bin/ingest skips one at the start of a file; anywhere else it is text, and outside a string malformed
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] frame = "{\"uid\":\"u1\",\"ts\":1700000000}".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[bom.length + frame.length];
        System.arraycopy(bom, 0, withBom, 0, bom.length);
        System.arraycopy(frame, 0, withBom, bom.length, frame.length);
        RootFrameReader reader = RootFrameReader.ofDefaults();
        assertThat(reader.read(withBom)).isInstanceOfSatisfying(FrameResult.Frame.class, f -> {
            assertThat(f.uid()).isEqualTo("u1");
            assertThat(f.ts()).isEqualTo(1_700_000_000L);
        });
        byte[] bomInside = "{\"uid\":\"u1\",\"ts\":1700000000}".replace(",", ",\uFEFF").getBytes(StandardCharsets.UTF_8);
        assertThat(reader.read(bomInside)).isInstanceOf(FrameResult.Malformed.class);
    }

    @Test
    void theSummarySaysThatTheReplayedSkippedCountIsFrames() {
        AppSummary s = new AppSummary(100, 90, 3, 0, 0, 0, 7, 0, Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(1), UniqueUsersApp.Role.SINGLE, -1, null);
        assertThat(s.render()).contains("replayed, skipped  7 frames (of windows emitted before a restart)")
                .doesNotContain("stopped");
        AppSummary stopped = new AppSummary(100, 90, 3, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(1), UniqueUsersApp.Role.SINGLE, -1, "SIGTERM");
        assertThat(stopped.render()).contains("stopped            by SIGTERM: what was emitted is written and"
                + " committed");
    }

    private Process child(String heap, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(heap);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(UniqueUsersApp.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
