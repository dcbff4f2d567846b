package io.fluxgate.benchmarks.jdbc;

import io.fluxgate.jdbc.PgType;
import io.fluxgate.jdbc.PostgresCopySink;
import io.fluxgate.jdbc.PostgresSettings;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * End-to-end ingestion benchmark: the same 1M rows {@code (ts bigint, cnt bigint, name text)} into an unlogged and a
 * logged table by (1) {@code psql \copy} of a CSV file (the ceiling; time from psql's own {@code \timing}, so its
 * process start is not counted), (2) {@link PostgresCopySink} from a {@code Flux} of Java objects, (3) multi-row
 * {@code INSERT ... VALUES (...), (...)} statements through R2DBC. Runs the three interleaved, {@code --runs}
 * times, and prints each figure's median and its ratio to psql measured in the same run set.
 *
 * <p>Settings from the PG* environment. Run through {@code benchmarks/scripts/jdbc-copy.sh}.
 */
public final class CopySinkBenchmark {

    record Row(long ts, long cnt, String name) {
    }

    private final PostgresSettings settings = PostgresSettings.fromEnvironment();
    private final int rows;
    private final int concurrency;
    private final int batchSize;
    private final int insertRowsPerStatement;
    private final ConnectionPool pool;

    CopySinkBenchmark(int rows, int concurrency, int batchSize, int insertRowsPerStatement) {
        this.rows = rows;
        this.concurrency = concurrency;
        this.batchSize = batchSize;
        this.insertRowsPerStatement = insertRowsPerStatement;
        this.pool = settings.pool(concurrency + 1);
    }

    static Row row(int i) {
        return new Row(1_700_000_000_000L + i, i % 97, "name-" + (i % 1000));
    }

    static Flux<Row> source(int n) {
        return Flux.range(0, n).map(CopySinkBenchmark::row);
    }

    public static void main(String[] args) throws Exception {
        // without a logback.xml on the classpath logback logs at DEBUG, and Netty's debug output would be measured
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Map<String, String> opts = new LinkedHashMap<>(Map.of("rows", "1000000", "runs", "3", "concurrency", "2",
                "batch", "50000", "insert-rows", "1000", "modes", "psql,sink,insert"));
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2 || !opts.containsKey(kv[0])) {
                throw new IllegalArgumentException("usage: --rows=N --runs=N --concurrency=N --batch=N"
                        + " --insert-rows=N --modes=psql,sink,insert; got " + a);
            }
            opts.put(kv[0], kv[1]);
        }
        int rows = Integer.parseInt(opts.get("rows"));
        int runs = Integer.parseInt(opts.get("runs"));
        List<String> modes = Arrays.asList(opts.get("modes").split(","));
        CopySinkBenchmark b = new CopySinkBenchmark(rows, Integer.parseInt(opts.get("concurrency")),
                Integer.parseInt(opts.get("batch")), Integer.parseInt(opts.get("insert-rows")));
        try {
            b.run(runs, modes);
        } finally {
            b.pool.dispose();
        }
    }

    void run(int runs, List<String> modes) throws Exception {
        Path csv = Files.createTempFile("fluxgate-copy-bench", ".csv");
        try {
            writeCsv(csv);
            System.out.printf(Locale.ROOT, "%d rows, %d runs, sink concurrency %d, batch %d, insert %d rows/statement,"
                    + " server %s%n", rows, runs, concurrency, batchSize, insertRowsPerStatement, settings);
            String[] kinds = {"unlogged", "logged"};
            for (String kind : kinds) {
                sql("DROP TABLE IF EXISTS bench_" + kind);
                sql("CREATE " + (kind.equals("unlogged") ? "UNLOGGED " : "") + "TABLE bench_" + kind
                        + " (ts bigint, cnt bigint, name text)");
            }
            // JIT warm-up of the Java paths, not measured
            for (String kind : kinds) {
                if (modes.contains("sink")) {
                    sink("bench_" + kind, Math.min(rows, 300_000));
                }
                if (modes.contains("insert")) {
                    insert("bench_" + kind, Math.min(rows, 50_000));
                }
            }
            Map<String, List<Double>> results = new LinkedHashMap<>();
            for (int r = 1; r <= runs; r++) {
                for (String kind : kinds) {
                    String table = "bench_" + kind;
                    for (String mode : modes) {
                        sql("TRUNCATE " + table);
                        sql("CHECKPOINT");
                        double secs = switch (mode) {
                            case "psql" -> psql(table, csv);
                            case "sink" -> sink(table, rows);
                            case "insert" -> insert(table, rows);
                            default -> throw new IllegalArgumentException("mode " + mode);
                        };
                        long count = count(table);
                        if (count != rows) {
                            throw new IllegalStateException(mode + " wrote " + count + " rows, expected " + rows);
                        }
                        double rps = rows / secs;
                        results.computeIfAbsent(kind + " " + mode, k -> new ArrayList<>()).add(rps);
                        System.out.printf(Locale.ROOT, "run %d %-8s %-6s %,12.0f rows/s (%.3f s)%n", r, kind, mode,
                                rps, secs);
                    }
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "%-16s %14s %14s%n", "median of " + runs, "rows/s", "vs psql \\copy");
            for (String kind : kinds) {
                Double ceiling = results.containsKey(kind + " psql") ? median(results.get(kind + " psql")) : null;
                for (String mode : modes) {
                    double m = median(results.get(kind + " " + mode));
                    System.out.printf(Locale.ROOT, "%-16s %,14.0f %14s%n", kind + " " + mode, m,
                            ceiling == null ? "-" : String.format(Locale.ROOT, "%.2fx", m / ceiling));
                }
            }
        } finally {
            Files.deleteIfExists(csv);
            for (String kind : new String[] {"unlogged", "logged"}) {
                sql("DROP TABLE IF EXISTS bench_" + kind);
            }
        }
    }

    private void writeCsv(Path csv) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rows; i++) {
                Row r = row(i);
                w.write(Long.toString(r.ts()));
                w.write(',');
                w.write(Long.toString(r.cnt()));
                w.write(',');
                w.write(r.name());
                w.write('\n');
            }
        }
    }

    private static final Pattern TIMING = Pattern.compile("Time: ([0-9.]+) ms");

    private double psql(String table, Path csv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-v", "ON_ERROR_STOP=1", "-c", "\\timing on", "-c",
                "\\copy " + table + " (ts, cnt, name) FROM '" + csv + "' WITH (FORMAT csv)").redirectErrorStream(true);
        pb.environment().putAll(settings.libpqEnvironment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + out);
        }
        Matcher m = TIMING.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no timing in psql output: " + out);
        }
        return Double.parseDouble(m.group(1)) / 1000;
    }

    private double sink(String table, int n) {
        PostgresCopySink<Row> sink = PostgresCopySink.<Row>builder(pool)
                .table(table)
                .column("ts", PgType.INT8, Row::ts)
                .column("cnt", PgType.INT8, Row::cnt)
                .column("name", PgType.TEXT, Row::name)
                .batchSize(batchSize)
                .concurrency(concurrency)
                .build();
        long start = System.nanoTime();
        sink.write(source(n)).block(Duration.ofMinutes(5));
        return (System.nanoTime() - start) / 1e9;
    }

    /** The usual hand-written alternative: multi-row INSERTs with bind parameters, {@code concurrency} at once. */
    private double insert(String table, int n) {
        int per = insertRowsPerStatement;
        StringBuilder sb = new StringBuilder("INSERT INTO " + table + " (ts, cnt, name) VALUES ");
        for (int i = 0; i < per; i++) {
            sb.append(i == 0 ? "" : ",").append("($").append(3 * i + 1).append(",$").append(3 * i + 2).append(",$")
                    .append(3 * i + 3).append(')');
        }
        String full = sb.toString();
        long start = System.nanoTime();
        source(n).buffer(per).flatMap(batch -> Mono.usingWhen(pool.create(), c -> {
            String sql = batch.size() == per ? full : statementFor(table, batch.size());
            Statement s = c.createStatement(sql);
            for (int i = 0; i < batch.size(); i++) {
                Row r = batch.get(i);
                s.bind(3 * i, r.ts()).bind(3 * i + 1, r.cnt()).bind(3 * i + 2, r.name());
            }
            return Flux.from(s.execute()).flatMap(Result::getRowsUpdated).then();
        }, Connection::close), concurrency, 1).blockLast(Duration.ofMinutes(10));
        return (System.nanoTime() - start) / 1e9;
    }

    private static String statementFor(String table, int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO " + table + " (ts, cnt, name) VALUES ");
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "" : ",").append("($").append(3 * i + 1).append(",$").append(3 * i + 2).append(",$")
                    .append(3 * i + 3).append(')');
        }
        return sb.toString();
    }

    private long count(String table) {
        return Mono.usingWhen(pool.create(), c -> Mono.from(c.createStatement("SELECT count(*) FROM " + table)
                .execute()).flatMap(r -> Mono.from(r.map((row, m) -> row.get(0, Long.class)))), Connection::close)
                .block(Duration.ofMinutes(1));
    }

    private void sql(String sql) {
        Mono.usingWhen(pool.create(), c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(Result::getRowsUpdated).then(), Connection::close).block(Duration.ofMinutes(1));
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
