package io.fluxgate.benchmarks.peers;

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
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.benchmarks.peers.KafkaStreamsUniqueUsers.Store;
import io.fluxgate.benchmarks.peers.KafkaStreamsUniqueUsers.Variant;
import io.fluxgate.examples.uniqueusers.UniqueUsersApp;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka Streams job of the peer benchmark computes what the app computes: on the project's adversarial inputs
 * (the app tests' hand-worked example and their disordered stream with malformed lines, and the app's own generator
 * with its late and malformed frames), the exact job's windows (in-memory store; RocksDB on the small input) equal the app's output
 * file line for line, and the HLL job's estimates are within 5% (3 standard errors of lgK 12) of them. The app runs
 * for real on the embedded broker; the Kafka Streams job runs in a {@link TopologyTestDriver} (deterministic, no
 * threads), fed the same lines followed by the push record that closes its last windows.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class KafkaStreamsMatchesTheAppTest {

    private static final AtomicInteger RUN = new AtomicInteger();
    private static final List<String> HAND_WORKED_WINDOWS =
            List.of("{\"ts\":60,\"cnt\":2}", "{\"ts\":120,\"cnt\":2}", "{\"ts\":180,\"cnt\":1}");
    /** The three inputs one after the other (their event times do not overlap), so the app runs once. */
    private static final List<String> INPUT = new ArrayList<>();
    private static List<String> app;

    @TempDir
    static Path dir;

    @BeforeAll
    static void runTheAppOnTheInputs(EmbeddedKafka kafka) throws IOException {
        INPUT.addAll(handWorked());
        INPUT.addAll(generated());
        INPUT.addAll(disorderedWithBadLines());
        app = app(kafka, INPUT);
    }

    /** UniqueUsersAppTest's hand-worked example: late, blank, float, empty, nested, string, non-JSON, negative. */
    private static List<String> handWorked() {
        return List.of(
                "{\"uid\":\"a\",\"ts\":100}",
                "{\"uid\":\"b\",\"ts\":110}",
                "{\"uid\":\"a\",\"ts\":119}",
                "",
                "{\"uid\":\"c\",\"ts\":125}",
                "{\"uid\":\"d\",\"ts\":118}",
                "{\"uid\":\"e\",\"ts\":1.5e2}",
                "{\"uid\":\"\",\"ts\":130}",
                "{\"x\":{\"uid\":\"f\",\"ts\":130}}",
                "{\"uid\":\"g\",\"ts\":\"130\"}",
                "not json",
                "{\"uid\":\"h\",\"ts\":179,\"n\":{\"ts\":1}}",
                "{\"uid\":\"c\",\"ts\":-1}",
                "{\"uid\":\"i\",\"ts\":185} trailing",
                "{\"uid\":\"j\",\"ts\":190,\"uid\":\"k\"}");
    }

    /** UniqueUsersAppTest's disordered stream: 1 in 10 up to 30 s back, bad lines of four kinds. */
    private static List<String> disorderedWithBadLines() {
        SplittableRandom random = new SplittableRandom(3);
        List<String> lines = new ArrayList<>();
        long ts = 1_700_010_000L; // after the generator's frames
        for (int i = 0; i < 1_500; i++) {
            ts += random.nextInt(3) == 0 ? 1 : 0;
            long t = ts - (random.nextInt(10) == 0 ? random.nextInt(30) : 0);
            int kind = random.nextInt(200);
            if (kind == 0) {
                lines.add("");
            } else if (kind == 1) {
                lines.add("{\"uid\":\"u" + random.nextInt(500) + "\",\"ts\":" + t + ".0}");
            } else if (kind == 2) {
                lines.add("{\"uid\":7,\"ts\":" + t + "}");
            } else if (kind == 3) {
                lines.add("[1,2,3]");
            } else {
                lines.add("{\"ts\":" + t + ",\"meta\":{\"uid\":\"x\"},\"uid\":\"u" + random.nextInt(500) + "\"}");
            }
        }
        return lines;
    }

    /** The app's generator (2 KB frames, nested uid/ts decoys, 5% disorder, 0.1% late, malformed) at 10 frames/s. */
    private static List<String> generated() {
        return io.fluxgate.examples.uniqueusers.GeneratedFrames.lines(7, 2_000, 10, 1_000);
    }

    private static List<String> app(EmbeddedKafka kafka, List<String> lines) throws IOException {
        int n = RUN.incrementAndGet();
        Path input = dir.resolve("in-" + n + ".jsonl");
        Path output = dir.resolve("out-" + n + ".jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        StringWriter err = new StringWriter();
        int code = UniqueUsersApp.run(new String[] {"--bootstrap-servers=" + kafka.bootstrapServers(),
            "--input-topic=peers-in-" + n, "--output-topic=peers-out-" + n, "--group-id=peers-" + n, "--no-progress",
            "--input-file=" + input, "--output-file=" + output, "--lateness=5s"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        return Files.readAllLines(output);
    }

    /** The Kafka Streams job's results in ascending window order, as the app's output file writes them. */
    private static List<String> kafkaStreams(List<String> lines, Variant variant, Store store) {
        try (TopologyTestDriver driver = new TopologyTestDriver(
                KafkaStreamsUniqueUsers.topology("in", "out", variant, store, f -> { }),
                KafkaStreamsUniqueUsers.settings("unused:9092", "peers-test", dir.resolve("state-" + RUN.incrementAndGet())))) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
            long maxTs = 0;
            for (String line : lines) {
                in.pipeInput(line.getBytes(StandardCharsets.UTF_8));
                KafkaStreamsUniqueUsers.Frame f = KafkaStreamsUniqueUsers.parse(line.getBytes(StandardCharsets.UTF_8));
                maxTs = f == null ? maxTs : Math.max(maxTs, f.ts());
            }
            in.pipeInput(("{\"uid\":\"~push\",\"ts\":" + (maxTs + 3600) + "}").getBytes(StandardCharsets.UTF_8));
            TreeMap<Long, String> byWindow = new TreeMap<>();
            out.readKeyValuesToList().forEach(kv -> byWindow.put(Long.parseLong(kv.key), kv.value));
            return List.copyOf(byWindow.values());
        }
    }

    @Test
    void theExactJobEqualsTheApp() {
        assertThat(kafkaStreams(INPUT, Variant.EXACT, Store.MEMORY)).as("in-memory store").containsExactlyElementsOf(app);
        // The driver commits after every record, and a RocksDB store flushes to a file on each commit (seconds per
        // thousand records): the RocksDB store on the small input only; the benchmark runs it on the whole topic.
        // Window 180: of the two lines added at 185 and 190, one with trailing text and one with a repeated uid, both
        // count one user.
        assertThat(kafkaStreams(handWorked(), Variant.EXACT, Store.ROCKSDB)).as("RocksDB store")
                .containsExactlyElementsOf(HAND_WORKED_WINDOWS);
        // the input holds what it is here for: the hand-worked example's windows, as the app test has them, and more
        assertThat(app).startsWith(HAND_WORKED_WINDOWS.toArray(String[]::new)).hasSizeGreaterThan(10);
    }

    @Test
    void theHllJobIsWithinThreeStandardErrorsOfTheApp() {
        List<String> got = kafkaStreams(INPUT, Variant.HLL, Store.MEMORY);
        assertThat(got).hasSameSizeAs(app);
        for (int i = 0; i < got.size(); i++) {
            long[] e = tsAndCount(app.get(i));
            long[] g = tsAndCount(got.get(i));
            assertThat(g[0]).isEqualTo(e[0]);
            assertThat((double) g[1]).as("window " + e[0])
                    .isCloseTo(e[1], org.assertj.core.data.Offset.offset(Math.max(1, e[1] * 0.05)));
        }
    }

    private static long[] tsAndCount(String json) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"ts\":(-?\\d+),\"cnt\":(\\d+)}").matcher(json);
        assertThat(m.matches()).as(json).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }
}
