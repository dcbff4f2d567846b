package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The whole app against a real PostgreSQL: files in a temporary directory, rows in a schema of this class's own. */
@ExtendWith(PostgresExtension.class)
class FileIngestAppTest {

    private static final AtomicInteger TABLES = new AtomicInteger();

    /** Every column type the ingester writes, plus a default it must leave alone. */
    private static final String ALL_TYPES = "(id int8 PRIMARY KEY, i2 int2, i4 int4, f4 float4, f8 float8,"
            + " n numeric(10,3), nu numeric, b bool, t text, vc varchar(5), c char(3), j json, jb jsonb, by bytea,"
            + " u uuid, d date, ts timestamp, tz timestamptz, ta text[], ia int4[], la int8[], m mood, sp small_pos,"
            + " created timestamptz NOT NULL DEFAULT now())";
    private static final String ALL_COLUMNS = "id,i2,i4,f4,f8,n,nu,b,t,vc,c,j,jb,by,u,d,ts,tz,ta,ia,la,m,sp";
    /** What PostgreSQL prints for the row both the CSV and the JSON-lines test load (timestamptz shown in UTC). */
    private static final List<String> FULL_ROW = List.of("1", "-32768", "2147483647", "1.5", "-0.0025",
            "1234567.125", "3.14159265358979323846", "true", "hé, \"x\"\ny", "abcde", "ab", "{\"a\": [1, 2]}",
            "{\"b\": null}", "\\xdeadbeef", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2024-02-29",
            "2024-01-02 03:04:05.123456", "2024-01-02 01:04:05", "{a,\"b c\",NULL}", "{1,2,3}",
            "{9223372036854775807}", "sad", "7");
    private static final List<String> NULL_ROW = List.of("2", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
            "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
            "NULL", "NULL", "NULL");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void types(PostgresTestSchema db) {
        db.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE DOMAIN small_pos AS int4 CHECK (VALUE > 0)");
    }

    private FileIngestApp.Result ingest(PostgresTestSchema db, String... args) {
        List<String> all = new ArrayList<>(List.of("--errors=" + dir.resolve("errors.jsonl"), "--progress=lines"));
        all.addAll(List.of(args));
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return FileIngestApp.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true),
                db.settings());
    }

    private Path write(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    private static String table(PostgresTestSchema db, String columns) {
        String name = "t" + TABLES.incrementAndGet();
        db.execute("CREATE TABLE " + name + " " + columns);
        return name;
    }

    /** Each row's columns as text ("NULL" for NULL), ordered by the first column. */
    private static List<List<String>> rows(PostgresTestSchema db, String table, String columns) {
        String[] cols = columns.split(",");
        String select = java.util.Arrays.stream(cols)
                .map(c -> c.equals("tz") ? "(tz AT TIME ZONE 'UTC')::text" : c + "::text")
                .collect(Collectors.joining(", "));
        return db.query("SELECT " + select + " FROM " + table + " ORDER BY " + cols[0], row -> {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < cols.length; i++) {
                String v = row.get(i, String.class);
                values.add(v == null ? "NULL" : v);
            }
            return values;
        });
    }

    private List<JsonNode> errors() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("errors.jsonl"))) {
            out.add(JsonMapper.shared().readTree(line));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------- happy paths

    @Test
    void csvRoundTripsEveryType(PostgresTestSchema db) throws IOException {
        String t = table(db, ALL_TYPES);
        write("all.csv", ALL_COLUMNS + "\n"
                + "1,-32768,2147483647,1.5,-2.5e-3,1234567.125,3.14159265358979323846,yes,\"hé, \"\"x\"\"\ny\",abcde,ab,"
                + "\"{\"\"a\"\": [1, 2]}\",\"{\"\"b\"\": null}\",\\xdeadbeef,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,"
                + "2024-02-29,2024-01-02 03:04:05.123456,2024-01-02T03:04:05+02:00,\"{a,\"\"b c\"\",NULL}\",\"{1,2,3}\","
                + "{9223372036854775807},sad,7\n"
                + "2" + ",".repeat(22) + "\n");

        FileIngestApp.Result r = ingest(db, "--table=" + t, dir + "/all.csv");

        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(rows(db, t, ALL_COLUMNS)).containsExactly(FULL_ROW, NULL_ROW);
        assertThat(db.queryLong("SELECT count(*) FROM " + t + " WHERE created > now() - interval '1 hour'"))
                .as("a column the input leaves out gets its default").isEqualTo(2);
        assertThat(out.toString()).contains("ingest summary: " + db.name() + "." + t, "files            1 ok, 0 failed",
                "rows parsed      2", "rows inserted    2", "rows rejected    0");
        assertThat(Files.readString(dir.resolve("errors.jsonl"))).isEmpty();
        assertThat(r.job().phases(0, Long.MAX_VALUE)).as("the phases main() prints on stderr")
                .matches("command line -?\\d+, scan \\d+, catalog \\d+, load \\d+, post-load \\d+, summary \\d+");
    }

    @Test
    void jsonLinesRoundTripEveryType(PostgresTestSchema db) throws IOException {
        String t = table(db, ALL_TYPES);
        write("all.jsonl", "{\"id\":1,\"i2\":-32768,\"i4\":2147483647,\"f4\":1.5,\"f8\":-2.5e-3,\"n\":1234567.125,"
                + "\"nu\":3.14159265358979323846,\"b\":true,\"t\":\"hé, \\\"x\\\"\\ny\",\"vc\":\"abcde\",\"c\":\"ab\","
                + "\"j\":{\"a\": [1, 2]},\"jb\":{\"b\": null},\"by\":\"\\\\xdeadbeef\","
                + "\"u\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",\"d\":\"2024-02-29\","
                + "\"ts\":\"2024-01-02 03:04:05.123456\",\"tz\":\"2024-01-02T03:04:05+02:00\","
                + "\"ta\":[\"a\",\"b c\",null],\"ia\":[1,2,3],\"la\":[9223372036854775807],\"m\":\"sad\",\"sp\":7}\n"
                + "\n"
                + "{\"id\":2,\"i2\":null,\"t\":null}\r\n");

        FileIngestApp.Result r = ingest(db, "--table", t, dir + "/all.jsonl");

        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(rows(db, t, ALL_COLUMNS)).containsExactly(FULL_ROW, NULL_ROW);
        assertThat(db.queryLong("SELECT count(*) FROM " + t + " WHERE created > now() - interval '1 hour'"))
                .as("a field the object leaves out gets its default").isEqualTo(2);
        assertThat(out.toString()).contains("rows parsed      2 (1 blank lines skipped)", "rows inserted    2");
        assertThat(r.summary().rowsParsed()).isEqualTo(2);
    }

    @Test
    void globsWithSeveralFilesAndDoubleStar(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, name text)");
        write("in/a.csv", "id,name\n1,a\n2,b\n");
        write("in/2024/b.csv", "name,ID\nc,3\n");
        write("in/2024/06/c.tsv", "id\tname\n4\td\n5\te\n");
        write("in/2024/d.jsonl", "{\"id\": 6, \"name\": \"f\"}\n");
        write("in/skip.txt", "not loaded\n");

        FileIngestApp.Result r = ingest(db, "--table=" + t, "--schema=" + db.name(), "--parallelism=3",
                dir + "/in/**/*.{csv,tsv}",
                dir + "/in/**/*.jsonl", dir + "/in/a.csv");

        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(rows(db, t, "id,name")).containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"),
                List.of("4", "d"), List.of("5", "e"), List.of("6", "f"));
        assertThat(r.summary().filesOk()).as("a.csv is matched twice but loaded once").isEqualTo(4);
        assertThat(err.toString()).contains("ingest [########################] 100%", "completed");
    }

    @Test
    void quotedCsvEdgeCases(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, a text, b text)");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        String body = "id,a,b\r\n"
                + "1,\"x,y\",\"say \"\"hi\"\"\"\r\n"
                + "2,\"line one\r\nline two\",\"\"\r\n"
                + "3,,\"\"\"\"\r\n"
                + "4,\"日本, é\",\"trailing \"\r\n"
                + "5,\" lead\",plain"; // no line end at the end of the file
        byte[] all = new byte[bom.length + body.getBytes(StandardCharsets.UTF_8).length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body.getBytes(StandardCharsets.UTF_8), 0, all, 3, all.length - 3);
        write("q.csv", all);

        FileIngestApp.Result r = ingest(db, "--table=" + t, dir + "/q.csv");

        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(rows(db, t, "id,a,b")).containsExactly(
                List.of("1", "x,y", "say \"hi\""),
                List.of("2", "line one\r\nline two", ""),
                List.of("3", "NULL", "\""),
                List.of("4", "日本, é", "trailing "),
                List.of("5", " lead", "plain"));
    }

    // ---------------------------------------------------------------------------------------- bad input

    @Test
    void malformedRowsLandInTheErrorFileAndTheCountsAddUp(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, qty int4 NOT NULL CHECK (qty >= 0), code varchar(4), u uuid,"
                + " at timestamptz, ok bool, doc jsonb, note text)");
        ByteArrayBuilder csv = new ByteArrayBuilder()
                .line("id,qty,code,u,at,ok,doc")     // 1
                .line("1,5,ab,,,,")                  // 2 ok
                .line("2,x,ab,,,,")                  // 3 not an integer
                .line("3,5,toolong,,,,")             // 4 too long for varchar(4): the sink's check
                .line("4,5,ab,not-a-uuid,,,")        // 5
                .line("5,5,ab,,yesterday,,")         // 6
                .line("6,5,ab,,,maybe,")             // 7
                .line("7,5,ab,,,,{bad json")         // 8 invalid jsonb: the sink's check
                .line("8,,ab,,,,")                   // 9 NULL into NOT NULL
                .line("9,5")                         // 10 field count
                .line("10,-1,ab,,,,")                // 11 check constraint: only the server knows
                .line("1,7,dup,,,,")                 // 12 duplicate key: only the server knows
                .line("11,5,a\"b,,,,")               // 13 a quote in an unquoted field
                .raw("12,5,").raw(0xC3, 0x28).line(",,,,") // 14 invalid UTF-8
                .line("13,5,ok,,,,");                // 15 ok
        write("bad.csv", csv.bytes());
        write("bad.jsonl", String.join("\n",
                "{\"id\": 20, \"qty\": 1}",
                "{\"id\": 21}",
                "{\"id\": 22, \"qty\": 1, \"nope\": 1}",
                "[1, 2]",
                "{\"id\": 23, \"qty\": 1.5}",
                "{\"id\": 24, \"qty\": 1, \"note\": \"a\\u0000b\"}",
                "{\"id\": 25, \"qty\": 1,",
                "{\"id\": 26, \"qty\": 1, \"qty\": 2}",
                "{\"id\": 27, \"qty\": 1} 28") + "\n");

        // one writer: batches commit in order, so line 2 (not line 12) is the one that takes id 1
        FileIngestApp.Result r = ingest(db, "--table=" + t, "--writers=1", dir + "/bad.*");

        assertThat(r.exitCode()).as(out + "\n" + err).isEqualTo(3);
        assertThat(rows(db, t, "id,qty,code")).containsExactly(List.of("1", "5", "ab"), List.of("13", "5", "ok"),
                List.of("20", "1", "NULL"));
        Map<String, JsonNode> byPlace = new HashMap<>();
        for (JsonNode e : errors()) {
            assertThat(e.get("kind").asString()).isEqualTo("row");
            byPlace.put(Path.of(e.get("file").asString()).getFileName() + ":" + e.get("line").asInt(), e);
        }
        assertError(byPlace, "bad.csv:3", "qty", "not an integer: 'x'", "2,x,ab,,,,");
        assertError(byPlace, "bad.csv:4", "code", "too long for varchar(4)", "3,5,toolong,,,,");
        assertError(byPlace, "bad.csv:5", "u", "not a UUID", null);
        assertError(byPlace, "bad.csv:6", "at", "not a timestamp", null);
        assertError(byPlace, "bad.csv:7", "ok", "not a boolean", null);
        assertError(byPlace, "bad.csv:8", "doc", "invalid jsonb", null);
        assertError(byPlace, "bad.csv:9", "qty", "NOT NULL but the value is NULL", null);
        assertError(byPlace, "bad.csv:10", null, "expected 7 fields as in the header, found 2", "9,5");
        assertError(byPlace, "bad.csv:11", null, "violates check constraint", null);
        // a duplicate key is found by a key lookup, not by splitting the batch (issue 24)
        assertError(byPlace, "bad.csv:12", "id", "duplicate key: (id)=(1) is", "1,7,dup,,,,");
        assertError(byPlace, "bad.csv:13", null, "a quote inside an unquoted field", null);
        assertError(byPlace, "bad.csv:14", null, "invalid UTF-8 at byte 5", "12,5,\uFFFD(,,,,");
        assertError(byPlace, "bad.jsonl:2", "qty", "missing field 'qty'", "{\"id\": 21}");
        assertError(byPlace, "bad.jsonl:3", null, "field 'nope' is not a column of", null);
        assertError(byPlace, "bad.jsonl:4", null, "not a JSON object", null);
        assertError(byPlace, "bad.jsonl:5", "qty", "expected an integer, found 1.5", null);
        assertError(byPlace, "bad.jsonl:6", "note", "NUL character", null);
        assertError(byPlace, "bad.jsonl:7", null, "malformed JSON", null);
        assertError(byPlace, "bad.jsonl:8", "qty", "given twice", null);
        assertError(byPlace, "bad.jsonl:9", null, "text after the JSON object", null);
        assertThat(byPlace).hasSize(20);

        IngestSummary s = r.summary();
        assertThat(s.rowsParsed()).isEqualTo(23);
        assertThat(s.rowsWritten()).isEqualTo(3);
        assertThat(s.rowsRejected()).isEqualTo(20);
        assertThat(s.rowsParsed()).isEqualTo(s.rowsWritten() + s.rowsRejected());
        assertThat(s.splits()).as("the batch the server refused was split").isPositive();
        assertThat(out.toString()).contains("rows parsed      23", "rows inserted    3",
                "rows rejected    20 (listed in " + dir.resolve("errors.jsonl") + ")");
    }

    private static void assertError(Map<String, JsonNode> errors, String place, String column, String reason, String raw) {
        JsonNode e = errors.get(place);
        assertThat(e).as("an error for " + place + " in " + errors.keySet()).isNotNull();
        assertThat(e.get("column").isNull() ? null : e.get("column").asString()).as(place).isEqualTo(column);
        assertThat(e.get("reason").asString()).as(place).contains(reason);
        if (raw != null) {
            assertThat(e.get("raw").asString()).as(place).isEqualTo(raw);
        }
    }

    @Test
    void anUnreadableFileCountsAsFailedWhileTheOthersLoad(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, name text NOT NULL)");
        write("in/a.csv", "id,name\n1,a\n2,b\n");
        Files.createSymbolicLink(dir.resolve("in/b.csv"), dir.resolve("no/such/file.csv"));
        write("in/c.csv", "id,name,colour\n3,c,red\n");       // a column the table lacks
        write("in/d.csv", "id\n4\n");                          // lacks a NOT NULL column
        write("in/e.jsonl", "{\"id\": 5, \"name\": \"e\"}\n");

        FileIngestApp.Result r = ingest(db, "--table=" + t, dir + "/in/*", dir + "/none/*.csv");

        assertThat(r.exitCode()).as(out + "\n" + err).isEqualTo(4);
        assertThat(rows(db, t, "id,name")).containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("5", "e"));
        assertThat(r.summary().filesOk()).isEqualTo(2);
        assertThat(r.summary().filesFailed()).isEqualTo(3);
        assertThat(out.toString()).contains("files            2 ok, 3 failed", "1 matched nothing: " + dir + "/none/*.csv");
        List<JsonNode> errors = errors();
        assertThat(errors).extracting(e -> e.get("kind").asString()).containsOnly("file");
        assertThat(errors).extracting(e -> e.get("file").asString() + " " + e.get("reason").asString())
                .containsExactlyInAnyOrder(
                        dir + "/in/b.csv cannot read it: no such file (or a broken link)",
                        dir + "/in/c.csv header: 'colour' is not a column of " + db.name() + "." + t
                                + " (--unknown-columns=ignore skips it)",
                        dir + "/in/d.csv header: no column 'name', which is NOT NULL without a default");
        assertThat(err.toString()).contains("in/b.csv: failed: cannot read it", "pattern '" + dir + "/none/*.csv'"
                + " matches no file");

        // the same files with the unknown column skipped: c.csv loads
        r = ingest(db, "--table=" + t, "--unknown-columns=ignore", dir + "/in/c.csv");
        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(err.toString()).contains("c.csv: ignoring header columns the table cannot take: [colour]");
        assertThat(db.queryLong("SELECT count(*) FROM " + t + " WHERE id = 3")).isOne();
    }

    @Test
    void aFileThatBreaksOffKeepsTheRowsReadBeforeIt(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, name text)");
        // a line longer than --max-record-size: where the next record starts cannot be trusted
        write("broken.csv", "id,name\n1,a\n2,b\n3," + "x".repeat(2000) + "\n4,x\n");

        FileIngestApp.Result r = ingest(db, "--table=" + t, "--max-record-size=1k", dir + "/broken.csv");

        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(rows(db, t, "id,name")).containsExactly(List.of("1", "a"), List.of("2", "b"));
        JsonNode failure = errors().get(0);
        assertThat(failure.get("kind").asString()).isEqualTo("file");
        assertThat(failure.get("line").asInt()).isEqualTo(4);
        assertThat(failure.get("reason").asString()).contains("starting on line 4 is longer than 1024 bytes");
    }

    // ---------------------------------------------------------------------------------------- idempotence

    @Test
    void anIdempotentReRunInsertsNothingTwice(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, name text)");
        StringBuilder csv = new StringBuilder("id,name\n");
        for (int i = 1; i <= 500; i++) {
            csv.append(i).append(",n").append(i).append('\n');
        }
        write("a.csv", csv.toString());
        write("b.jsonl", "{\"id\": 501, \"name\": \"j\"}\n{\"id\": 1, \"name\": \"again\"}\n");

        FileIngestApp.Result first = ingest(db, "--table=" + t, "--idempotent", dir + "/a.csv", dir + "/b.jsonl");
        assertThat(first.exitCode()).as(out + "\n" + err).isZero();
        assertThat(first.summary().rowsWritten()).isEqualTo(501);
        assertThat(first.summary().rowsSkipped()).as("id 1 twice in one run").isEqualTo(1);
        // the files are parsed in parallel and batches commit concurrently: either row of id 1 may have come first
        List<String> name1 = db.queryList("SELECT name FROM " + t + " WHERE id = 1", String.class);
        assertThat(name1).hasSize(1).containsAnyOf("n1", "again");

        FileIngestApp.Result again = ingest(db, "--table=" + t, "--key=id", dir + "/a.csv", dir + "/b.jsonl");
        assertThat(again.exitCode()).as(out + "\n" + err).isZero();
        assertThat(again.summary().rowsWritten()).isZero();
        assertThat(again.summary().rowsSkipped()).isEqualTo(502);
        assertThat(out.toString()).contains("rows inserted    0", "rows skipped     502 (key already in the table)");
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(501);
        assertThat(db.queryList("SELECT name FROM " + t + " WHERE id = 1", String.class)).isEqualTo(name1);

        write("c.jsonl", "{\"id\": 1, \"name\": \"updated\"}\n");
        FileIngestApp.Result upsert = ingest(db, "--table=" + t, "--upsert", dir + "/c.jsonl");
        assertThat(upsert.exitCode()).as(out + "\n" + err).isZero();
        assertThat(db.queryList("SELECT name FROM " + t + " WHERE id = 1", String.class)).containsExactly("updated");
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(501);
    }

    @Test
    void stoppingTheEventLoopsLeavesNoDriverThreadInNativeCodeAndALaterRunConnectsAgain(PostgresTestSchema db)
            throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY)");
        write("a.csv", "id\n1\n");
        write("b.csv", "id\n2\n");
        assertThat(ingest(db, "--table=" + t, dir + "/a.csv").exitCode()).as(out + "\n" + err).isZero();
        assertThat(driverThreads()).as("the run's connections ran on the driver's shared event loops").isNotEmpty();

        io.fluxgate.examples.DriverEventLoops.stop();

        // what the JVM's exit waits for (up to 300 ms) is a thread in native code, such as a loop in epoll_wait, or
        // one ending its termination (which unparks its listeners' thread, a native call): none is left running
        assertThat(driverThreads()).as("the loops' threads once DriverEventLoops.stop returned").isEmpty();
        assertThat(ingest(db, "--table=" + t, dir + "/b.csv").exitCode()).as(out + "\n" + err).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(2);
    }

    /** The live threads of reactor-netty's shared TCP event loops, which r2dbc-postgresql's connections run on. */
    private static List<Thread> driverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th.isAlive() && th.getName().startsWith("reactor-tcp-"))
                .toList();
    }

    @Test
    void setupProblemsStopTheRunWithOneLine(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4, name text)");
        write("a.csv", "id,name\n1,a\n");

        assertThat(ingest(db, "--table=no_such_table", dir + "/a.csv").exitCode()).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("ingest: failed: table \"no_such_table\" does not exist on the"
                + " search_path (give --schema?)\n");
        assertThat(FileIngestApp.execute(new String[] {"--errors=" + dir.resolve("errors.jsonl"),
                "--table=no_such_table", dir + "/a.csv"},
                new PrintWriter(out, true), new PrintWriter(err, true), db.settings()).job().phases(0, 1))
                .as("no phases line for a run that stopped before its load").isEmpty();

        assertThat(ingest(db, "--table=" + t, "--idempotent", dir + "/a.csv").exitCode()).isEqualTo(1);
        assertThat(err.toString()).contains("has no primary key: name the key columns with --key");

        assertThat(ingest(db, "--table=" + t, "--key=name", dir + "/a.csv").exitCode()).isEqualTo(1);
        assertThat(err.toString()).contains("no unique index of " + db.name() + "." + t + " covers exactly [name]");
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isZero();
    }

    @Test
    void aServerErrorThatIsNotAboutTheDataStopsTheRunAfterTheSummary(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY)");
        db.execute("CREATE FUNCTION " + t + "_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " IF NEW.id = 3 THEN RAISE EXCEPTION 'boom at %', NEW.id; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER boom BEFORE INSERT ON " + t + " FOR EACH ROW EXECUTE FUNCTION " + t + "_boom()");
        write("a.csv", "id\n1\n2\n3\n4\n");

        FileIngestApp.Result r = ingest(db, "--table=" + t, "--retries=0", dir + "/a.csv");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(out.toString()).contains("ingest summary", "FAILED", "boom at 3");
        assertThat(err.toString()).contains("ingest: failed: ", "boom at 3");
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).as("the batch was one transaction").isZero();
    }

    // ---------------------------------------------------------------------------------------- memory

    @Test
    void aLargeFileStreamsThroughBoundedMemory(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, name text, amount int8)");
        int rows = 200_000;
        Path file = dir.resolve("big.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("id,name,amount\n");
            for (int i = 1; i <= rows; i++) {
                w.write(i + ",name-" + i + "," + (i * 7L) + "\n");
            }
        }
        int maxBatch = 2_000;
        int writers = 2;
        int parallelism = 2;

        FileIngestApp.Result r = ingest(db, "--table=" + t, "--max-batch=" + maxBatch, "--writers=" + writers,
                "--parallelism=" + parallelism, file.toString());

        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(rows);
        assertThat(db.queryLong("SELECT sum(amount) FROM " + t)).isEqualTo(7L * rows * (rows + 1) / 2);
        // What may be held at once: a chunk being parsed and one queued per parse thread, one chunk being cut into
        // rows and one queued behind it, the batch filling, the one prefetched and those in the sink.
        long rowsPerChunk = IngestJob.CHUNK_BYTES / 20 + 1; // rows here are 20+ bytes
        long bound = (2L * parallelism + 2) * rowsPerChunk + (writers + 2L) * maxBatch;
        assertThat(r.summary().peakRowsHeld()).as("peak rows held, bound " + bound).isPositive()
                .isLessThanOrEqualTo(bound).isLessThan(rows / 4);
    }

    @Test
    void aLargeFileParsedInRangesLoadsWhatOneThreadLoads(PostgresTestSchema db) throws IOException {
        // quoted fields with line feeds and delimiters (cuts inside them), bad rows and a stray quote: the rows, the
        // error file (order and line numbers) and the counts are those of a run that parses the file on one thread
        String one = table(db, "(id int4 PRIMARY KEY, a text, b int4)");
        String split = table(db, "(id int4 PRIMARY KEY, a text, b int4)");
        StringBuilder csv = new StringBuilder("id,a,b\n");
        for (int i = 1; i <= 3_000; i++) {
            csv.append(i).append(switch (i % 7) {
                case 0 -> ",\"multi\nline, \"\"quoted\"\"\r\nfield\"," + i + "\n";
                case 3 -> ",plain,not-a-number\n";
                case 5 -> i % 2 == 0 ? ",stray\"quote,1\n" : ",\"\"," + i + "\n";
                default -> ",text " + i + "," + i + "\n";
            });
        }
        write("big.csv", csv.toString());
        FileIngestApp.Result sequential = ingest(db, "--table=" + one, "--split-size=0", "--parallelism=2",
                dir + "/big.csv");
        String sequentialErrors = Files.readString(dir.resolve("errors.jsonl"));

        FileIngestApp.Result ranges = ingest(db, "--table=" + split, "--split-size=1k", "--parallelism=2",
                "--max-batch=500", dir + "/big.csv");

        assertThat(ranges.exitCode()).as(out + "\n" + err).isEqualTo(3).isEqualTo(sequential.exitCode());
        assertThat(rows(db, split, "id,a,b")).isEqualTo(rows(db, one, "id,a,b")).hasSize(3_000 - 429 - 214); // i % 7 == 3: bad b; even i % 7 == 5: stray quote
        assertThat(Files.readString(dir.resolve("errors.jsonl"))).isEqualTo(sequentialErrors);
        IngestSummary a = sequential.summary();
        IngestSummary b = ranges.summary();
        assertThat(List.of(b.rowsParsed(), b.rowsWritten(), b.rowsRejected(), b.filesOk()))
                .isEqualTo(List.of(a.rowsParsed(), a.rowsWritten(), a.rowsRejected(), a.filesOk()));
        assertThat(err.toString()).contains("100%");
    }

    /** Builds a file byte by byte, for input that is not valid UTF-8. */
    static final class ByteArrayBuilder {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        ByteArrayBuilder line(String s) {
            return raw(s).raw('\n');
        }

        ByteArrayBuilder raw(String s) {
            bytes.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        ByteArrayBuilder raw(int... values) {
            for (int v : values) {
                bytes.write(v);
            }
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
