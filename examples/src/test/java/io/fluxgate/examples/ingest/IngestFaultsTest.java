package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.jdbc.PostgresSettings;
import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The attacks of issue 24 on {@code bin/ingest}, against the real PostgreSQL: backends killed under a load, the
 * server "restarted" (for this test's connections only, through a proxy), the connection lost while the catalog is
 * read, hostile bytes, a stray quote, and a re-run over keys already in the table. Each test's connections carry an
 * application name of their own, and only those are ever killed: the server is shared.
 */
@ExtendWith(PostgresExtension.class)
class IngestFaultsTest {

    private static final AtomicInteger TABLES = new AtomicInteger();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private FileIngestApp.Result ingest(PostgresSettings settings, String... args) {
        List<String> all = new ArrayList<>(List.of("--errors=" + dir.resolve("errors.jsonl"), "--progress=none"));
        all.addAll(List.of(args));
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return FileIngestApp.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true),
                settings);
    }

    private static String table(PostgresTestSchema db, String columns) {
        String name = "f" + TABLES.incrementAndGet();
        db.execute("CREATE TABLE " + name + " " + columns);
        return name;
    }

    private static PostgresSettings named(PostgresTestSchema db, String applicationName) {
        return db.settings().toBuilder().applicationName(applicationName).build();
    }

    private Path csv(String name, int rows) throws IOException {
        Path file = dir.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("id,name\n");
            for (int i = 1; i <= rows; i++) {
                w.write(i + ",name-" + i + "\n");
            }
        }
        return file;
    }

    /** Every line of the error file, parsed by a strict JSON parser from strictly decoded UTF-8. */
    private List<JsonNode> errors() throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve("errors.jsonl"));
        String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.add(JsonMapper.shared().readTree(line));
            }
        }
        return out;
    }

    private static void assertExactAccounting(IngestSummary s, long parsed) {
        assertThat(s.rowsParsed()).isEqualTo(parsed);
        assertThat(s.rowsWritten() + s.rowsSkipped() + s.rowsRejected()).as("parsed = inserted + skipped + rejected")
                .isEqualTo(s.rowsParsed());
    }

    // ------------------------------------------------------------------------------ 1: killed pooled connections

    @Test
    void idlePooledConnectionsKilledDuringALoadAreRetriedAndEveryRowIsLoadedOnce(PostgresTestSchema db)
            throws Exception {
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        Path file = csv("a.csv", 100_000);
        String app = "fluxgate-faults-idle";
        FileIngestApp.Result r;
        long killed;
        try (BackendKiller killer = new BackendKiller(db.settings(), app, true, Duration.ofMillis(20), Long.MAX_VALUE)) {
            r = ingest(named(db, app), "--table=" + t, "--max-batch=500", "--batch-latency=50ms", "--retries=10",
                    file.toString());
            killed = killer.killed();
        }
        assertThat(killed).as("idle pooled connections killed").isPositive();
        assertThat(r.exitCode()).as(err + "\n" + out).isZero();
        assertExactAccounting(r.summary(), 100_000);
        assertThat(r.summary().rowsWritten()).isEqualTo(100_000);
        assertThat(r.summary().retries()).as("batches retried after a dead connection").isPositive();
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(100_000);
    }

    @Test
    void theServerRestartingDuringALoadCostsRetriesNotRows(PostgresTestSchema db) throws Exception {
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        Path file = csv("a.csv", 150_000);
        try (TcpProxy proxy = new TcpProxy(db.settings().host(), db.settings().port())) {
            PostgresSettings viaProxy = db.settings().toBuilder().port(proxy.port())
                    .applicationName("fluxgate-faults-restart").build();
            // down once a third of the file's size has gone to the server (however fast the load is): every
            // connection reset, new ones refused for a second, then back
            proxy.downAfterBytesToServer(Files.size(file) / 3);
            CompletableFuture<FileIngestApp.Result> run = CompletableFuture.supplyAsync(() -> ingest(viaProxy,
                    "--table=" + t, "--max-batch=1000", "--batch-latency=50ms", "--retries=10", file.toString()));
            assertThat(proxy.awaitDown(Duration.ofSeconds(60))).as("the proxy went down mid-load").isTrue();
            Thread.sleep(1000);
            proxy.up();
            FileIngestApp.Result r = run.get();
            assertThat(r.exitCode()).as(err + "\n" + out).isZero();
            assertExactAccounting(r.summary(), 150_000);
            assertThat(r.summary().retries()).as("batches retried across the restart").isPositive();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(150_000);
    }

    /**
     * The issue's own attack: the real server restarted (Debian's {@code pg_ctlcluster ... restart}, fast mode: every
     * backend terminated, the server down for about a second) while rows go in. Needs the local cluster's tools and
     * the right to use them (root, as on CI); without them it is skipped, except on CI, where it fails. Safe beside
     * the other tests: surefire runs this module's classes one after another.
     */
    @Test
    void theRealServerRestartedDuringALoadCostsRetriesNotRows(PostgresTestSchema db) throws Exception {
        List<String> restart = pgRestartCommand();
        if (restart == null) {
            org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CI") != null,
                    "pg_ctlcluster and a local cluster are needed to restart the server");
            throw new AssertionError("CI is set but PostgreSQL cannot be restarted here (pg_ctlcluster, /etc/postgresql)");
        }
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        Path file = csv("a.csv", 150_000);
        PostgresSettings settings = db.settings().toBuilder().applicationName("fluxgate-faults-real-restart").build();
        CompletableFuture<FileIngestApp.Result> run = CompletableFuture.supplyAsync(() -> ingest(settings,
                "--table=" + t, "--max-batch=1000", "--batch-latency=50ms", "--retries=10", file.toString()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (db.queryLong("SELECT count(*) FROM " + t) == 0 && !run.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Process p = new ProcessBuilder(restart).redirectErrorStream(true).start();
        String restartOutput = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("restart: " + restartOutput).isZero();
        FileIngestApp.Result r = run.get();
        assertThat(r.exitCode()).as(err + "\n" + out).isZero();
        assertExactAccounting(r.summary(), 150_000);
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(150_000);
    }

    /** {@code pg_ctlcluster <newest version> main restart -m fast}, or null where that cannot run. */
    private static List<String> pgRestartCommand() {
        Path etc = Path.of("/etc/postgresql");
        Path tool = Path.of("/usr/bin/pg_ctlcluster");
        if (!Files.isDirectory(etc) || !Files.isExecutable(tool) || !"root".equals(System.getProperty("user.name"))) {
            return null;
        }
        try (var versions = Files.list(etc)) {
            String version = versions.map(v -> v.getFileName().toString())
                    .max(java.util.Comparator.comparing(v -> v, IngestFaultsTest::compareVersions)).orElse(null);
            return version == null ? null
                    : List.of(tool.toString(), "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast");
        } catch (IOException e) {
            return null;
        }
    }

    private static int compareVersions(String a, String b) {
        try {
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    // ------------------------------------------------------------------------------ 2: the catalog's connection

    @Test
    void losingTheFirstConnectionWhileTheCatalogIsReadIsRetried(PostgresTestSchema db) throws Exception {
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        Path file = csv("a.csv", 1000);
        FileIngestApp.Result r;
        try (TcpProxy proxy = new TcpProxy(db.settings().host(), db.settings().port())) {
            // the first two connections of the run (the catalog read's, before any batch) are lost at their first query
            proxy.dropOnFirstQuery(2);
            r = ingest(db.settings().toBuilder().port(proxy.port()).build(), "--table=" + t, file.toString());
            assertThat(proxy.dropped()).isEqualTo(2);
        }
        assertThat(err.toString()).contains("reading the catalog failed (").contains("retry 2 of 5");
        assertThat(r.exitCode()).as(err + "\n" + out).isZero();
        assertExactAccounting(r.summary(), 1000);
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(1000);
    }

    @Test
    void aCatalogReadThatKeepsFailingEndsWithOneLineAndTheSummary(PostgresTestSchema db) throws Exception {
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        Path file = csv("a.csv", 10);
        FileIngestApp.Result r;
        try (TcpProxy proxy = new TcpProxy(db.settings().host(), db.settings().port())) {
            proxy.dropOnFirstQuery(Long.MAX_VALUE);
            r = ingest(db.settings().toBuilder().port(proxy.port()).build(), "--table=" + t, "--retries=2",
                    file.toString());
        }
        assertFailedWithSummary(r, "cannot read table \"" + t + "\" from the catalog (3 attempts)");

        // nothing listening at all: refused connections are retried the same way
        try (TcpProxy proxy = new TcpProxy(db.settings().host(), db.settings().port())) {
            proxy.down();
            r = ingest(db.settings().toBuilder().port(proxy.port()).build(), "--table=" + t, "--retries=1",
                    file.toString());
        }
        assertFailedWithSummary(r, "cannot read table \"" + t + "\" from the catalog (2 attempts)");
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isZero();
    }

    private void assertFailedWithSummary(FileIngestApp.Result r, String why) {
        assertThat(r.exitCode()).as(err + "\n" + out).isEqualTo(1);
        assertThat(out.toString()).startsWith("ingest summary: ").contains("FAILED", why);
        List<String> failed = err.toString().lines().filter(l -> l.startsWith("ingest: failed: ")).toList();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0)).contains(why);
        assertThat(err.toString()).doesNotContain("\tat ", "Exception in");
    }

    // ------------------------------------------------------------------------------ 3: malformed UTF-8

    @Test
    void malformedUtf8InJsonLinesIsRejectedAndTheErrorFileStaysValidJson(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        Path file = dir.resolve("x.jsonl");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80, '\n'}); // the repro: a lone surrogate
        bytes.write("{\"id\":1,\"name\":\"ok\"}\n".getBytes(StandardCharsets.UTF_8));
        bytes.write("{\"id\":2,\"name\":\"".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {(byte) 0xed, (byte) 0xb0, (byte) 0x80, (byte) 0xc3, '"', '}', '\n'});
        bytes.write("{\"id\":3,\"name\":\"\\ud800 escaped\"}\n".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '\n'});
        bytes.write("{\"id\":4,\"name\":\"last\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(file, bytes.toByteArray());

        FileIngestApp.Result r = ingest(db.settings(), "--table=" + t, file.toString());

        assertThat(r.exitCode()).as(err + "\n" + out).isEqualTo(3);
        assertExactAccounting(r.summary(), 6);
        List<JsonNode> errors = errors();
        // line 4 (an escaped lone surrogate: valid JSON, but not text PostgreSQL can store) is the sink's to refuse
        assertThat(errors).extracting(e -> e.get("line").asInt()).containsExactlyInAnyOrder(1, 3, 4, 5);
        assertThat(errors.get(0).get("reason").asString()).isEqualTo("invalid UTF-8 at byte 0 of the record");
        assertThat(errors.get(1).get("reason").asString()).startsWith("invalid UTF-8 at byte ");
        assertThat(errors.get(0).get("raw").asString()).matches("\uFFFD+");
        assertThat(db.queryList("SELECT id FROM " + t + " ORDER BY id", Long.class)).containsExactly(1L, 4L);
    }

    @Test
    void theErrorFileReplacesWhatUtf8CannotEncode() throws IOException {
        Path path = dir.resolve("e.jsonl");
        try (ErrorFile file = new ErrorFile(path)) {
            InputFile input = new InputFile(dir.resolve("in.jsonl"), "in.jsonl", InputFile.Format.JSONL, ',', 0);
            file.row(input, 1, null, "lone \uD800 high, lone \uDC00 low, pair \uD83D\uDE00", "raw \uDBFF");
        }
        List<JsonNode> errors = errors(path);
        assertThat(errors.get(0).get("reason").asString()).isEqualTo("lone \uFFFD high, lone \uFFFD low, pair \uD83D\uDE00");
        assertThat(errors.get(0).get("raw").asString()).isEqualTo("raw \uFFFD");
    }

    private static List<JsonNode> errors(Path path) throws IOException {
        String text = StandardCharsets.UTF_8.newDecoder()
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
        return text.lines().map(l -> JsonMapper.shared().readTree(l)).toList();
    }

    // ------------------------------------------------------------------------------ 4: an unclosed CSV quote

    @Test
    void aStrayQuoteRejectsItsLineAndTheRowsAfterItLoad(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        StringBuilder csv = new StringBuilder("id,name\n");
        for (int i = 1; i <= 1000; i++) {
            csv.append(i).append(i == 501 ? ",\"stray" : ",name-" + i).append('\n');
        }
        Files.writeString(dir.resolve("a.csv"), csv);
        StringBuilder big = new StringBuilder("id,name\n");
        for (int i = 1; i <= 5000; i++) {
            big.append(10_000 + i).append(i == 10 ? ",\"stray" : ",name-" + i).append('\n');
        }
        Files.writeString(dir.resolve("b.csv"), big);

        // b.csv: the quote runs past --max-record-size long before the end of the file
        FileIngestApp.Result r = ingest(db.settings(), "--table=" + t, "--max-record-size=4k",
                dir.resolve("a.csv").toString(), dir.resolve("b.csv").toString());

        assertThat(r.exitCode()).as(err + "\n" + out).isEqualTo(3);
        assertThat(r.summary().filesOk()).isEqualTo(2);
        assertExactAccounting(r.summary(), 6000);
        assertThat(r.summary().rowsRejected()).isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(5998);
        assertThat(db.queryLong("SELECT count(*) FROM " + t + " WHERE id IN (502, 1000, 10011, 15000)")).isEqualTo(4);
        List<JsonNode> errors = errors();
        assertThat(errors).hasSize(2);
        JsonNode a = errors.stream().filter(e -> e.get("file").asString().endsWith("a.csv")).findFirst().orElseThrow();
        assertThat(a.get("line").asInt()).isEqualTo(502);
        assertThat(a.get("raw").asString()).isEqualTo("501,\"stray");
        assertThat(a.get("reason").asString()).contains("a quote opened on line 502 is not closed within"
                + " --max-record-size (4096 bytes)", "resumes at line 503");
        JsonNode b = errors.stream().filter(e -> e.get("file").asString().endsWith("b.csv")).findFirst().orElseThrow();
        assertThat(b.get("line").asInt()).isEqualTo(11);
        assertThat(b.get("reason").asString()).contains("not closed within --max-record-size (4096 bytes)");
    }

    // ------------------------------------------------------------------------------ 5: a re-run over existing keys

    @Test
    void aReRunOverExistingKeysFindsTheDuplicatesWithOneLookupPerBatch(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int8 PRIMARY KEY, name text)");
        int rows = 20_000;
        // every fourth key is in the table already, spread over every batch
        db.execute("INSERT INTO " + t + " SELECT g, 'old' FROM generate_series(4, " + rows + ", 4) g");
        StringBuilder csv = new StringBuilder("id,name\n");
        for (int i = 1; i <= rows; i++) {
            if (i == 3) {
                csv.append("3,first\n"); // then 3 again: a key taken by an earlier row of the input (same batch)
            }
            csv.append(i).append(",new-").append(i).append('\n');
        }
        Files.writeString(dir.resolve("a.csv"), csv);

        FileIngestApp.Result r = ingest(db.settings(), "--table=" + t, "--max-batch=2000",
                dir.resolve("a.csv").toString());

        IngestSummary s = r.summary();
        assertThat(r.exitCode()).as(err + "\n" + out).isEqualTo(3);
        assertExactAccounting(s, rows + 1);
        assertThat(s.rowsRejected()).isEqualTo(rows / 4 + 1);
        assertThat(s.rowsWritten()).isEqualTo(rows - rows / 4);
        // halving would need about two COPYs per refused row (5,000 here); a lookup per refused batch suffices
        assertThat(s.splits()).as("batches split").isZero();
        assertThat(s.keyLookups()).as("key lookups").isPositive().isLessThanOrEqualTo(s.batches());
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(rows);
        assertThat(db.queryLong("SELECT count(*) FROM " + t + " WHERE name = 'old'")).isEqualTo(rows / 4);
        List<JsonNode> errors = errors();
        assertThat(errors).hasSize(rows / 4 + 1);
        assertThat(errors).filteredOn(e -> e.get("line").asInt() == 6).singleElement()
                .satisfies(e -> assertThat(e.get("reason").asString()).startsWith("duplicate key: (id)=(4) is"
                        + " already in the table"));
        assertThat(errors).filteredOn(e -> e.get("line").asInt() == 5).singleElement()
                .satisfies(e -> assertThat(e.get("reason").asString()).startsWith("duplicate key: (id)=(3) is"
                        + " taken by an earlier row of the input"));
        assertThat(db.queryList("SELECT name FROM " + t + " WHERE id = 3", String.class)).containsExactly("first");
    }
}
