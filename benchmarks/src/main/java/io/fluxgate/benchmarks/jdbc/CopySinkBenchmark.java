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

    private final PostgresSettings admin = PostgresSettings.fromEnvironment();
    /** A schema of this run's own: the server is shared, and two runs must not truncate each other's tables. */
    private final String schema = "fg_copybench_" + Long.toHexString(System.nanoTime() & 0xFF_FFFF_FFFFL);
    /** The server from the PG* environment with {@link #schema} first on the search_path (psql's too). */
    private final PostgresSettings settings = admin.toBuilder().schema(schema).applicationName(schema).build();
    private final String command;
    private final int rows;
    private final int concurrency;
    private final int batchSize;
    private final int insertRowsPerStatement;
    private final ConnectionPool pool;

    CopySinkBenchmark(String command, int rows, int concurrency, int batchSize, int insertRowsPerStatement) {
        this.command = command;
        this.rows = rows;
        this.concurrency = concurrency;
        this.batchSize = batchSize;
        this.insertRowsPerStatement = insertRowsPerStatement;
        adminSql("CREATE SCHEMA " + schema);
        this.pool = settings.pool(concurrency + 1);
    }

    private void adminSql(String sql) {
        ConnectionPool p = admin.pool(1);
        try {
            Mono.usingWhen(p.create(), c -> Flux.from(c.createStatement(sql).execute())
                    .flatMap(Result::getRowsUpdated).then(), Connection::close).block(Duration.ofMinutes(1));
        } finally {
            p.dispose();
        }
    }

    /**
     * The 1000 distinct names, made once: formatting {@code "name-" + n} per row cost the JVM about as much as
     * encoding the row, work psql's side does before its clock starts (its CSV file is written ahead).
     */
    private static final String[] NAMES = java.util.stream.IntStream.range(0, 1000).mapToObj(n -> "name-" + n)
            .toArray(String[]::new);

    static Row row(int i) {
        return new Row(1_700_000_000_000L + i, i % 97, NAMES[i % 1000]);
    }

    static Flux<Row> source(int n) {
        return Flux.range(0, n).map(CopySinkBenchmark::row);
    }

    public static void main(String[] args) throws Exception {
        // without a logback.xml on the classpath logback logs at DEBUG, and Netty's debug output would be measured
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Map<String, String> opts = new LinkedHashMap<>(Map.of("rows", "1000000", "runs", "3", "warmup", "2",
                "concurrency", "2",
                "batch", Integer.toString(PostgresCopySink.DEFAULT_BATCH_SIZE), "insert-rows", "1000", "modes", "psql,sink,insert"));
        // psql-binary, not a default: psql \copy of the same rows as a binary COPY file, i.e. what one backend does
        // with binary COPY from a client that only ships bytes (the ceiling of one sink connection)
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2 || !opts.containsKey(kv[0])) {
                throw new IllegalArgumentException("usage: --rows=N --runs=N --warmup=N --concurrency=N --batch=N"
                        + " --insert-rows=N --modes=psql,psql-binary,sink,insert; got " + a);
            }
            opts.put(kv[0], kv[1]);
        }
        int rows = Integer.parseInt(opts.get("rows"));
        int runs = Integer.parseInt(opts.get("runs"));
        int warmup = Integer.parseInt(opts.get("warmup"));
        List<String> modes = Arrays.asList(opts.get("modes").split(","));
        String command = ("benchmarks/scripts/jdbc-copy.sh " + String.join(" ", args)).strip();
        CopySinkBenchmark b = new CopySinkBenchmark(command, rows, Integer.parseInt(opts.get("concurrency")),
                Integer.parseInt(opts.get("batch")), Integer.parseInt(opts.get("insert-rows")));
        try {
            b.run(runs, warmup, modes);
        } finally {
            b.pool.dispose();
            b.adminSql("DROP SCHEMA IF EXISTS " + b.schema + " CASCADE");
        }
    }

    void run(int runs, int warmup, List<String> modes) throws Exception {
        Path csv = Files.createTempFile("fluxgate-copy-bench", ".csv");
        Path bin = Files.createTempFile("fluxgate-copy-bench", ".bin");
        try {
            writeCsv(csv);
            if (modes.contains("psql-binary")) {
                writeBinary(bin);
            }
            System.out.printf(Locale.ROOT, "%d rows, %d runs, sink concurrency %d, batch %d, insert %d rows/statement,"
                    + " server %s%n", rows, runs, concurrency, batchSize, insertRowsPerStatement, settings);
            System.out.println("start: " + uptime());
            List<Double> loads = new ArrayList<>();
            String[] kinds = {"unlogged", "logged"};
            for (String kind : kinds) {
                sql("DROP TABLE IF EXISTS bench_" + kind);
                sql("CREATE " + (kind.equals("unlogged") ? "UNLOGGED " : "") + "TABLE bench_" + kind
                        + " (ts bigint, cnt bigint, name text)");
            }
            // JIT warm-up of the Java paths, not measured: two full runs per table by default, since with less the
            // JIT compilers were still busy (tens of ms of CPU per 1M rows) during the first measured sink runs; even
            // after two C2 still spent 25-50 ms per measured run (session 9), so --warmup=N measures closer to a
            // long-running sink's steady state
            for (String kind : kinds) {
                if (modes.contains("sink")) {
                    for (int w = 0; w < warmup; w++) {
                        sink("bench_" + kind, rows);
                        sql("TRUNCATE bench_" + kind);
                    }
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
                        double load = loadAverage();
                        Map<Integer, Long> backendsBefore = backendCpuTicks(backendPids());
                        long clientBefore = processCpuNanos();
                        double[] psqlServerCpu = {Double.NaN};
                        double secs = switch (mode) {
                            case "psql" -> psql(table, csv, "csv", psqlServerCpu);
                            case "psql-binary" -> psql(table, bin, "binary", psqlServerCpu);
                            case "sink" -> sink(table, rows);
                            case "insert" -> insert(table, rows);
                            default -> throw new IllegalArgumentException("mode " + mode);
                        };
                        double clientCpu = (processCpuNanos() - clientBefore) / 1e9;
                        double serverCpu = mode.startsWith("psql") ? psqlServerCpu[0]
                                : cpuSeconds(backendsBefore, backendCpuTicks(backendPids()));
                        long count = count(table);
                        if (count != rows) {
                            throw new IllegalStateException(mode + " wrote " + count + " rows, expected " + rows);
                        }
                        double rps = rows / secs;
                        results.computeIfAbsent(kind + " " + mode, k -> new ArrayList<>()).add(rps);
                        loads.add(load);
                        // CPU seconds: this JVM (for psql modes, only its waiting), and the server backends of the
                        // run's connections (from /proc: the server must be on this machine, else n/a)
                        System.out.printf(Locale.ROOT, "run %d %-8s %-11s %,12.0f rows/s (%.3f s)  cpu: jvm %.2f s,"
                                + " server %.2f s  load average %.2f%n", r, kind, mode, rps, secs,
                                mode.startsWith("psql") ? Double.NaN : clientCpu, serverCpu, load);
                    }
                }
            }
            System.out.println("end: " + uptime());
            System.out.println();
            System.out.printf(Locale.ROOT, "%-20s %14s %14s%n", "median of " + runs, "rows/s", "vs psql \\copy");
            for (String kind : kinds) {
                Double ceiling = results.containsKey(kind + " psql") ? median(results.get(kind + " psql")) : null;
                for (String mode : modes) {
                    double m = median(results.get(kind + " " + mode));
                    System.out.printf(Locale.ROOT, "%-20s %,14.0f %14s%n", kind + " " + mode, m,
                            ceiling == null ? "-" : String.format(Locale.ROOT, "%.2fx", m / ceiling));
                }
            }
            printTable(results, kinds, modes, runs, loads);
        } finally {
            Files.deleteIfExists(csv);
            Files.deleteIfExists(bin);
            for (String kind : new String[] {"unlogged", "logged"}) {
                sql("DROP TABLE IF EXISTS bench_" + kind);
            }
        }
    }

    /**
     * A Markdown table for BENCHMARKS.md, one line per table kind: psql's rows/s, then each other mode's rows/s and
     * its ratio to psql in the same runs, and the spread of the 1-minute load average sampled before each
     * measurement (the machine is shared: a figure without its load is not comparable).
     */
    private void printTable(Map<String, List<Double>> results, String[] kinds, List<String> modes, int runs,
            List<Double> loads) {
        double minLoad = loads.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double maxLoad = loads.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        List<String> others = modes.stream().filter(m -> !m.equals("psql")).toList();
        boolean withPsql = modes.contains("psql");
        System.out.println();
        System.out.printf(Locale.ROOT, "Ready to paste (%s, medians of %d interleaved runs, %d rows):%n%n",
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES), runs, rows);
        StringBuilder head = new StringBuilder("| command | table |");
        StringBuilder rule = new StringBuilder("|---|---|");
        if (withPsql) {
            head.append(" psql `\\copy` rows/s |");
            rule.append("---:|");
        }
        for (String mode : others) {
            head.append(' ').append(MODE_NAMES.getOrDefault(mode, mode)).append(" rows/s |");
            rule.append("---:|");
            if (withPsql) {
                head.append(" / psql |");
                rule.append("---:|");
            }
        }
        head.append(" load average (1 min) |");
        rule.append("---|");
        System.out.println(head);
        System.out.println(rule);
        for (String kind : kinds) {
            StringBuilder line = new StringBuilder("| `" + command + "` | " + kind + " |");
            Double psql = withPsql ? median(results.get(kind + " psql")) : null;
            if (psql != null) {
                line.append(String.format(Locale.ROOT, " %,.0f |", psql));
            }
            for (String mode : others) {
                double m = median(results.get(kind + " " + mode));
                line.append(String.format(Locale.ROOT, " %,.0f |", m));
                if (psql != null) {
                    line.append(String.format(Locale.ROOT, " **%.2f×** |", m / psql));
                }
            }
            line.append(String.format(Locale.ROOT, " %.2f-%.2f |", minLoad, maxLoad));
            System.out.println(line);
        }
    }

    private static final Map<String, String> MODE_NAMES = Map.of("psql", "psql `\\copy`",
            "psql-binary", "psql `\\copy` binary", "sink", "`PostgresCopySink`", "insert", "multi-row INSERT");

    /** The 1-minute load average, or NaN where /proc/loadavg is missing. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String uptime() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "load average " + loadAverage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "load average " + loadAverage();
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

    /** The rows in PostgreSQL's binary COPY format, as the sink sends them. */
    private void writeBinary(Path file) throws IOException {
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(
                Files.newOutputStream(file), 1 << 16))) {
            out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
            out.writeInt(0);
            out.writeInt(0);
            for (int i = 0; i < rows; i++) {
                Row r = row(i);
                out.writeShort(3);
                out.writeInt(8);
                out.writeLong(r.ts());
                out.writeInt(8);
                out.writeLong(r.cnt());
                byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
                out.writeInt(name.length);
                out.write(name);
            }
            out.writeShort(-1);
        }
    }

    private static final Pattern TIMING = Pattern.compile("Time: ([0-9.]+) ms");

    private static final Pattern STAT = Pattern.compile("^stat (.*)$", Pattern.MULTILINE);

    /**
     * Loads {@code file} with psql's {@code \\copy}; the time is psql's own {@code \\timing} of the copy, and
     * {@code serverCpu[0]} the CPU seconds its backend spent on it (from /proc, read through psql's {@code \\!}
     * before and after: the backend exits with psql).
     */
    private double psql(String table, Path file, String format, double[] serverCpu) throws Exception {
        String script = String.join("\n",
                "SELECT pg_backend_pid() AS pid \\gset",
                "\\setenv FG_BACKEND_PID :pid", // psql interpolates variables in \setenv, not in \!
                "\\! echo stat $(cut -d' ' -f14,15 /proc/$FG_BACKEND_PID/stat 2>/dev/null)",
                "\\timing on",
                "\\copy " + table + " (ts, cnt, name) FROM '" + file + "' WITH (FORMAT " + format + ")",
                "\\timing off",
                "\\! echo stat $(cut -d' ' -f14,15 /proc/$FG_BACKEND_PID/stat 2>/dev/null)", "");
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-")
                .redirectErrorStream(true);
        pb.environment().putAll(settings.libpqEnvironment());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + out);
        }
        Matcher m = TIMING.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no timing in psql output: " + out);
        }
        Matcher st = STAT.matcher(out);
        List<Long> ticks = new ArrayList<>();
        while (st.find()) {
            String[] f = st.group(1).trim().split(" ");
            if (f.length == 2) {
                ticks.add(Long.parseLong(f[0]) + Long.parseLong(f[1]));
            }
        }
        serverCpu[0] = ticks.size() == 2 ? (ticks.get(1) - ticks.get(0)) / (double) CLOCK_TICKS : Double.NaN;
        return Double.parseDouble(m.group(1)) / 1000;
    }

    /** Linux's USER_HZ, the unit of /proc/PID/stat's CPU times (100 on every common platform). */
    private static final int CLOCK_TICKS = 100;

    /** The pids of this run's server backends (its pool's connections, by application_name). */
    private List<Integer> backendPids() {
        return Mono.usingWhen(pool.create(), c -> Flux.from(c.createStatement(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = $1").bind(0, schema).execute())
                .flatMap(r -> r.map((row, m) -> row.get(0, Integer.class))).collectList(), Connection::close)
                .block(Duration.ofMinutes(1));
    }

    /** utime + stime of each pid whose /proc entry is readable. */
    private static Map<Integer, Long> backendCpuTicks(List<Integer> pids) {
        Map<Integer, Long> ticks = new LinkedHashMap<>();
        for (int pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                // fields after the parenthesised command name: state is field 3, utime 14, stime 15
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (IOException | RuntimeException e) {
                // not on this machine, or gone
            }
        }
        return ticks;
    }

    private static double cpuSeconds(Map<Integer, Long> before, Map<Integer, Long> after) {
        if (after.isEmpty()) {
            return Double.NaN;
        }
        long sum = 0;
        for (Map.Entry<Integer, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum / (double) CLOCK_TICKS;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private double sink(String table, int n) {
        PostgresCopySink<Row> sink = PostgresCopySink.<Row>builder(pool)
                .table(table)
                .int8Column("ts", Row::ts)
                .int8Column("cnt", Row::cnt)
                .column("name", PgType.TEXT, Row::name)
                .batchSize(batchSize)
                .maxInFlight(concurrency)
                .build();
        long start = System.nanoTime();
        sink.write(source(n)).block(Duration.ofMinutes(5));
        return (System.nanoTime() - start) / 1e9;
    }

    /** The usual hand-written alternative: multi-row INSERTs with bind parameters, {@code concurrency} at once. */
    private double insert(String table, int n) {
        int per = insertRowsPerStatement;
        String full = statementFor(table, per);
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
