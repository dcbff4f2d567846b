package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The input consumer's settings: the run's own, then the app's fetch size, then the user's, which win. */
class ConsumerPropertiesTest {

    @Test
    void fetchesFourMiBPerPartitionByDefault() {
        Map<String, Object> props = UniqueUsersJob.consumerProperties(Map.of("session.timeout.ms", 10_000), Map.of());

        assertThat(props).containsEntry("max.partition.fetch.bytes", 4 * 1024 * 1024)
                .containsEntry("session.timeout.ms", 10_000)
                .hasSize(2);
    }

    @Test
    void theUsersSettingsWin() {
        Map<String, Object> props = UniqueUsersJob.consumerProperties(Map.of("session.timeout.ms", 10_000),
                Map.of("max.partition.fetch.bytes", "1048576", "session.timeout.ms", "6000"));

        assertThat(props).containsEntry("max.partition.fetch.bytes", "1048576")
                .containsEntry("session.timeout.ms", "6000")
                .hasSize(2);
    }
}
