package io.fluxgate.benchmarks.peers;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fluxgate.examples.uniqueusers.UniqueUsersApp;
import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The end-to-end comparison with the peers, each job its own process (JVM start included), against one topic in one
 * embedded broker: a plain consumer, {@code bin/unique-users} exact and approximate, and the Kafka Streams job
 * ({@link KafkaStreamsUniqueUsers}) exact and HLL on RocksDB and in-memory stores. Every job runs once per round,
 * rounds interleaved (the order rotates each round), each with a new group / application id and output topic. Per
 * process it records wall time, CPU time (user + system) and max RSS from {@code /usr/bin/time -v}, and the load
 * average when it started; it checks each job's windows against a reference computed here from the topic with
 * Jackson's tree model and a {@code TreeMap} of {@code HashSet<String>} (independent of both jobs' code).
 *
 * <p>The app jobs run the way users run the app, through {@code bin/unique-users} (from the project root, or
 * {@code APP_LAUNCHER}), with the jobs' JVM options as its {@code JAVA_OPTS}; its first run in each counting mode,
 * which leaves the launcher's class-data archive of that mode, is made before the rounds and not measured
 * ({@code app-exact-nocds}: the same without the archive). The other jobs run on this harness's class path.
 *
 * <p>{@code java -cp benchmarks.jar io.fluxgate.benchmarks.peers.PeersEndToEnd [frames] [rounds] [jobs,...] [csv]}
 * (run through {@code benchmarks/scripts/peers-e2e.sh}); {@code JOB_JAVA_OPTS} holds the jobs' JVM options.
 * Prints a per-run line, then medians and a markdown table; writes every run to the CSV file.
 */
public final class PeersEndToEnd {

    static final String TOPIC = "frames";
    static final String PUSH_UID = "~push";
    static final List<String> ALL_JOBS = List.of("plain", "app-exact", "app-approx", "app-exact-nocds",
            "ks-exact-rocksdb", "ks-exact-memory", "ks-hll-rocksdb", "ks-hll-memory");
    /** How the app jobs run: the launcher users run ({@code APP_LAUNCHER} overrides; relative to the project root). */
    static final String LAUNCHER = System.getenv().getOrDefault("APP_LAUNCHER", "bin/unique-users");
    static final List<String> DEFAULT_JOBS = List.of("plain", "app-exact", "app-approx", "ks-exact-rocksdb",
            "ks-exact-memory", "ks-hll-rocksdb");

    private PeersEndToEnd() {
    }

    /** One process's run. */
    record Run(String job, int round, String startedAt, double load1, double wallS, double cpuS, long maxRssKb,
               String windows, double maxError, String notes) {
    }

    public static void main(String[] args) throws Exception {
        long frames = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> jobs = args.length > 2 && !args[2].isEmpty() ? List.of(args[2].split(",")) : DEFAULT_JOBS;
        Path csv = Path.of(args.length > 3 ? args[3] : "benchmarks/results/peers-e2e.csv");
        for (String j : jobs) {
            if (!ALL_JOBS.contains(j)) {
                throw new IllegalArgumentException("unknown job " + j + ", known: " + ALL_JOBS);
            }
        }
        String jar = System.getProperty("java.class.path"); // the jobs run on this harness's class path
        List<String> javaOpts = List.of(System.getenv().getOrDefault("JOB_JAVA_OPTS", "-Xmx2g").trim().split("\\s+"));
        Path logs = Files.createTempDirectory("peers-e2e-");
        System.out.printf(Locale.ROOT, "jobs %s, %,d frames, %d rounds, job JVM options %s, logs in %s%n",
                jobs, frames, rounds, javaOpts, logs);
        List<Run> runs = new ArrayList<>();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start(); Admin admin = kafka.admin()) {
            String bootstrap = kafka.bootstrapServers();
            long loadStarted = System.nanoTime();
            load(bootstrap, frames);
            Reference ref = Reference.of(bootstrap);
            push(bootstrap, ref);
            System.out.printf(Locale.ROOT, "loaded %,d frames in %.1f s; reference: %d windows, %,d late, %,d malformed;"
                    + " push record at ts %d%n", frames, (System.nanoTime() - loadStarted) / 1e9, ref.windows.size(),
                    ref.late, ref.malformed, ref.pushTs);
            if (jobs.stream().anyMatch(j -> j.startsWith("app-"))) {
                train(bootstrap, admin, javaOpts, jobs, logs);
            }
            for (int round = 1; round <= rounds; round++) {
                for (int i = 0; i < jobs.size(); i++) {
                    String job = jobs.get((i + round - 1) % jobs.size());
                    Run run = runJob(job, round, bootstrap, admin, jar, javaOpts, logs, ref);
                    runs.add(run);
                    System.out.printf(Locale.ROOT, "round %d %-17s wall %6.1f s  cpu %6.1f s  rss %5d MB  load %5.2f  windows %s%s%n",
                            round, job, run.wallS, run.cpuS, run.maxRssKb / 1024, run.load1, run.windows,
                            run.notes.isEmpty() ? "" : "  " + run.notes);
                    writeCsv(csv, runs, frames);
                }
            }
        }
        report(jobs, runs, frames, rounds);
    }

    /**
     * The launcher's first runs over the topic, not measured: {@code bin/unique-users} leaves a class-data archive
     * after its first run in each counting mode and uses it from then on (bin/lib/app-cds.sh), so the measured runs are
     * the runs users make after their first; a second start (with --version) checks and installs each archive. One
     * run per mode measured: an archive holds only the classes its run loaded (the exact run's lacks DataSketches).
     */
    private static void train(String bootstrap, Admin admin, List<String> javaOpts, List<String> jobs, Path logs)
            throws Exception {
        long started = System.nanoTime();
        List<String> modes = new ArrayList<>();
        if (jobs.stream().anyMatch(j -> j.startsWith("app-exact"))) {
            modes.add("exact");
        }
        if (jobs.contains("app-approx")) {
            modes.add("approximate");
        }
        for (String mode : modes) {
            List<String> run = new ArrayList<>(appArgs(bootstrap, "train-" + mode));
            run.add("--mode=" + mode);
            for (List<String> args : List.of(run, List.of("--mode=" + mode, "--version"))) {
                List<String> command = new ArrayList<>(List.of(LAUNCHER));
                command.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(logs.resolve("train.log").toFile());
                pb.environment().put("JAVA_OPTS", String.join(" ", javaOpts));
                Process process = pb.start();
                if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the app's first run failed:\n" + tail(Files.readString(logs.resolve("train.log"))));
                }
            }
            admin.deleteTopics(List.of("out-train-" + mode)).all().get();
        }
        System.out.printf(Locale.ROOT, "%s: first run per mode %s (not measured; leaves its class-data archive) in %.1f s%n",
                LAUNCHER, modes, (System.nanoTime() - started) / 1e9);
    }

    private static List<String> appArgs(String bootstrap, String id) {
        return List.of("--bootstrap-servers=" + bootstrap, "--input-topic=" + TOPIC, "--output-topic=out-" + id,
                "--group-id=g-" + id, "--until-end", "--no-progress");
    }

    /** Loads the topic with the app's own generator (the app's default data set), counting it once as a warm-up. */
    private static void load(String bootstrap, long frames) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = UniqueUsersApp.run(new String[] {"--bootstrap-servers=" + bootstrap, "--generate=" + frames,
            "--input-topic=" + TOPIC, "--output-topic=load-out", "--group-id=load", "--no-progress"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        if (code != 0) {
            throw new IllegalStateException("loading failed (" + code + "): " + err);
        }
    }

    /**
     * Appends the record that makes Kafka Streams close the last windows: a valid frame an hour past the last one, in
     * a window of its own that no job's comparison includes (Kafka Streams never closes it; the app flushes it at the
     * end of input).
     */
    private static void push(String bootstrap, Reference ref) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            String json = "{\"uid\":\"" + PUSH_UID + "\",\"ts\":" + ref.pushTs + "}";
            producer.send(new ProducerRecord<>(TOPIC, json.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private static Run runJob(String job, int round, String bootstrap, Admin admin, String jar, List<String> javaOpts,
                              Path logs, Reference ref) throws Exception {
        String id = job + "-" + round;
        String output = "out-" + id;
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-v", "-o", logs.resolve(id + ".time").toString()));
        Map<String, String> env = new HashMap<>();
        if (job.startsWith("app-")) {
            // as users run it: the launcher, with the same JVM options as every other job (JAVA_OPTS)
            command.add(LAUNCHER);
            command.addAll(appArgs(bootstrap, id));
            if (job.equals("app-approx")) {
                command.add("--mode=approximate");
            }
            env.put("JAVA_OPTS", String.join(" ", javaOpts));
            if (job.equals("app-exact-nocds")) {
                env.put("FLUXGATE_CDS", "off");
            }
        } else {
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(javaOpts);
            command.addAll(List.of("-cp", jar));
        }
        if (job.equals("plain")) {
            command.addAll(List.of(PlainConsumerRun.class.getName(), bootstrap, TOPIC, "g-" + id));
        } else if (job.startsWith("app-")) {
            // above
        } else {
            String[] parts = job.split("-"); // ks-<exact|hll>-<rocksdb|memory>
            // the results carry event timestamps (2023): without retention.ms=-1 the broker deletes them at once
            admin.createTopics(List.of(new NewTopic(output, 1, (short) 1).configs(Map.of("retention.ms", "-1"))))
                    .all().get();
            command.addAll(List.of(KafkaStreamsUniqueUsers.class.getName(), bootstrap, TOPIC, output, parts[1], parts[2],
                    "ks-" + id, PUSH_UID));
        }
        double load = loadAverage();
        String startedAt = Instant.now().toString();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(id + ".log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(id + " did not finish in an hour");
        }
        String log = Files.readString(logs.resolve(id + ".log"));
        if (process.exitValue() != 0) {
            throw new IllegalStateException(id + " failed (" + process.exitValue() + "):\n" + tail(log));
        }
        String time = Files.readString(logs.resolve(id + ".time"));
        double wall = wallSeconds(time);
        double cpu = number(time, "User time \\(seconds\\): ([0-9.]+)") + number(time, "System time \\(seconds\\): ([0-9.]+)");
        long rss = (long) number(time, "Maximum resident set size \\(kbytes\\): ([0-9]+)");
        String windows = "–";
        double maxError = Double.NaN;
        String notes = "";
        if (job.equals("plain")) {
            notes = appPhases(log).replaceFirst("^; ", "");
        } else {
            Map<Long, Long> got = Reference.results(bootstrap, output);
            got.keySet().removeIf(start -> start >= ref.pushWindow());
            boolean exact = job.startsWith("app-exact") || job.startsWith("ks-exact");
            int equal = 0;
            for (Map.Entry<Long, Integer> w : ref.windows.entrySet()) {
                Long c = got.get(w.getKey());
                if (c != null && c.longValue() == w.getValue()) {
                    equal++;
                }
                if (c != null && w.getValue() > 0) {
                    maxError = Double.isNaN(maxError) ? 0 : maxError;
                    maxError = Math.max(maxError, Math.abs(c - w.getValue()) / (double) w.getValue());
                }
            }
            Set<Long> extra = new HashSet<>(got.keySet());
            extra.removeAll(ref.windows.keySet());
            windows = (exact ? equal + "/" + ref.windows.size() : got.size() - extra.size() + "/" + ref.windows.size()
                    + " present") + (extra.isEmpty() ? "" : ", " + extra.size() + " extra");
            if (!exact) {
                notes = String.format(Locale.ROOT, "max error %.2f%%", maxError * 100);
            }
            if (job.startsWith("app-")) {
                notes = (notes + " " + appPhases(log)).trim();
            }
            admin.deleteTopics(List.of(output)).all().get();
            if (job.startsWith("ks-")) {
                List<String> internal = admin.listTopics().names().get().stream()
                        .filter(t -> t.startsWith("ks-" + id + "-")).toList();
                admin.deleteTopics(internal).all().get();
            }
        }
        return new Run(job, round, startedAt, load, wall, cpu, rss, windows, maxError, notes);
    }

    /** The app's own account of its run: time to the pipeline's start and in it, from its summary. */
    private static String appPhases(String log) {
        Matcher pipeline = Pattern.compile("pipeline time\\s+\\S+ \\(([0-9,]+) ms\\)").matcher(log);
        Matcher elapsed = Pattern.compile("elapsed\\s+\\S+ \\(([0-9,]+) ms\\)").matcher(log);
        Matcher phases = Pattern.compile("phases \\(ms\\): ([^\n]+)").matcher(log);
        String s = "";
        if (pipeline.find() && elapsed.find()) {
            s = "app elapsed " + elapsed.group(1).replace(",", "") + " ms, pipeline " + pipeline.group(1).replace(",", "")
                    + " ms";
        }
        return phases.find() ? s + "; phases (ms): " + phases.group(1).replace(",", ";") : s;
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }

    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double wallSeconds(String time) {
        Matcher m = Pattern.compile("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\): ([0-9:.]+)").matcher(time);
        if (!m.find()) {
            throw new IllegalStateException("no wall time in " + time);
        }
        String[] parts = m.group(1).split(":");
        double s = 0;
        for (String part : parts) {
            s = s * 60 + Double.parseDouble(part);
        }
        return s;
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in " + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void writeCsv(Path csv, List<Run> runs, long frames) throws IOException {
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        StringBuilder sb = new StringBuilder("job,round,started_at,load1,wall_s,cpu_s,max_rss_kb,windows,max_error,notes,frames\n");
        for (Run r : runs) {
            sb.append(String.join(",", r.job, Integer.toString(r.round), r.startedAt, fmt(r.load1), fmt(r.wallS),
                    fmt(r.cpuS), Long.toString(r.maxRssKb), '"' + r.windows + '"',
                    Double.isNaN(r.maxError) ? "" : String.format(Locale.ROOT, "%.5f", r.maxError), '"' + r.notes + '"', Long.toString(frames)))
                    .append('\n');
        }
        Files.writeString(csv, sb.toString());
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static void report(List<String> jobs, List<Run> runs, long frames, int rounds) {
        Map<String, double[]> med = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "%n%,d frames, %d interleaved rounds, medians (load average at the runs' starts %.1f-%.1f):%n%n",
                frames, rounds, runs.stream().mapToDouble(Run::load1).min().orElse(0),
                runs.stream().mapToDouble(Run::load1).max().orElse(0));
        System.out.println("| job | wall s | CPU s | max RSS | windows equal to the reference | load avg |");
        System.out.println("|---|---:|---:|---:|---|---:|");
        for (String job : jobs) {
            List<Run> rs = runs.stream().filter(r -> r.job.equals(job)).toList();
            double wall = median(rs.stream().map(Run::wallS).toList());
            double cpu = median(rs.stream().map(Run::cpuS).toList());
            double rss = median(rs.stream().map(r -> (double) r.maxRssKb).toList());
            double load = median(rs.stream().map(Run::load1).toList());
            med.put(job, new double[] {wall, cpu});
            String windows = rs.stream().map(Run::windows).distinct().reduce((a, b) -> a + "; " + b).orElse("");
            String errors = rs.stream().filter(r -> !Double.isNaN(r.maxError) && !r.job.contains("exact"))
                    .map(r -> String.format(Locale.ROOT, "%.2f%%", r.maxError * 100)).reduce((a, b) -> a + ", " + b)
                    .map(e -> " (max error " + e + ")").orElse("");
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %d MB | %s%s | %.1f |%n", label(job), wall, cpu,
                    Math.round(rss / 1024), windows, errors, load);
        }
        System.out.println();
        System.out.println("| ratio (medians) | wall | CPU | target |");
        System.out.println("|---|---:|---:|---|");
        ratio(med, "ks-exact-rocksdb", "app-exact", "our exact app vs Kafka Streams exact (RocksDB)", "≥ 15×");
        ratio(med, "ks-exact-memory", "app-exact", "our exact app vs Kafka Streams exact (in-memory)", "≥ 15×");
        ratio(med, "ks-hll-rocksdb", "app-exact", "our exact app vs Kafka Streams HLL (RocksDB)", "≥ 3×");
        ratio(med, "ks-hll-memory", "app-exact", "our exact app vs Kafka Streams HLL (in-memory)", "≥ 3×");
        ratio(med, "app-exact", "app-approx", "approximate vs exact (our app)", "≥ 1.0×");
        ratio(med, "plain", "app-exact", "app exact process vs plain consumer process", "≥ 0.85×");
        ratio(med, "plain", "app-approx", "app approximate process vs plain consumer process", "–");
        ratio(med, "app-exact-nocds", "app-exact", "app exact with its class-data archive vs without", "–");
    }

    /** Speed of {@code fast} relative to {@code slow}: slow's time over fast's. */
    private static void ratio(Map<String, double[]> med, String slow, String fast, String what, String target) {
        if (med.containsKey(slow) && med.containsKey(fast)) {
            System.out.printf(Locale.ROOT, "| %s | %.2f× | %.2f× | %s |%n", what, med.get(slow)[0] / med.get(fast)[0],
                    med.get(slow)[1] / med.get(fast)[1], target);
        }
    }

    static String label(String job) {
        return switch (job) {
            case "plain" -> "plain `KafkaConsumer`, read only";
            case "app-exact" -> "`bin/unique-users` (exact)";
            case "app-approx" -> "`bin/unique-users --mode approximate`";
            case "app-exact-nocds" -> "`FLUXGATE_CDS=off bin/unique-users` (exact, no class-data archive)";
            case "ks-exact-rocksdb" -> "Kafka Streams, exact (sorted 64-bit hashes per window), RocksDB";
            case "ks-exact-memory" -> "Kafka Streams, exact, in-memory store";
            case "ks-hll-rocksdb" -> "Kafka Streams, HLL (DataSketches, lgK 12), RocksDB";
            case "ks-hll-memory" -> "Kafka Streams, HLL, in-memory store";
            default -> job;
        };
    }

    /**
     * The expected windows, computed from the topic as it was loaded: Jackson's tree model for the frame rules and a
     * {@code TreeMap} of {@code HashSet<String>} for the window rules (watermark = max ts - 5 s; a window closes when
     * the watermark reaches its end; a frame of a closed window is late).
     */
    static final class Reference {
        private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
        private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(62);
        static final long SIZE = 60;
        static final long LATENESS = 5;

        final TreeMap<Long, Integer> windows = new TreeMap<>();
        long late;
        long malformed;
        long pushTs;

        long pushWindow() {
            return Math.floorDiv(pushTs, SIZE) * SIZE;
        }

        static Reference of(String bootstrap) {
            Reference ref = new Reference();
            TreeMap<Long, Set<String>> open = new TreeMap<>();
            long[] maxTs = {Long.MIN_VALUE};
            consume(bootstrap, TOPIC, r -> {
                String uid;
                long ts;
                try {
                    JsonNode root = JSON.readTree(r.value());
                    JsonNode u = root.isObject() ? root.get("uid") : null;
                    JsonNode t = root.isObject() ? root.get("ts") : null;
                    if (u == null || !u.isString() || u.stringValue().isEmpty() || t == null || !t.isIntegralNumber()
                            || t.bigIntegerValue().abs().compareTo(LIMIT) > 0) {
                        ref.malformed++;
                        return;
                    }
                    uid = u.stringValue();
                    ts = t.longValue();
                } catch (RuntimeException e) {
                    ref.malformed++;
                    return;
                }
                maxTs[0] = Math.max(maxTs[0], ts);
                long watermark = maxTs[0] - LATENESS;
                long start = Math.floorDiv(ts, SIZE) * SIZE;
                if (start + SIZE <= watermark) {
                    ref.late++;
                    return;
                }
                open.computeIfAbsent(start, k -> new HashSet<>()).add(uid);
                while (!open.isEmpty() && open.firstKey() + SIZE <= watermark) {
                    Map.Entry<Long, Set<String>> w = open.pollFirstEntry();
                    ref.windows.put(w.getKey(), w.getValue().size());
                }
            });
            open.forEach((start, users) -> ref.windows.put(start, users.size()));
            ref.pushTs = maxTs[0] + 3600;
            return ref;
        }

        /** The last result per window start in an output topic of {@code {"ts":..,"cnt":..}} values. */
        static Map<Long, Long> results(String bootstrap, String topic) {
            Map<Long, Long> out = new HashMap<>();
            consume(bootstrap, topic, r -> {
                JsonNode v = JSON.readTree(r.value());
                out.put(v.get("ts").longValue(), v.get("cnt").longValue());
            });
            return out;
        }

        private static void consume(String bootstrap, String topic,
                                    java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> tps = c.partitionsFor(topic).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(tps);
                c.seekToBeginning(tps);
                Map<TopicPartition, Long> ends = c.endOffsets(tps);
                while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        each.accept(r);
                    }
                }
            }
        }
    }
}
