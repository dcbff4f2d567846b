package io.fluxgate.kafka.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.Manifest;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.common.Uuid;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (one process acting as broker and controller), running in
 * this JVM, bound to 127.0.0.1 on two free ports, with its data in a temporary directory that {@link #close()}
 * deletes.
 *
 * <p>Used by the tests (through {@link EmbeddedKafkaExtension}) and by the examples as their default when no
 * cluster is given, so the broker code exists once. The configuration is tuned for a fast start and a small
 * footprint: replication factor 1 for the internal topics, one partition for the offsets topic, no initial
 * rebalance delay, small index files, two network and I/O threads. Any broker property can be overridden with
 * {@link #EmbeddedKafka(Map)}.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
 *     kafka.createTopic("frames", 4);
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p><b>Versions.</b> Only entry points that have stayed the same from Kafka 3.9 to 4.4 are called
 * ({@code KafkaConfig(Map, boolean)}, {@code KafkaRaftServer(KafkaConfig, Time)}, the storage {@code Formatter}'s
 * setters), so a Spring Boot BOM may move the broker jars to its own Kafka line (4.1 for Boot 4.0, 4.2 for Boot 4.1).
 * The broker enables the consumer group protocol (KIP-848, {@code group.protocol=consumer}) on Kafka 4, with its
 * broker-side session timeout (6 s) and heartbeat interval (0.5 s) at test scale; both protocols accept sessions
 * down to 1 s (a client's {@code session.timeout.ms}, a group's {@code consumer.session.timeout.ms}). It serves share
 * groups (KIP-932, Kafka 4.2+) with the same test-scale session and heartbeat; {@link #shareGroupProperties(Duration)}
 * shortens their record locks and {@link #alterGroupConfig(String, Map)} sets a group's
 * {@code share.auto.offset.reset}. A start that fails for any reason
 * comes out as one {@link EmbeddedKafkaStartException} naming the broker version and the cause.
 *
 * <p>Not thread-safe for concurrent lifecycle calls; the broker itself serves any number of clients.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private static boolean exitProceduresInstalled;

    private final Map<String, String> overrides;
    /** Set by the first {@link #start()}, kept across {@link #stop()}, cleared by {@link #close()}. */
    private @Nullable Path dir;
    private int brokerPort;
    private int controllerPort;
    private @Nullable KafkaRaftServer server;
    private @Nullable Thread shutdownHook;
    private long startupMillis = -1;

    /** A broker with the default (test-tuned) configuration. Call {@link #start()} next. */
    public EmbeddedKafka() {
        this(Map.of());
    }

    /**
     * A broker whose configuration is the default one with {@code brokerProperties} applied on top (e.g.
     * {@code message.max.bytes}, {@code log.segment.bytes}). Listener, port and directory settings are ours.
     *
     * @param brokerProperties Kafka broker properties by name, copied; applied last, so they win over our
     *     defaults (overriding {@code listeners}, {@code log.dirs} or {@code node.id} breaks the broker)
     * @throws NullPointerException if {@code brokerProperties} is null
     */
    public EmbeddedKafka(Map<String, String> brokerProperties) {
        this.overrides = Map.copyOf(Objects.requireNonNull(brokerProperties, "brokerProperties"));
    }

    /**
     * Formats the storage of a fresh temporary directory and starts the broker; returns once it is unfenced and
     * accepts clients. Idempotent while running.
     *
     * @return this broker
     * @throws EmbeddedKafkaStartException if the broker fails to start, whatever the cause ({@code Error}s such as a
     *     {@code NoSuchMethodError} from mixed Kafka jars included); its message names the broker version and the
     *     cause. The temporary directory is then removed.
     */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            return this;
        }
        long t0 = System.nanoTime();
        try {
            keepKafkaFromEndingTheJvm();
            if (dir == null) {
                dir = Files.createTempDirectory("fluxgate-kafka-");
                brokerPort = freePort();
                controllerPort = freePort();
                shutdownHook = new Thread(this::closeQuietly, "fluxgate-embedded-kafka-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
                format();
            }
            KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(properties(), false), Time.SYSTEM);
            s.startup();
            server = s;
        } catch (VirtualMachineError e) {
            closeQuietly();
            throw e;
        } catch (Throwable e) {
            // LinkageErrors included: a broker jar of another Kafka line than the others (a BOM moving some of them)
            // surfaces as NoSuchMethodError or NoClassDefFoundError, which must not reach the user as a raw signature
            closeQuietly();
            throw new EmbeddedKafkaStartException(brokerVersion(), e);
        }
        startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        log.info("Embedded Kafka broker (KRaft, {}) started on {} in {} ms", brokerVersion(), bootstrapServers(),
                startupMillis);
        return this;
    }

    /**
     * The broker's fault handlers call {@code Exit.halt} on a fatal fault, e.g. when a start that failed halfway
     * shuts down; in a test JVM or an app using the embedded default that would end the whole process without a
     * word. Once an embedded broker is used, Kafka's exit and halt are logged and ignored instead: the broker's
     * own error (a failed start is rethrown by {@link #start()}) reaches the caller, and the JVM stays its owner's.
     */
    private static synchronized void keepKafkaFromEndingTheJvm() {
        if (exitProceduresInstalled) {
            return;
        }
        // Exit is in org.apache.kafka.common.utils up to Kafka 4.3 and in its .internals package from 4.4: reached
        // by name, so that one jar serves both
        ClassLoader loader = EmbeddedKafka.class.getClassLoader();
        boolean installed = false;
        for (String name : List.of("org.apache.kafka.common.utils.internals.Exit", "org.apache.kafka.common.utils.Exit")) {
            try {
                Class<?> exit = Class.forName(name, true, loader);
                Class<?> procedure = Class.forName(name + "$Procedure", true, loader);
                exit.getMethod("setHaltProcedure", procedure).invoke(null, ignoring(procedure, "halt"));
                exit.getMethod("setExitProcedure", procedure).invoke(null, ignoring(procedure, "exit"));
                installed = true;
            } catch (ClassNotFoundException absent) {
                // the other Kafka line
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn("Could not keep Kafka's {} from ending the JVM: {}", name, e.toString());
            }
        }
        if (!installed) {
            log.warn("No Kafka Exit class found: a fatal broker fault may halt this JVM");
        }
        exitProceduresInstalled = true;
    }

    /** An {@code Exit.Procedure} that logs Kafka's request to {@code what} the JVM and returns. */
    private static Object ignoring(Class<?> procedure, String what) {
        return Proxy.newProxyInstance(procedure.getClassLoader(), new Class<?>[] {procedure}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "execute" -> {
                    log.error("Kafka asked to {} the JVM (status {}): {}; ignored by the embedded broker", what,
                            args[0], args.length > 1 ? args[1] : null);
                    return null;
                }
                case "toString" -> {
                    return "fluxgate-embedded-kafka-" + what;
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                default -> throw new UnsupportedOperationException(method.toString());
            }
        });
    }

    /**
     * The version of the {@code kafka-clients} jar on the classpath (its {@code kafka/kafka-version.properties}), or
     * {@code "unknown"}. Read as a resource: the class that reads it, AppInfoParser, moved package in Kafka 4.4.
     *
     * @return a version such as {@code 4.2.1}, or a text starting with {@code unknown}; never throws
     */
    public static String clientsVersion() {
        try (InputStream in = EmbeddedKafka.class.getClassLoader().getResourceAsStream("kafka/kafka-version.properties")) {
            if (in == null) {
                return "unknown (no kafka-clients jar on the classpath)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown").trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * The Kafka version of the broker jars on the classpath ({@code kafka_2.13}'s manifest), or {@code "unknown"}.
     * Read without touching broker classes, so it works even when those cannot be linked.
     *
     * @return a version such as {@code 4.2.1}, or a text starting with {@code unknown}; never throws
     */
    public static String brokerVersion() {
        try {
            URL cls = EmbeddedKafka.class.getClassLoader().getResource("kafka/server/KafkaRaftServer.class");
            if (cls == null) {
                return "unknown (no kafka_2.13 jar on the classpath)";
            }
            String s = cls.toString();
            int bang = s.indexOf("!/");
            if (!s.startsWith("jar:") || bang < 0) {
                return "unknown";
            }
            try (InputStream in = URI.create(s.substring(0, bang + 2) + "META-INF/MANIFEST.MF").toURL().openStream()) {
                String version = new Manifest(in).getMainAttributes().getValue("Version");
                return version == null ? "unknown" : version;
            }
        } catch (Exception | LinkageError e) {
            return "unknown";
        }
    }

    /**
     * Stops the broker but keeps its data and ports, so that {@link #start()} brings the same broker back (for
     * tests of clients riding over a broker restart).
     */
    public synchronized void stop() {
        KafkaRaftServer s = server;
        server = null;
        if (s != null) {
            s.shutdown();
            s.awaitShutdown();
        }
    }

    /**
     * Whether the broker is running.
     *
     * @return true between a successful {@link #start()} and the next {@link #stop()} or {@link #close()}
     */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. It stays the same across
     * {@link #stop()} and {@link #start()}, so clients can be built once.
     *
     * @return {@code 127.0.0.1:<port>}
     * @throws IllegalStateException if the broker was never started
     */
    public synchronized String bootstrapServers() {
        if (dir == null) {
            throw new IllegalStateException("embedded Kafka broker not started");
        }
        return "127.0.0.1:" + brokerPort;
    }

    /**
     * Wall time of the last {@link #start()}, for tests and benchmarks that report set-up cost.
     *
     * @return milliseconds, or -1 before the first start
     */
    public synchronized long startupMillis() {
        return startupMillis;
    }

    /**
     * Creates a topic with replication factor 1 and waits until it exists; a topic that already exists is left
     * as it is. Also waits until every partition has a leader that answers, so a producer started right after
     * does not see {@code NOT_LEADER_OR_FOLLOWER}.
     *
     * @param name the topic name
     * @param partitions at least 1
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code partitions < 1}
     * @throws IllegalStateException if the broker is not started, or does not create it within 30 s
     */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic with replication factor 1 and the given topic configs (e.g. {@code max.message.bytes}), and
     * waits as {@link #createTopic(String, int)} does. A topic that already exists keeps its own configs.
     *
     * @param name the topic name
     * @param partitions at least 1
     * @param topicConfig topic-level configs by name; empty for the broker's defaults
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code partitions < 1}
     * @throws IllegalStateException if the broker is not started, or does not create it within 30 s
     */
    public void createTopic(String name, int partitions, Map<String, String> topicConfig) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
        try (Admin admin = admin()) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfig);
            try {
                admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e.getCause());
                }
            }
            awaitLeaders(admin, name);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe topic " + name + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic " + name + " not created within " + ADMIN_TIMEOUT, e);
        }
    }

    /**
     * The controller has created the topic when createTopics returns, but the broker may not have its leaders in
     * its metadata cache yet; a producer arriving in that gap gets NOT_LEADER_OR_FOLLOWER, and an idempotent one
     * can then loop on OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout.
     */
    private static void awaitLeaders(Admin admin, String name)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                var description = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
                if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    // ListOffsets is answered by the partition leader itself: it works once the leader serves it
                    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
                    description.partitions().forEach(p -> latest.put(new org.apache.kafka.common.TopicPartition(name, p.partition()),
                            org.apache.kafka.clients.admin.OffsetSpec.latest()));
                    admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no leader for every partition of " + name + " within " + ADMIN_TIMEOUT);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Broker properties for share-group tests, to pass to {@link #EmbeddedKafka(Map)} (alone or merged with others):
     * records acquired by a share consumer stay locked for {@code recordLock}
     * ({@code group.share.record.lock.duration.ms}, 30 s by default, at least 15 s unless the minimum is lowered,
     * which these properties do), so a test of lock expiry or renewal runs in seconds. Share groups themselves need
     * nothing more on Kafka 4.2 and later.
     *
     * @param recordLock how long an acquired record stays locked; between 1 s and 60 s
     * @return the properties, unmodifiable
     * @throws IllegalArgumentException if {@code recordLock} is outside 1 s to 60 s
     * @throws NullPointerException if {@code recordLock} is null
     */
    public static Map<String, String> shareGroupProperties(Duration recordLock) {
        long ms = Objects.requireNonNull(recordLock, "recordLock").toMillis();
        if (ms < 1000 || ms > 60_000) {
            throw new IllegalArgumentException("recordLock must be between 1 s and 60 s: " + recordLock);
        }
        return Map.of("group.share.record.lock.duration.ms", Long.toString(ms),
                "group.share.min.record.lock.duration.ms", "1000");
    }

    /**
     * Sets dynamic configs of a group (Kafka 4.2+ for share groups), e.g. {@code share.auto.offset.reset=earliest}
     * so that a new share group reads a topic from its start rather than from its end; waits until the broker took
     * them. The group need not exist yet.
     *
     * @param groupId the group
     * @param configs group configs by name
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the broker refuses them or does not answer within 30 s
     */
    public void alterGroupConfig(String groupId, Map<String, String> configs) {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(configs, "configs");
        try (Admin admin = admin()) {
            List<AlterConfigOp> ops = configs.entrySet().stream()
                    .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                    .toList();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, groupId), ops)).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not configure group " + groupId + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring group " + groupId, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("group " + groupId + " not configured within " + ADMIN_TIMEOUT, e);
        }
    }

    /**
     * A new admin client for this broker; the caller closes it.
     *
     * @return an {@link Admin} bootstrapped to {@link #bootstrapServers()}
     * @throws IllegalStateException if the broker was never started
     */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Stops the broker and deletes its temporary directory. Idempotent. */
    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            deleteDir();
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the hook is running us
                }
                shutdownHook = null;
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka broker did not close cleanly", e);
        }
    }

    private Properties properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The consumer group protocol (KIP-848, group.protocol=consumer): on by default from Kafka 4.0. Its session
        // and heartbeat are the broker's, with minimums (45 s, 5 s) made for production; a test takeover must not wait
        // 45 s for a killed member, so they are brought to the classic protocol's scale. A 3.9 broker ignores them.
        p.put("group.consumer.min.session.timeout.ms", "1000");
        p.put("group.consumer.session.timeout.ms", "6000");
        p.put("group.consumer.min.heartbeat.interval.ms", "100");
        p.put("group.consumer.heartbeat.interval.ms", "500");
        // Share groups (KIP-932; on by default from Kafka 4.2, metadata version 4.2-IV1): the share coordinator's state
        // topic is created on a share group's first use, with a replication factor of 3 unless told otherwise, which a
        // single broker refuses; its heartbeat and session minimums (5 s, 45 s) are brought to test scale as for
        // consumer groups. Nothing of it is started before a share group is used, and a 3.9 broker ignores them.
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.share.min.session.timeout.ms", "1000");
        p.put("group.share.session.timeout.ms", "6000");
        p.put("group.share.min.heartbeat.interval.ms", "100");
        p.put("group.share.heartbeat.interval.ms", "500");
        // The classic protocol's floor for a client's session.timeout.ms (default 6 s): tests of takeovers after a
        // kill set a few seconds, so the floor is the consumer protocol's.
        p.put("group.min.session.timeout.ms", "1000");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("background.threads", "2");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        p.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        p.put("auto.create.topics.enable", "true");
        p.put("delete.topic.enable", "true");
        p.putAll(overrides);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private String dataDir() {
        return dir.resolve("data").toString();
    }

    /**
     * Formats the (single) log directory, which also holds the metadata log. Only values we set ourselves are
     * passed, not read back from KafkaConfig: its accessors changed from Scala to Java collections in Kafka 4.
     */
    private void format() throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setIgnoreFormatted(false)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(dataDir())
                .setDirectories(List.of(dataDir()))
                .run();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private void deleteDir() {
        Path d = dir;
        if (d == null) {
            return;
        }
        dir = null;
        try {
            Files.walkFileTree(d, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException exc) throws IOException {
                    Files.deleteIfExists(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + d, e);
        }
    }
}
