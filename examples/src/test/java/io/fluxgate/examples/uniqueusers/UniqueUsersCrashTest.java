package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 mid-count: the app runs in a child JVM against the test's broker and is killed with
 * {@link Process#destroyForcibly()} twice (once under the consumer protocol), each at its first commit ({@link CommitKillPoint}); a last run with the same
 * group id then finishes, and its output file (the output topic, last write per window) equals the reference
 * model's output for the whole input. On both group protocols (classic, and KIP-848's consumer protocol), with short
 * sessions ({@link TestGroups}) so that a restart waits less for the dead member.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class UniqueUsersCrashTest {

    /**
     * Kills under the classic protocol: two, the second at a commit made by a restarted run; under the consumer
     * protocol one (its restart is the same code; CI time).
     */
    private static int kills(GroupProtocol protocol) {
        return protocol == GroupProtocol.CLASSIC ? 2 : 1;
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "group.protocol={0}")
    @MethodSource("io.fluxgate.examples.uniqueusers.TestGroups#protocols")
    void killedAtItsCommitsAndRestartedGivesTheUninterruptedResult(GroupProtocol protocol, EmbeddedKafka kafka)
            throws Exception {
        String p = protocol.name().toLowerCase(java.util.Locale.ROOT);
        String in = "crash-in-" + p;
        String group = "crash-" + p;
        SplittableRandom random = new SplittableRandom(11);
        List<String> lines = new ArrayList<>();
        long ts = 1_700_000_000L;
        for (int i = 0; i < 60_000; i++) {
            ts += random.nextInt(4) == 0 ? 1 : 0;
            long t = ts - (random.nextInt(20) == 0 ? random.nextInt(12) : 0);
            lines.add(random.nextInt(500) == 0 ? "{\"uid\":\"bad\"}"
                    : "{\"uid\":\"u" + random.nextInt(3000) + "\",\"ts\":" + t + ",\"pad\":\"" + "p".repeat(200) + "\"}");
        }
        Path input = dir.resolve("input.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers=" + kafka.bootstrapServers(),
                "--input-file=" + input, "--input-topic=" + in, "--output-topic=crash-out-" + p, "--group-id=" + group,
                "--lateness=5s", "--no-progress"));
        args.addAll(TestGroups.flags(kafka, group, protocol));

        // The load is complete before the children start (an interrupted load is another test's subject), so every
        // kill lands while a child is counting and committing.
        try (Topics topics = new Topics(kafka.bootstrapServers())) {
            topics.ensure(List.of(in, "crash-out-" + p, in + ".dlq"), 1);
            ConsoleReporter quiet = new ConsoleReporter(false, new PrintWriter(new StringWriter()));
            new FrameLoader(kafka.bootstrapServers(), in, null).loadFile(input.toString(), 0, quiet);
            topics.markLoaded(in);
        }

        // Each child is killed at a known point: its first commit of a window checkpoint, which it announces and
        // then holds (CommitKillPoint); the restart must resume from there with the window state stored with it.
        List<String> childArgs = new ArrayList<>(args);
        childArgs.add("--consumer-property=interceptor.classes=" + CommitKillPoint.class.getName());
        long lastCommitted = -1;
        try (Admin admin = kafka.admin()) {
            for (int kill = 0; kill < kills(protocol); kill++) {
                Path log = dir.resolve("child-" + kill + ".log");
                Process child = child(childArgs, log);
                try {
                    awaitKillPoint(child, log);
                    long committed = committedOffset(admin, group, in);
                    assertThat(committed).as("child %d committed progress of its own", kill)
                            .isGreaterThan(lastCommitted).isLessThan(lines.size());
                    lastCommitted = committed;
                } finally {
                    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
        }

        Path output = dir.resolve("out.jsonl");
        List<String> last = new ArrayList<>(args);
        last.add("--output-file=" + output);
        StringWriter err = new StringWriter();
        int code = UniqueUsersApp.run(last.toArray(String[]::new), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();

        List<String> expected = ReferenceModel.run(lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList(),
                60, 5).jsonLines();
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(expected);
    }

    /** Waits for the child's kill-point line; fails if it exits first or says nothing within 90 s. */
    private static void awaitKillPoint(Process child, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(log).contains(CommitKillPoint.SIGNAL)) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("child did not reach its kill point (alive: " + child.isAlive() + "):\n"
                        + Files.readString(log));
            }
            Thread.sleep(10);
        }
    }

    private static long committedOffset(Admin admin, String group, String in) throws Exception {
        var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        var mark = offsets.get(new org.apache.kafka.common.TopicPartition(in, 0));
        return mark == null ? -1 : mark.offset();
    }

    private static Process child(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(UniqueUsersApp.class.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
