package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.r2dbc.pool.ConnectionPool;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/**
 * One million rows of about 150 bytes each (≈150 MB of row data, more than the heap) streamed through the sink in
 * a child JVM capped at {@code -Xmx128m}: it only completes if batches, COPY chunks and upstream demand are bounded.
 */
@ExtendWith(PostgresExtension.class)
class BoundedMemoryTest {

    static final int ROWS = 1_000_000;
    static final String PAD = "x".repeat(120);
    static final Duration HANG_GUARD = Duration.ofMinutes(10);

    @Test
    void aMillionRowsWithTheHeapCappedAt128m(PostgresTestSchema db) throws Exception {
        // unlogged: this test is about the client's memory, not the server's WAL throughput
        db.execute("CREATE UNLOGGED TABLE million (ts int8, cnt int8, name text)");
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
                "-Xmx128m", "-XX:MaxDirectMemorySize=64m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.putAll(db.settings().libpqEnvironment());
        env.put("FLUXGATE_TEST_SCHEMA", db.name());
        File log = File.createTempFile("bounded-memory", ".log");
        log.deleteOnExit();
        pb.redirectOutput(log);
        Process p = pb.start();
        // a hang guard, not a speed limit (the copy takes seconds; speed is measured by the COPY sink's benchmarks)
        boolean exited = p.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String output = java.nio.file.Files.readString(log.toPath(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(exited).as("child finished: " + output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("rowsCopied=" + ROWS);
        assertThat(db.queryLong("SELECT count(*) FROM million")).isEqualTo(ROWS);
        assertThat(db.queryLong("SELECT count(DISTINCT ts) FROM million")).isEqualTo(ROWS);
    }

    record Row(long ts, long cnt, String name) {
    }

    /** The child JVM: settings from the PG* environment, the test's schema on the search path. */
    public static final class Child {
        public static void main(String[] args) {
            PostgresSettings settings = PostgresSettings.fromEnvironment().toBuilder()
                    .schema(System.getenv("FLUXGATE_TEST_SCHEMA")).build();
            ConnectionPool pool = settings.pool(2);
            try {
                PostgresCopySink<Row> sink = PostgresCopySink.<Row>builder(pool)
                        .table("million")
                        .column("ts", PgType.INT8, Row::ts)
                        .column("cnt", PgType.INT8, Row::cnt)
                        .column("name", PgType.TEXT, Row::name)
                        .build();
                // every row a fresh ~150-byte object: all of them would not fit the heap
                Flux<Row> rows = Flux.range(0, ROWS).map(i -> new Row(i, i % 97, i + PAD));
                CopySummary summary = sink.write(rows).block(HANG_GUARD);
                Runtime rt = Runtime.getRuntime();
                System.out.println(summary + " heapUsedMb=" + (rt.totalMemory() - rt.freeMemory()) / (1 << 20)
                        + " maxHeapMb=" + rt.maxMemory() / (1 << 20));
            } finally {
                pool.dispose();
            }
            System.exit(0);
        }
    }
}
