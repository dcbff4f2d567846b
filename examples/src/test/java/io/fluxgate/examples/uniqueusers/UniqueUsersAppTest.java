package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.jdbc.PostgresSettings;
import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import io.fluxgate.kafka.embedded.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The whole app against the real embedded broker: input file in, output file and topic out. */
@ExtendWith(EmbeddedKafkaExtension.class)
class UniqueUsersAppTest {

    /** The same app, with {@code --postgres} into a schema of this test class's own. */
    @Nested
    @ExtendWith(PostgresExtension.class)
    class WithPostgres {
        @Test
        void postgresGetsOneRowPerWindowUpsertedByWindow(EmbeddedKafka kafka, PostgresTestSchema schema) throws IOException {
            Path input = write(List.of(
                    "{\"uid\":\"a\",\"ts\":100}",
                    "{\"uid\":\"b\",\"ts\":110}",
                    "{\"uid\":\"c\",\"ts\":200}",
                    "{\"uid\":\"c\",\"ts\":290}"));

            assertThat(app(kafka, schema.settings(), "--input-file=" + input, "--postgres", "--lateness=0s"))
                    .as(err.toString()).isZero();

            List<String> rows = Flux.usingWhen(schema.connectionFactory().create(),
                            c -> Flux.from(c.createStatement("SELECT window_start, window_seconds, cnt, events FROM "
                                            + "unique_users ORDER BY window_start").execute())
                                    .flatMap(r -> r.map((row, md) -> row.get(0, Long.class) + "/" + row.get(1, Long.class)
                                            + "/" + row.get(2, Long.class) + "/" + row.get(3, Long.class))),
                            c -> c.close())
                    .collectList().block(Duration.ofSeconds(30));
            assertThat(rows).containsExactly("60/60/2/2", "180/60/1/1", "240/60/1/1");
        }

        @Test
        void whatMainRunsBeforeExitLeavesNoDriverThreadInNativeCodeAndALaterRunConnectsAgain(EmbeddedKafka kafka,
                PostgresTestSchema schema) throws IOException, InterruptedException {
            Path input = write(List.of("{\"uid\":\"a\",\"ts\":100}", "{\"uid\":\"b\",\"ts\":200}"));
            assertThat(app(kafka, schema.settings(), "--input-file=" + input, "--postgres", "--lateness=0s"))
                    .as(err.toString()).isZero();
            assertThat(driverThreads()).as("--postgres ran on the driver's shared event loops").isNotEmpty();

            int n = RUN.incrementAndGet();
            assertThat(UniqueUsersApp.runBeforeExit(new String[] {"--bootstrap-servers=" + kafka.bootstrapServers(),
                "--input-topic=in-" + n, "--output-topic=out-" + n, "--group-id=g-" + n, "--no-progress",
                "--input-file=" + input, "--postgres", "--lateness=0s"}, new PrintWriter(out, true),
                    new PrintWriter(err, true), schema.settings(), GracefulStop.none())).as(err.toString()).isZero();

            // what the JVM's exit waits for (up to 300 ms): a thread in native code, such as a loop in epoll_wait
            for (Thread loop : driverThreads()) {
                assertThat(loop.getStackTrace()).as(loop.getName() + " once runBeforeExit returned")
                        .noneMatch(StackTraceElement::isNativeMethod);
                loop.join(10_000);
            }
            assertThat(driverThreads()).isEmpty();
            // windows of their own in this class's schema: the later run wrote them on new loops
            Path later = write(List.of("{\"uid\":\"a\",\"ts\":100000}", "{\"uid\":\"b\",\"ts\":100001}"));
            assertThat(app(kafka, schema.settings(), "--input-file=" + later, "--postgres", "--lateness=0s"))
                    .as(err.toString()).isZero();
            assertThat(Flux.usingWhen(schema.connectionFactory().create(),
                            c -> Flux.from(c.createStatement("SELECT cnt FROM unique_users WHERE window_start = 99960")
                                    .execute()).flatMap(r -> r.map((row, md) -> row.get(0, Long.class))),
                            c -> c.close())
                    .collectList().block(Duration.ofSeconds(30))).containsExactly(2L);
        }

        /** The live threads of reactor-netty's shared TCP event loops, which r2dbc-postgresql's connections run on. */
        private List<Thread> driverThreads() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> th.isAlive() && th.getName().startsWith("reactor-tcp-"))
                    .toList();
        }
    }

    private static final AtomicInteger RUN = new AtomicInteger();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int app(EmbeddedKafka kafka, String... args) {
        return app(kafka, null, args);
    }

    int app(EmbeddedKafka kafka, PostgresSettings postgres, String... args) {
        int n = RUN.incrementAndGet();
        List<String> all = new ArrayList<>(List.of(
                "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--input-topic=in-" + n, "--output-topic=out-" + n, "--group-id=g-" + n, "--no-progress"));
        all.addAll(List.of(args));
        return UniqueUsersApp.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true),
                postgres);
    }

    Path write(List<String> lines) throws IOException {
        Path file = dir.resolve("input.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void handWorkedExample(EmbeddedKafka kafka) throws IOException {
        Path input = write(List.of(
                "{\"uid\":\"a\",\"ts\":100}",              // window 60
                "{\"uid\":\"b\",\"ts\":110}",              // window 60
                "{\"uid\":\"a\",\"ts\":119}",              // window 60, a again
                "",                                         // blank: skipped
                "{\"uid\":\"c\",\"ts\":125}",              // W=120 closes [60,120) -> {"ts":60,"cnt":2}
                "{\"uid\":\"d\",\"ts\":118}",              // late: [60,120) is closed
                "{\"uid\":\"e\",\"ts\":1.5e2}",            // malformed: float ts
                "{\"uid\":\"\",\"ts\":130}",               // malformed: empty uid
                "{\"x\":{\"uid\":\"f\",\"ts\":130}}",      // malformed: uid/ts not at the root
                "{\"uid\":\"g\",\"ts\":\"130\"}",          // malformed: ts is a string
                "not json",                                  // malformed
                "{\"uid\":\"h\",\"ts\":179,\"n\":{\"ts\":1}}", // window 120; nested ts ignored
                "{\"uid\":\"c\",\"ts\":-1}"));             // late (window -60)
        Path output = dir.resolve("out.jsonl");

        assertThat(app(kafka, "--input-file=" + input, "--output-file=" + output, "--lateness=5s")).as(err.toString()).isZero();

        assertThat(Files.readAllLines(output)).containsExactly(
                "{\"ts\":60,\"cnt\":2}",
                "{\"ts\":120,\"cnt\":2}");
        assertThat(out.toString()).contains("late (dropped)", "malformed");
        assertThat(out.toString()).containsPattern("late \\(dropped\\)\\s+2\\b");
        assertThat(out.toString()).containsPattern("malformed\\s+5\\b");
    }

    /** Parsed on one thread (the default) or on two: the same results and counts. */
    @ParameterizedTest(name = "--threads={0}")
    @ValueSource(ints = {1, 2})
    void equalsTheReferenceModelOnADisorderedStreamWithBadLines(int threads, EmbeddedKafka kafka) throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        List<String> lines = new ArrayList<>();
        long ts = 1_700_000_000L;
        for (int i = 0; i < 20_000; i++) {
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
        Path input = write(lines);
        Path output = dir.resolve("out.jsonl");

        assertThat(app(kafka, "--input-file=" + input, "--output-file=" + output, "--lateness=7s", "--threads=" + threads))
                .as(err.toString()).isZero();

        ReferenceModel model = ReferenceModel.run(
                lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList(), 60, 7);
        assertThat(model.late).isPositive();
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(model.jsonLines());
        assertThat(out.toString()).containsPattern("late \\(dropped\\)\\s+" + String.format("%,d", model.late) + "\\b");
        assertThat(out.toString()).containsPattern("malformed\\s+" + String.format("%,d", model.malformed) + "\\b");
        // each malformed line is in the dead-letter topic, once
        try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
            org.apache.kafka.common.TopicPartition dlq = new org.apache.kafka.common.TopicPartition("in-" + RUN.get() + ".dlq", 0);
            long stored = admin.listOffsets(java.util.Map.of(dlq, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .partitionResult(dlq).get().offset();
            assertThat(stored).isEqualTo(model.malformed);
        }
    }

    @Test
    void anInterruptedLoadIsCarriedOnAndACompletedOneIsNotRepeated(EmbeddedKafka kafka) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            lines.add("{\"uid\":\"u" + (i % 97) + "\",\"ts\":" + (1000 + i / 10) + "}");
        }
        Path input = write(lines);
        int n = RUN.incrementAndGet();
        String topics = "--input-topic=resume-in-" + n;
        // The first 1234 lines reached the topic before the "crash"; the load was marked started, never complete.
        kafka.createTopic("resume-in-" + n, 1);
        try (Topics t = new Topics(kafka.bootstrapServers())) {
            t.markLoadStarted("resume-in-" + n, UniqueUsersJob.inputFingerprint(input.toString(), 42, 0));
        }
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(java.util.Map.of(
                "bootstrap.servers", kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (String line : lines.subList(0, 1234)) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("resume-in-" + n,
                        line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        Path output = dir.resolve("out.jsonl");
        List<String> common = List.of("--bootstrap-servers=" + kafka.bootstrapServers(), topics,
                "--output-topic=resume-out-" + n, "--group-id=resume-" + n, "--no-progress",
                "--input-file=" + input, "--output-file=" + output, "--lateness=0s");

        assertThat(UniqueUsersApp.run(common.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)))
                .as(err.toString()).isZero();
        assertThat(err.toString()).contains("holds the first 1234 records of an interrupted load");
        List<String> expected = ReferenceModel.run(lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList(),
                60, 0).jsonLines();
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(expected);

        // Run again: the input is complete, so it is not loaded a second time, and the result is the same.
        assertThat(UniqueUsersApp.run(common.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)))
                .as(err.toString()).isZero();
        assertThat(err.toString()).contains("already holds the 3000 loaded records");
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(expected);
    }

    @Test
    void aLineTooLargeForKafkaIsCountedAsMalformedAndTheRestGoesIn(EmbeddedKafka kafka) throws IOException {
        String huge = "{\"uid\":\"big\",\"ts\":100,\"pad\":\"" + "x".repeat(FrameLoader.MAX_LINE_BYTES) + "\"}";
        Path input = write(List.of("{\"uid\":\"a\",\"ts\":100}", huge, "{\"uid\":\"b\",\"ts\":101}"));
        Path output = dir.resolve("out.jsonl");

        assertThat(app(kafka, "--input-file=" + input, "--output-file=" + output)).as(err.toString()).isZero();

        assertThat(Files.readAllLines(output)).containsExactly("{\"ts\":60,\"cnt\":2}");
        assertThat(out.toString()).containsPattern("malformed\\s+1\\b");
    }

    @Test
    void readsStdinWithADashAndWritesEachSizeTaggedWhenThereAreSeveral(EmbeddedKafka kafka) throws IOException {
        byte[] input = String.join("\n",
                "{\"uid\":\"a\",\"ts\":30}",
                "{\"uid\":\"b\",\"ts\":90}",
                "{\"uid\":\"a\",\"ts\":3700}").getBytes(StandardCharsets.UTF_8);
        Path output = dir.resolve("out.jsonl");
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(input));
            assertThat(app(kafka, "--input-file=-", "--output-file=" + output, "--window=1m", "--window=1h",
                    "--lateness=0s")).as(err.toString()).isZero();
        } finally {
            System.setIn(stdin);
        }
        assertThat(Files.readAllLines(output)).containsExactly(
                "{\"ts\":0,\"cnt\":1,\"window\":\"1m\"}",
                "{\"ts\":0,\"cnt\":2,\"window\":\"1h\"}",
                "{\"ts\":60,\"cnt\":1,\"window\":\"1m\"}",
                "{\"ts\":3600,\"cnt\":1,\"window\":\"1h\"}",
                "{\"ts\":3660,\"cnt\":1,\"window\":\"1m\"}");
    }

    @Test
    void aTopicHoldingRecordsOfSomethingElseIsNotTakenForAnInterruptedLoad(EmbeddedKafka kafka) throws IOException {
        int n = RUN.incrementAndGet();
        kafka.createTopic("foreign-in-" + n, 1);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(java.util.Map.of(
                "bootstrap.servers", kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("foreign-in-" + n,
                    "{\"uid\":\"x\",\"ts\":1}".getBytes(StandardCharsets.UTF_8)));
        }
        Path input = write(List.of("{\"uid\":\"a\",\"ts\":100}", "{\"uid\":\"b\",\"ts\":101}"));
        String[] args = {"--bootstrap-servers=" + kafka.bootstrapServers(), "--input-topic=foreign-in-" + n,
            "--output-topic=foreign-out-" + n, "--group-id=foreign-" + n, "--no-progress", "--input-file=" + input};

        assertThat(UniqueUsersApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(1);
        assertThat(err.toString()).contains("already holds 1 records that are not a finished load of this input");
    }
}
