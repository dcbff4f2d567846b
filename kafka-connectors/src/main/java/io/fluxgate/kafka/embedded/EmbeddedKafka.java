package io.fluxgate.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.common.Uuid;
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
 * <p>Not thread-safe for concurrent lifecycle calls; the broker itself serves any number of clients.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, String> overrides;
    private Path dir;
    private int brokerPort;
    private int controllerPort;
    private KafkaRaftServer server;
    private Thread shutdownHook;
    private long startupMillis = -1;

    /** A broker with the default (test-tuned) configuration. Call {@link #start()} next. */
    public EmbeddedKafka() {
        this(Map.of());
    }

    /**
     * A broker whose configuration is the default one with {@code brokerProperties} applied on top (e.g.
     * {@code message.max.bytes}, {@code log.segment.bytes}). Listener, port and directory settings are ours.
     *
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
     * @throws IllegalStateException if the broker fails to start (the temporary directory is then removed)
     */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            return this;
        }
        long t0 = System.nanoTime();
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("fluxgate-kafka-");
                brokerPort = freePort();
                controllerPort = freePort();
                shutdownHook = new Thread(this::closeQuietly, "fluxgate-embedded-kafka-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
                KafkaConfig config = config();
                format(config);
            }
            KafkaRaftServer s = new KafkaRaftServer(config(), Time.SYSTEM);
            s.startup();
            server = s;
        } catch (Exception e) {
            closeQuietly();
            throw new IllegalStateException("embedded Kafka broker failed to start: " + e, e);
        }
        startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        log.info("Embedded Kafka broker (KRaft, {}) started on {} in {} ms", org.apache.kafka.common.utils.AppInfoParser.getVersion(),
                bootstrapServers(), startupMillis);
        return this;
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

    /** Whether the broker is running. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}.
     *
     * @throws IllegalStateException if the broker was never started
     */
    public synchronized String bootstrapServers() {
        if (dir == null) {
            throw new IllegalStateException("embedded Kafka broker not started");
        }
        return "127.0.0.1:" + brokerPort;
    }

    /** Wall time of the last {@link #start()} in milliseconds, -1 before the first one. */
    public synchronized long startupMillis() {
        return startupMillis;
    }

    /**
     * Creates a topic with replication factor 1 and waits until it exists; a topic that already exists is left
     * as it is.
     *
     * @throws IllegalArgumentException if {@code partitions < 1}
     * @throws IllegalStateException if the broker does not create it within 30 s
     */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic with replication factor 1 and the given topic configs (e.g. {@code max.message.bytes}).
     *
     * @throws IllegalArgumentException if {@code partitions < 1}
     * @throws IllegalStateException if the broker does not create it within 30 s
     */
    public void createTopic(String name, int partitions, Map<String, String> topicConfig) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
        try (Admin admin = admin()) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfig);
            admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic " + name + " not created within " + ADMIN_TIMEOUT, e);
        }
    }

    /** A new admin client for this broker; the caller closes it. */
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

    private KafkaConfig config() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
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
        return new KafkaConfig(props, false);
    }

    private static void format(KafkaConfig config) throws Exception {
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(config.nodeId())
                .setClusterId(Uuid.randomUuid().toString())
                .setIgnoreFormatted(false)
                .setControllerListenerName(config.controllerListenerNames().head())
                .setMetadataLogDirectory(config.metadataLogDir());
        // the metadata log lives in the first (and only) log directory
        formatter.setDirectories(scala.jdk.javaapi.CollectionConverters.asJava(config.logDirs()));
        formatter.run();
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
