package io.fluxgate.examples.uniqueusers;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The app's group protocols in the crash and scale-out tests, each with a session short enough that a killed
 * member's partitions move on within {@link #SESSION_MS} ms under {@code classic} (the app's own 10 s would make
 * each kill cost that long), {@link #CONSUMER_SESSION_MS} under {@code consumer}:
 * under {@code classic} through the consumer's own settings ({@code --consumer-property}), under {@code consumer}
 * (KIP-848) through the group's config on the broker, as the protocol wants (the client must not set them). Not
 * shorter: at 3 s the members of the scale-out test lost their sessions on a machine loaded to 36 on 2 cores (a
 * fenced member's request then fails with an ERROR in its log).
 */
final class TestGroups {

    static final int SESSION_MS = 6000;
    /**
     * The consumer protocol's: longer, because a member the broker fences for a late heartbeat (a machine loaded to
     * 30 on 2 cores) fails its offset fetches with an ERROR in its log, which the scale-out test refuses.
     */
    static final int CONSUMER_SESSION_MS = 10_000;

    private TestGroups() {
    }

    /** For {@code @MethodSource("io.fluxgate.examples.uniqueusers.TestGroups#protocols")}. */
    static Stream<GroupProtocol> protocols() {
        String version = EmbeddedKafka.clientsVersion();
        int dot = version.indexOf('.');
        boolean kafka4 = dot > 0 && Integer.parseInt(version.substring(0, dot)) >= 4;
        return kafka4 ? Stream.of(GroupProtocol.CLASSIC, GroupProtocol.CONSUMER) : Stream.of(GroupProtocol.CLASSIC);
    }

    /** The app's flags for {@code protocol} with the short session; sets the group's config where that is the way. */
    static List<String> flags(EmbeddedKafka kafka, String group, GroupProtocol protocol) throws Exception {
        if (protocol == GroupProtocol.CLASSIC) {
            return List.of("--group-protocol=classic", "--consumer-property=session.timeout.ms=" + SESSION_MS,
                    "--consumer-property=heartbeat.interval.ms=" + SESSION_MS / 6);
        }
        try (Admin admin = kafka.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                    new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms",
                            Integer.toString(CONSUMER_SESSION_MS)), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("consumer.heartbeat.interval.ms", "1000"),
                            AlterConfigOp.OpType.SET)))).all().get();
        }
        return List.of("--group-protocol=consumer");
    }
}
