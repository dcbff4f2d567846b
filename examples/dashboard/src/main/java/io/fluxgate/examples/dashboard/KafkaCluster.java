package io.fluxgate.examples.dashboard;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka cluster the dashboard talks to: the embedded single-node broker it starts itself (the default, as the
 * main job does), or an existing cluster ({@code fluxgate.kafka.bootstrap-servers}). Creates the frames topic when
 * it is missing. Closing stops the embedded broker (its data goes with it).
 */
final class KafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);
    private static final long ADMIN_TIMEOUT_MS = 10_000;

    private final EmbeddedKafka embedded;
    private final String bootstrapServers;

    private KafkaCluster(EmbeddedKafka embedded, String bootstrapServers) {
        this.embedded = embedded;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the embedded broker or connects to the configured cluster, and makes sure the topic exists. */
    static KafkaCluster start(DashboardProperties.Kafka config) {
        if (config.embedded()) {
            EmbeddedKafka kafka = new EmbeddedKafka().start();
            try {
                kafka.createTopic(config.topic(), config.partitions(), config.topicConfig());
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return new KafkaCluster(kafka, kafka.bootstrapServers());
        }
        if (config.createTopic()) {
            createTopicIfMissing(config);
        }
        return new KafkaCluster(null, config.bootstrapServers());
    }

    /**
     * Best effort: a cluster that is down, or refuses topic creation, is reported and the app starts anyway; the
     * producer and consumer say what is wrong when they are used, and the breaker answers 503 meanwhile.
     */
    private static void createTopicIfMissing(DashboardProperties.Kafka config) {
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS))) {
            NewTopic topic = new NewTopic(config.topic(), config.partitions(), (short) -1).configs(config.topicConfig());
            admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            log.info("Created topic {} ({} partitions) on {}", config.topic(), config.partitions(), config.bootstrapServers());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                log.info("Using topic {} on {}", config.topic(), config.bootstrapServers());
            } else {
                log.warn("Could not create topic {} on {}: {}", config.topic(), config.bootstrapServers(), e.getCause().toString());
            }
        } catch (TimeoutException e) {
            log.warn("Kafka at {} did not answer within {} ms; topic {} not checked", config.bootstrapServers(),
                    ADMIN_TIMEOUT_MS, config.topic());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + config.topic(), e);
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    boolean embedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
