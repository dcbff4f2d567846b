package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ingest --config}: several tables in one run against a real PostgreSQL, post-load scripts, and every kind of
 * bad config rejected before a row is loaded, naming the entry and the key.
 */
@ExtendWith(PostgresExtension.class)
class IngestConfigFileTest {

    private static final AtomicInteger TABLES = new AtomicInteger();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private FileIngestApp.Result ingest(PostgresTestSchema db, String... args) {
        List<String> all = new ArrayList<>(List.of("--progress=lines"));
        all.addAll(List.of(args));
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return FileIngestApp.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true),
                db == null ? null : db.settings());
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    private static String table(PostgresTestSchema db, String columns) {
        String name = "c" + TABLES.incrementAndGet();
        db.execute("CREATE TABLE " + name + " " + columns);
        return name;
    }

    @Test
    void severalTablesSharedDefaultsAndPostLoadScripts(PostgresTestSchema db) throws IOException {
        String events = table(db, "(id int8 PRIMARY KEY, amount numeric(10,2), country text)");
        String users = table(db, "(id int4 PRIMARY KEY, name text NOT NULL)");
        String totals = table(db, "(country text PRIMARY KEY, amount numeric(12,2))");
        db.execute("INSERT INTO " + events + " VALUES (1, 0, 'XX')"); // already there: idempotent skips it
        write("data/2024/a.csv", "id,amount,country\n1,9.99,DE\n2,5,FR\n3,x,FR\n");
        write("data/2025/b.csv", "id,amount,country\n4,1.50,DE\n");
        write("users.jsonl", "{\"id\": 1, \"name\": \"ann\"}\n{\"id\": 2, \"name\": \"bob\"}\n");
        write("sql/totals.sql", "INSERT INTO " + totals + " SELECT country, sum(amount) FROM " + events
                + " GROUP BY country;\n"
                + "DO $$ BEGIN RAISE NOTICE 'totals refreshed'; END $$;\n");
        Path config = write("ingest.yaml", """
                # the run's options, then the tables
                writers: 1
                post-load: sql/totals.sql
                defaults:
                  errors: rejected.jsonl
                  unknown-columns: ignore
                entries:
                  - table: %s
                    files: ["data/**/*.csv"]
                    idempotent: true
                    post-load-sql: UPDATE %s SET country = lower(country) WHERE country = 'FR'
                  - table: %s
                    files: users.jsonl
                """.formatted(events, events, users));

        FileIngestApp.Result r = ingest(db, "--config", config.toString(), "--parallelism=2");

        assertThat(r.exitCode()).as(out + "\n" + err).isEqualTo(3); // the row with amount x
        assertThat(db.queryLong("SELECT count(*) FROM " + events)).isEqualTo(3);
        assertThat(db.queryLong("SELECT count(*) FROM " + events + " WHERE country = 'fr'"))
                .as("the entry's script ran after its rows were in").isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM " + users)).isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM " + totals)).as("the run's script ran last").isEqualTo(3);
        assertThat(Files.readString(dir.resolve("rejected.jsonl")))
                .as("relative paths are the config file's directory's").contains("\"line\":4", "not a number");
        String summary = out.toString();
        assertThat(summary).contains("ingest summary: 2 tables from " + config,
                "table " + db.name() + "." + events + " (entry 1)",
                "table " + db.name() + "." + users + " (entry 2)",
                "post-load        inline SQL: 1 statement, 1 row affected,",
                "post-load        " + dir.resolve("sql/totals.sql") + ": 2 statements, 3 rows affected,",
                "notice         totals refreshed",
                "total\n", "files            3 ok, 0 failed", "rows parsed      6", "rows written     4",
                "rows skipped     1", "rows rejected    1 (listed in " + dir.resolve("rejected.jsonl") + ")");
        assertThat(r.run().tables()).extracting(IngestSummary::rowsParsed).containsExactly(4L, 2L);
        assertThat(r.run().tables()).extracting(IngestSummary::rowsWritten).containsExactly(2L, 2L);
        assertThat(err.toString()).as("one progress display for the run").contains("ingest [").doesNotContain("failed");
    }

    @Test
    void postLoadIsSkippedWhenAFileFailedAndAFailingScriptFailsTheRun(PostgresTestSchema db) throws IOException {
        String a = table(db, "(id int4 PRIMARY KEY)");
        String b = table(db, "(id int4 PRIMARY KEY)");
        write("a/ok.csv", "id\n1\n");
        write("a/bad.csv", "nope\n2\n"); // a header naming no column: the file fails
        write("b.csv", "id\n7\n");
        Path config = write("c.yaml", """
                post-load-sql: SELECT 1
                defaults: {errors: e.jsonl}
                entries:
                  - {table: %s, files: "a/*.csv", post-load-sql: "UPDATE %s SET id = id + 100"}
                  - {table: %s, files: b.csv, post-load-sql: "UPDATE no_such_table SET x = 1"}
                """.formatted(a, a, b));

        FileIngestApp.Result r = ingest(db, "--config=" + config);

        assertThat(r.exitCode()).as(out + "\n" + err).isEqualTo(1);
        assertThat(db.queryLong("SELECT max(id) FROM " + a)).as("the script did not run").isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM " + b)).isEqualTo(1);
        assertThat(out.toString()).contains("post-load        inline SQL: skipped (1 file failed)",
                "inline SQL: 0 statements, 0 rows affected", "FAILED: relation \"no_such_table\" does not exist",
                "post-load        inline SQL: skipped (a table's load or post-load did not complete)");
        assertThat(err.toString()).contains("ingest: failed: post-load of " + db.name() + "." + b);
    }

    @Test
    void badConfigsAreRejectedBeforeAnythingIsLoadedNamingEntryAndKey(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY)");
        write("in.csv", "id\n1\n");
        String ok = "  - {table: " + t + ", files: in.csv}\n";
        record Case(String yaml, int exit, String message) {
        }
        List<Case> cases = List.of(
                new Case("entries:\n" + ok + "  - {table: " + t + ", files: in.csv, fromat: csv}\n", 2,
                        "entry 2 (table '" + t + "'): unknown key 'fromat' (an entry takes files, table,"),
                new Case("entries:\n  - {table: " + t + ", files: in.csv, format: xml}\n", 2,
                        "entry 1 (table '" + t + "'): 'format' must be auto, csv or jsonl, was 'xml'"),
                new Case("entries:\n  - {table: " + t + ", files: in.csv, max-record-size: 10}\n", 2,
                        "entry 1 (table '" + t + "'): 'max-record-size' must be between 1k and 1g"),
                new Case("entries:\n  - {table: " + t + ", files: in.csv, idempotent: yes}\n", 2,
                        "entry 1 (table '" + t + "'): 'idempotent' must be true or false, was 'yes'"),
                new Case("entries:\n  - {table: " + t + ", files: in.csv, writers: 3}\n", 2,
                        "entry 1 (table '" + t + "'): 'writers' is a setting of the whole run"),
                new Case("entries:\n  - {table: " + t + "}\n", 2,
                        "entry 1 (table '" + t + "'): no 'files': list the files to load"),
                new Case("entries:\n  - {files: in.csv}\n", 2, "entry 1: no 'table'"),
                new Case("entries:\n  - {table: " + t + ", files: []}\n", 2, "'files' is an empty list"),
                new Case("writers: 0\nentries:\n" + ok, 2, "c.yaml: 'writers' must be in 1..64, was 0"),
                new Case("table: x\nentries:\n" + ok, 2, "'table' is a setting of each entry"),
                new Case("entrys:\n" + ok, 2, "unknown key 'entrys' at the top level"),
                new Case("entries: []\n", 2, "'entries' must be a non-empty list"),
                new Case("entries:\n  - [a, b]\n", 2, "entry 1: expected a mapping"),
                new Case("entries:\n  - {table: a\n", 2, "not valid YAML (line"),
                new Case("entries:\n" + ok + "entries:\n" + ok, 2, "not valid YAML"),
                new Case("entries:\n  - {table: " + t + ", files: in.csv, post-load: missing.sql}\n", 2,
                        "'post-load' " + dir.resolve("missing.sql") + ": cannot read it (no such file)"),
                new Case("entries:\n" + ok + "  - {table: no_such_table, files: in.csv}\n", 1,
                        "entry 2 (table 'no_such_table'): 'table': "),
                new Case("entries:\n" + ok + "  - {table: " + t + ", files: [in.csv, \"none/*.csv\"]}\n", 4,
                        "entry 2 (table '" + t + "'): 'files': pattern '" + dir + "/none/*.csv' matches no file;"
                                + " nothing was loaded"),
                new Case("entries:\n  - {table: " + t + ", files: in.csv, key: [nope]}\n", 1,
                        "entry 1 (table '" + t + "'): 'key': key column 'nope' is not a column"));
        for (Case c : cases) {
            // an error file of the test's own (the default is the working directory's)
            String yaml = c.yaml().startsWith("entries:\n") ? "defaults: {errors: e.jsonl}\n" + c.yaml() : c.yaml();
            Path config = write("c.yaml", yaml);
            FileIngestApp.Result r = ingest(db, "--config", config.toString());
            assertThat(r.exitCode()).as(c.yaml() + "\n" + err).isEqualTo(c.exit());
            assertThat(err.toString()).as(c.yaml()).contains("config " + config + ": ").contains(c.message());
            assertThat(err.toString().lines()).as(c.yaml()).hasSize(1);
            assertThat(out.toString()).as(c.yaml()).isEmpty();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).as("nothing was loaded").isZero();
    }

    @Test
    void jsonConfigAndRunOptionsOnTheCommandLineWin(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, v text)");
        write("in.tsv", "id\tv\n1\ta\n2\tb\n");
        write("raw/no-header.csv", "b,3\n");
        Path config = write("c.json", "{\"writers\": 0, \"entries\": [{\"table\": \"" + t + "\", \"files\": [\"*.tsv\"],"
                + " \"key\": [\"id\"], \"errors\": \"e.jsonl\"}, {\"table\": \"" + t + "\", \"files\": \"raw/*.csv\","
                + " \"header\": false, \"columns\": [\"v\", \"id\"], \"errors\": \"e.jsonl\"}]}");

        FileIngestApp.Result r = ingest(db, "--config", config.toString(), "--writers=1");

        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(3);
        assertThat(db.queryLong("SELECT id FROM " + t + " WHERE v = 'b' AND id = 3")).as("header: false + columns")
                .isEqualTo(3);
        assertThat(r.run().tables().get(0).idempotent()).as("key implies idempotent, as --key does").isTrue();
    }

    @Test
    void aSingleTableRunTakesAPostLoadScriptToo(PostgresTestSchema db) throws IOException {
        String t = table(db, "(id int4 PRIMARY KEY, v text)");
        write("in.csv", "id,v\n1,a\n2,b\n");
        Path script = write("after.sql", "UPDATE " + t + " SET v = upper(v);\nANALYZE " + t + ";\n");

        FileIngestApp.Result r = ingest(db, "--table=" + t, "--errors=" + dir.resolve("e.jsonl"),
                "--post-load=" + script, dir.resolve("in.csv").toString());

        assertThat(r.exitCode()).as(out + "\n" + err).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM " + t + " WHERE v IN ('A', 'B')")).isEqualTo(2);
        assertThat(out.toString()).contains("ingest summary: " + db.name() + "." + t,
                "post-load        " + script + ": 2 statements, 2 rows affected");
    }

    @Test
    void configIsExclusiveWithThePerFileFlags() throws IOException {
        Path config = write("c.yaml", "entries: []\n");
        for (String flag : List.of("--table=t", "--format=csv", "--errors=e.jsonl", "--idempotent",
                "--post-load-sql=SELECT 1")) {
            assertThat(ingest(null, "--config", config.toString(), flag).exitCode()).as(flag).isEqualTo(2);
            assertThat(err.toString()).as(flag).startsWith("ingest: " + flag.replaceAll("=.*", "")
                    + " cannot be used with --config");
        }
        assertThat(ingest(null, "--config", config.toString(), "data/*.csv").exitCode()).isEqualTo(2);
        assertThat(err.toString()).startsWith("ingest: PATTERN cannot be used with --config");
        assertThat(ingest(null, "--config", dir.resolve("none.yaml").toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString()).startsWith("ingest: config " + dir.resolve("none.yaml") + ": no such file");
    }

    @Test
    void everyPerFileFlagIsAnEntryKeyAndEveryRunFlagATopLevelKey() {
        // the config's keys are the command line's options, not a second model: this pins the split between them
        CommandLine.Model.CommandSpec spec = FileIngestApp.commandSpec();
        List<String> entryKeys = new ArrayList<>();
        List<String> runKeys = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            if (FileIngestApp.isEntryOption(o)) {
                entryKeys.add(o.longestName());
            } else if (FileIngestApp.RUN_OPTIONS.contains(o.longestName())) {
                runKeys.add(o.longestName());
            }
        }
        assertThat(entryKeys).containsExactlyInAnyOrder("--table", "--schema", "--format", "--delimiter", "--errors",
                "--unknown-columns", "--idempotent", "--key", "--upsert", "--max-record-size", "--time-zone",
                "--post-load", "--post-load-sql", "--columns", "--header");
        assertThat(runKeys).containsExactlyInAnyOrder("--parallelism", "--writers", "--max-batch",
                "--batch-latency", "--retries", "--progress", "--split-size");
    }
}
