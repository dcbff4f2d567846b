package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Flags only: every case here stops before touching files or the database. */
class IngestCommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return FileIngestApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void onlyAskingForHelpOrTheVersionWarmsNoDatabaseClientUp() {
        assertThat(FileIngestApp.helpOnly(new String[] {"--help"})).isTrue();
        assertThat(FileIngestApp.helpOnly(new String[] {"--table=t", "-V"})).isTrue();
        assertThat(FileIngestApp.helpOnly(new String[] {"--table=t", "a.csv"})).isFalse();
        assertThat(FileIngestApp.helpOnly(new String[] {"--table=--help-me", "h.csv"})).isFalse();
    }

    @Test
    void theProcessAgeIsReadFromProcOrUnknown() {
        long age = FileIngestApp.processAgeMillis();
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/stat"))) {
            // this JVM started before this test; within a day of it
            assertThat(age).isPositive().isLessThan(86_400_000L);
        } else {
            assertThat(age).isEqualTo(-1);
        }
    }

    @Test
    void helpDocumentsEveryFlagAndTheExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("PATTERN", "--table", "--schema", "--format", "--delimiter", "--errors",
                "--unknown-columns", "--idempotent", "--key", "--upsert", "--parallelism", "--writers", "--max-batch",
                "--batch-latency", "--max-record-size", "--time-zone", "--retries", "--progress", "--config",
                "--post-load", "--post-load-sql", "--columns", "--[no-]header", "ingest --config ingest.yaml",
                "Exit codes: 0 every row loaded; 1 the run failed", "2 bad flags or a bad config file; 3 some rows rejected",
                "4 a file failed or a pattern matched nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--no-such-flag",
        "--format=xml",
        "--unknown-columns=maybe",
        "--progress=loud",
        "--parallelism=0",
        "--parallelism=x",
        "--writers=0",
        "--max-batch=0",
        "--retries=-1",
        "--batch-latency=0ms",
        "--batch-latency=fast",
        "--max-record-size=10",
        "--max-record-size=2g",
        "--max-record-size=lots",
        "--time-zone=Mars/Olympus",
        "--delimiter=ab",
        "--delimiter=\"",
        "--schema=",
        "--key=",
        "--split-size=1",
        "--no-header",
        "--columns=a,,b",
        "--split-size=lots",
        "--post-load=/no/such/script.sql",
    })
    void badFlagsGetOneLineAndExitCode2(String flag) {
        assertThat(run("--table=t", flag, "data/*.csv")).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("ingest: ").endsWith("(see --help)\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aTableAndAPatternAreRequired() {
        assertThat(run("data/*.csv")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("ingest: Missing required option: '--table=NAME' (see --help)\n");
        err.getBuffer().setLength(0);
        assertThat(run("--table=t")).isEqualTo(2);
        assertThat(err.toString()).startsWith("ingest: Missing required parameter: 'PATTERN'");
    }

    @Test
    void anErrorFileThatCannotBeCreatedIsABadFlag() {
        assertThat(run("--table=t", "--errors=/proc/no/such/dir/errors.jsonl", "x.csv")).isEqualTo(2);
        assertThat(err.toString()).startsWith("ingest: --errors /proc/no/such/dir/errors.jsonl: cannot create it");
        assertThat(err.toString().lines()).hasSize(1);
    }
}
