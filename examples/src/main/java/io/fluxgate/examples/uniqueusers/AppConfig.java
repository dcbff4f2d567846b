package io.fluxgate.examples.uniqueusers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.fluxgate.jdbc.PostgresSettings;
import org.apache.kafka.clients.consumer.GroupProtocol;

/**
 * The app's settings after the flags have been checked; {@code postgres} is null without {@code --postgres};
 * {@code consumerProperties} go to the input's Kafka consumer after the app's own; {@code groupProtocol} is the input
 * consumer's group protocol (with {@code consumer}, KIP-848, the session and heartbeat are the broker's).
 */
record AppConfig(
        String bootstrapServers,
        String inputTopic,
        String outputTopic,
        String groupId,
        List<Duration> windows,
        Duration lateness,
        Duration idleFlush,
        UniqueUsersApp.Mode mode,
        long generate,
        String inputFile,
        int partitions,
        Path outputFile,
        PostgresSettings postgres,
        int threads,
        long seed,
        UniqueUsersApp.Role role,
        boolean untilEnd,
        java.util.Map<String, String> consumerProperties,
        GroupProtocol groupProtocol) {

    boolean embedded() {
        return bootstrapServers == null;
    }

    /** Whether this process takes part in a scaled-out run (per-partition counts, partials, a combiner). */
    boolean scaledOut() {
        return role != UniqueUsersApp.Role.SINGLE;
    }
}
