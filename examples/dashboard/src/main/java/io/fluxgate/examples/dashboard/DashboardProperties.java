package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The dashboard's settings, under {@code fluxgate.*} (application.properties, command line {@code --fluxgate...=},
 * environment). Every value is checked when the application starts; a bad one stops it with a message naming the
 * property and the value.
 *
 * @param kafka    where frames go and come from
 * @param events   limits and timeouts of {@code POST /events}
 * @param windows  the unique-users windows of {@code GET /windows/stream}
 */
@ConfigurationProperties("fluxgate")
public record DashboardProperties(@DefaultValue Kafka kafka, @DefaultValue Events events,
                                  @DefaultValue Windows windows) {

    /**
     * @param bootstrapServers an existing cluster; empty (the default) starts the embedded broker
     * @param topic            the frames topic, created when missing
     * @param partitions       partitions of the topic when the app creates it
     * @param createTopic      with an existing cluster, whether to create the topic when missing (turn off where the
     *                         app may not create topics); the embedded broker always gets it
     * @param groupId          consumer group of the windows pipeline
     * @param producer         producer properties passed to the sink as they are ({@code fluxgate.kafka.producer.linger.ms=20})
     * @param consumer         consumer properties passed to the source as they are
     * @param topicConfig      topic configs used when the app creates the topic ({@code retention.ms}, ...)
     */
    public record Kafka(@DefaultValue("") String bootstrapServers,
                        @DefaultValue("dashboard-frames") String topic,
                        @DefaultValue("1") int partitions,
                        @DefaultValue("true") boolean createTopic,
                        @DefaultValue("fluxgate-dashboard") String groupId,
                        Map<String, String> producer,
                        Map<String, String> consumer,
                        Map<String, String> topicConfig) {
        public Kafka {
            requireText("fluxgate.kafka.topic", topic);
            requireText("fluxgate.kafka.group-id", groupId);
            atLeastOne("fluxgate.kafka.partitions", partitions);
            bootstrapServers = bootstrapServers == null ? "" : bootstrapServers.trim();
            producer = producer == null ? Map.of() : Map.copyOf(producer);
            consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
            topicConfig = topicConfig == null ? Map.of() : Map.copyOf(topicConfig);
        }

        /** Whether the app starts its own broker. */
        public boolean embedded() {
            return bootstrapServers.isEmpty();
        }
    }

    /**
     * @param maxBodySize    largest request body; more is 413
     * @param maxLineSize    largest line (one frame); more is 413
     * @param maxErrors      bad lines listed in a 400 answer (the first one is always named)
     * @param publishTimeout how long a request waits for Kafka to acknowledge its frames before it fails with 504
     * @param queueCapacity  requests accepted and not yet handed to the producer; more are refused with 503
     */
    public record Events(@DefaultValue("1MB") DataSize maxBodySize,
                         @DefaultValue("64KB") DataSize maxLineSize,
                         @DefaultValue("20") int maxErrors,
                         @DefaultValue("20s") Duration publishTimeout,
                         @DefaultValue("64") int queueCapacity) {
        public Events {
            long body = positive("fluxgate.events.max-body-size", maxBodySize).toBytes();
            long line = positive("fluxgate.events.max-line-size", maxLineSize).toBytes();
            if (body > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("fluxgate.events.max-body-size must be below 2 GB, was " + maxBodySize);
            }
            if (line > body) {
                throw new IllegalArgumentException("fluxgate.events.max-line-size (" + maxLineSize
                        + ") must not exceed fluxgate.events.max-body-size (" + maxBodySize + ")");
            }
            atLeastOne("fluxgate.events.max-errors", maxErrors);
            positive("fluxgate.events.publish-timeout", publishTimeout);
            atLeastOne("fluxgate.events.queue-capacity", queueCapacity);
        }
    }

    /**
     * @param size      window size
     * @param lateness  how far the watermark trails the largest event time
     * @param idleFlush silence after which the watermark moves on by the time that passed (heartbeat interval)
     * @param replay    closed windows a new {@code /windows/stream} subscriber receives first
     * @param keepAlive silence after which the SSE stream sends a comment, so proxies keep the connection
     */
    public record Windows(@DefaultValue("1m") Duration size,
                          @DefaultValue("5s") Duration lateness,
                          @DefaultValue("5s") Duration idleFlush,
                          @DefaultValue("120") int replay,
                          @DefaultValue("15s") Duration keepAlive) {
        public Windows {
            positive("fluxgate.windows.size", size);
            if (size.getNano() != 0) {
                throw new IllegalArgumentException("fluxgate.windows.size must be whole seconds, was " + size);
            }
            Objects.requireNonNull(lateness, "fluxgate.windows.lateness");
            if (lateness.isNegative() || lateness.getNano() != 0) {
                throw new IllegalArgumentException("fluxgate.windows.lateness must be whole seconds >= 0, was " + lateness);
            }
            positive("fluxgate.windows.idle-flush", idleFlush);
            positive("fluxgate.windows.keep-alive", keepAlive);
            atLeastOne("fluxgate.windows.replay", replay);
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, was '" + value + "'");
        }
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
    }

    private static Duration positive(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    private static DataSize positive(String name, DataSize d) {
        if (d == null || d.toBytes() < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
