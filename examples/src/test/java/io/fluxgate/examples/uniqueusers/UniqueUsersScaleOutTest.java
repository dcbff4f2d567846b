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
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out: three instances ({@code --role both}, child JVMs) in one group split a uid-keyed input of six
 * partitions; one is killed ({@code destroyForcibly}) while it holds partitions it has not finished; the two others
 * take them over and finish, and the output each of them writes equals the reference model applied to each input
 * partition on its own (each partition has its own watermark) and summed over partitions; on both group protocols,
 * with short sessions ({@link TestGroups}). Approximate mode merges the
 * partitions' sketches: the estimate is within the sketch's error of the exact count.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class UniqueUsersScaleOutTest {

    private static final int PARTITIONS = 6;
    /** The victim's pace: its third of the input lasts a few seconds past its commit interval and the group's forming. */
    private static final int VICTIM_RECORDS_PER_SECOND = 5000;
    private static final Pattern PID = Pattern.compile("-(\\d+)$");
    private static final Pattern UID = Pattern.compile("^\\{\"uid\":\"(u\\d+)\",\"ts\":");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "group.protocol={0}")
    @MethodSource("io.fluxgate.examples.uniqueusers.TestGroups#protocols")
    void threeInstancesOneKilledMidRunGiveTheExactCount(GroupProtocol protocol, EmbeddedKafka kafka) throws Exception {
        String p = protocol.name().toLowerCase(java.util.Locale.ROOT);
        String in = "so-in-" + p;
        String group = "so-" + p;
        List<String> lines = input(new SplittableRandom(17), 120_000, 3000, 3000, 200);
        loadKeyedByUid(kafka, in, "so-out-" + p, lines);
        List<String> expected = expected(lines, 5);
        List<String> flags = new ArrayList<>(List.of("--input-topic=" + in, "--output-topic=so-out-" + p,
                "--group-id=" + group));
        flags.addAll(TestGroups.flags(kafka, group, protocol));

        List<Process> children = new ArrayList<>();
        try {
            // the victim is paced and holds at its first commit once the test arms it (CommitKillPoint): it is killed
            // holding partitions it has not finished, one with committed progress, however fast the machine
            List<String> victimFlags = new ArrayList<>(flags);
            victimFlags.add("--consumer-property=interceptor.classes=" + CommitKillPoint.class.getName());
            Path arm = dir.resolve("arm-kill-point");
            List<String> victimJvm = List.of("-D" + CommitKillPoint.ARM_PROPERTY + "=" + arm,
                    "-D" + CommitKillPoint.RATE_PROPERTY + "=" + VICTIM_RECORDS_PER_SECOND);
            for (int i = 0; i < 3; i++) {
                children.add(i == 0 ? child(kafka, i, victimJvm, victimFlags) : child(kafka, i, List.of(), flags));
            }
            Process victim = children.get(0);
            try (Admin admin = kafka.admin()) {
                Map<TopicPartition, Long> ends = endOffsets(admin, in);
                // armed once all three share the input: a commit made while the victim's partitions are revoked as
                // the others join would hold it inside that rebalance, with its partitions nobody's
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                boolean killed = false;
                while (!killed && victim.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    Map<Long, Set<TopicPartition>> assignment = assignment(admin, group);
                    Set<TopicPartition> held = assignment.getOrDefault(victim.pid(), Set.of());
                    Map<TopicPartition, Long> committed = committed(admin, group);
                    boolean unfinished = held.stream().anyMatch(tp -> committed.getOrDefault(tp, 0L) < ends.get(tp));
                    if (!Files.exists(arm)) {
                        boolean shared = assignment.size() == 3 && assignment.values().stream().noneMatch(Set::isEmpty);
                        if (shared && unfinished) {
                            Files.createFile(arm);
                        }
                        continue;
                    }
                    boolean progress = held.stream().anyMatch(tp -> committed.getOrDefault(tp, 0L) > 0);
                    if (log(0).contains(CommitKillPoint.SIGNAL) && progress && unfinished) {
                        victim.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                        killed = true;
                    }
                }
                assertThat(killed).as("the victim was killed mid-run (armed: %s):%n%s", Files.exists(arm), log(0))
                        .isTrue();
            }
            for (int i = 1; i < 3; i++) {
                assertThat(children.get(i).waitFor(120, TimeUnit.SECONDS)).as("instance %d finishes", i).isTrue();
                assertThat(children.get(i).exitValue()).as(log(i)).isZero();
                assertThat(Files.readAllLines(dir.resolve("out-" + i + ".jsonl"))).as("instance %d's output", i)
                        .containsExactlyElementsOf(expected);
                // the survivors went through a rebalance (the victim's partitions moved to them): a normal event,
                // which must not be logged as an error (issue #24: onErrorDropped, "JoinGroup failed ... fenced")
                assertThat(Files.readAllLines(dir.resolve("child-" + i + ".log")))
                        .as("instance %d's log after a rebalance", i)
                        .noneMatch(line -> line.contains(" ERROR ") || line.contains("onErrorDropped"));
            }
        } finally {
            children.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void approximateModeMergesThePartitionsSketches(EmbeddedKafka kafka) throws IOException {
        // ~30,000 users per window: each partition's sketch is past its exact (list) mode
        List<String> lines = input(new SplittableRandom(23), 150_000, 1_000_000, 300, 0);
        Path input = dir.resolve("input.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        Path output = dir.resolve("approx.jsonl");
        StringWriter err = new StringWriter();
        // one process, both roles: the app's own load keys the frames by uid
        int code = UniqueUsersApp.run(new String[] {"--bootstrap-servers=" + kafka.bootstrapServers(),
            "--input-topic=approx-in", "--output-topic=approx-out", "--group-id=approx", "--role=both",
            "--mode=approximate", "--partitions=" + PARTITIONS, "--input-file=" + input, "--output-file=" + output,
            "--no-progress"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();

        Map<Long, Long> exact = counts(expected(lines, 5));
        Map<Long, Long> estimated = counts(Files.readAllLines(output));
        assertThat(estimated.keySet()).isEqualTo(exact.keySet());
        assertThat(exact.values()).allMatch(n -> n > 10_000);
        // lgK 12: relative standard error 1.6%; 3 standard errors
        exact.forEach((ts, n) -> assertThat((double) estimated.get(ts)).as("window %d", ts)
                .isCloseTo(n, org.assertj.core.data.Offset.offset(0.05 * n)));
        assertThat(estimated).isNotEqualTo(exact); // an estimate, not a sum of exact counts
    }

    /** Frames over about {@code seconds} of event time, some disorder beyond the 5 s lateness, some malformed lines. */
    private static List<String> input(SplittableRandom random, int count, int users, int seconds, int pad) {
        List<String> lines = new ArrayList<>(count);
        long ts = 1_700_000_000L;
        String padding = pad == 0 ? "" : ",\"pad\":\"" + "p".repeat(pad) + "\"";
        for (int i = 0; i < count; i++) {
            ts += random.nextInt(count / seconds) == 0 ? 1 : 0;
            long t = ts - (random.nextInt(20) == 0 ? random.nextInt(12) : 0);
            lines.add(random.nextInt(500) == 0 ? "{\"uid\":\"bad\"}"
                    : "{\"uid\":\"u" + random.nextInt(users) + "\",\"ts\":" + t + padding + "}");
        }
        return lines;
    }

    /** The uid of a valid frame of {@link #input}, else null (a malformed line has no key). */
    private static String uid(String line) {
        Matcher m = UID.matcher(line);
        return m.find() ? m.group(1) : null;
    }

    private static void loadKeyedByUid(EmbeddedKafka kafka, String topic, String out, List<String> lines)
            throws IOException {
        Path file = Files.createTempFile("scale-out", ".jsonl");
        try (Topics topics = new Topics(kafka.bootstrapServers())) {
            Files.write(file, lines, StandardCharsets.UTF_8);
            topics.ensure(List.of(topic, out, topic + ".dlq"), PARTITIONS);
            ConsoleReporter quiet = new ConsoleReporter(false, new PrintWriter(new StringWriter()));
            new FrameLoader(kafka.bootstrapServers(), topic, line -> {
                String uid = uid(new String(line, StandardCharsets.UTF_8));
                return uid == null ? null : uid.getBytes(StandardCharsets.UTF_8);
            }).loadFile(file.toString(), 0, quiet);
            topics.markLoaded(topic);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The reference model applied to each partition's frames in order (a frame keyed by uid goes to Kafka's default
     * partition for that key), the counts summed per window: partitions have disjoint users.
     */
    private static List<String> expected(List<String> lines, long lateness) {
        Map<Integer, List<byte[]>> byPartition = lines.stream().filter(l -> uid(l) != null).collect(Collectors.groupingBy(
                l -> Utils.toPositive(Utils.murmur2(uid(l).getBytes(StandardCharsets.UTF_8))) % PARTITIONS,
                Collectors.mapping(l -> l.getBytes(StandardCharsets.UTF_8), Collectors.toList())));
        Map<Long, Long> sums = new TreeMap<>();
        byPartition.values().forEach(frames -> ReferenceModel.run(frames, 60, lateness).results
                .forEach(r -> sums.merge(r.ts(), r.cnt(), Long::sum)));
        return sums.entrySet().stream().map(e -> new ReferenceModel.Result(e.getKey(), e.getValue()).json()).toList();
    }

    private static Map<Long, Long> counts(List<String> jsonLines) {
        Pattern p = Pattern.compile("\\{\"ts\":(-?\\d+),\"cnt\":(\\d+)}");
        Map<Long, Long> m = new TreeMap<>();
        for (String line : jsonLines) {
            Matcher matcher = p.matcher(line);
            assertThat(matcher.matches()).as(line).isTrue();
            m.put(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)));
        }
        return m;
    }

    private static Path appLogbackConfiguration() {
        try {
            return Path.of(UniqueUsersApp.class.getResource("/logback.xml").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Process child(EmbeddedKafka kafka, int i, List<String> jvmOptions, List<String> flags) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                // the app's own logging configuration, not the tests' (logback-test.xml is on this class path too):
                // what an operator of the app sees is what is checked
                "-Dlogback.configurationFile=" + appLogbackConfiguration(),
                "-cp", System.getProperty("java.class.path"), UniqueUsersApp.class.getName(),
                "--bootstrap-servers=" + kafka.bootstrapServers(), "--role=both", "--lateness=5s", "--no-progress",
                "--threads=1", "--output-file=" + dir.resolve("out-" + i + ".jsonl")));
        command.addAll(flags);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child-" + i + ".log").toFile())
                .start();
    }

    private String log(int i) throws IOException {
        return Files.readString(dir.resolve("child-" + i + ".log"));
    }

    /**
     * The partitions each instance holds, by the pid its static member id ends with; none while the group does not
     * exist yet (Kafka 4's admin says so with GroupIdNotFoundException, 3.9's described a dead group).
     */
    private static Map<Long, Set<TopicPartition>> assignment(Admin admin, String groupId) throws Exception {
        ConsumerGroupDescription group;
        try {
            group = admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
        Map<Long, Set<TopicPartition>> out = new java.util.HashMap<>();
        for (MemberDescription m : group.members()) {
            Matcher pid = PID.matcher(m.groupInstanceId().orElse(""));
            if (pid.find()) {
                out.put(Long.parseLong(pid.group(1)), Set.copyOf(m.assignment().topicPartitions()));
            }
        }
        return out;
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> out = new TreeMap<>(java.util.Comparator.comparingInt(TopicPartition::partition));
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, om) -> {
            if (om != null) {
                out.put(tp, om.offset());
            }
        });
        return out;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String in) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request = new java.util.HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(in, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new java.util.HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }
}
