package io.fluxgate.kafka;

import java.util.stream.Stream;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.GroupProtocol;

/**
 * The consumer group protocols the crash, takeover, scale-out and rebalance tests run on: {@code classic} always,
 * {@code consumer} (KIP-848) where the Kafka release on the classpath (clients and embedded broker alike) is 4.0 or
 * newer; a 3.9 broker has it only as a preview that is off by default.
 */
public final class GroupProtocols {

    /** System property naming the protocol of a child JVM (CrashChild). */
    public static final String PROPERTY = "fluxgate.test.groupProtocol";

    private GroupProtocols() {
    }

    /** For {@code @MethodSource("io.fluxgate.kafka.GroupProtocols#available")}. */
    public static Stream<GroupProtocol> available() {
        return consumerProtocolAvailable() ? Stream.of(GroupProtocol.CLASSIC, GroupProtocol.CONSUMER)
                : Stream.of(GroupProtocol.CLASSIC);
    }

    static boolean consumerProtocolAvailable() {
        String version = EmbeddedKafka.clientsVersion();
        int dot = version.indexOf('.');
        return dot > 0 && Integer.parseInt(version.substring(0, dot)) >= 4;
    }

    /**
     * Applies {@code protocol} to a source, with a short session where the client sets it: under {@code classic}
     * a 6 s session and 1 s heartbeat on the consumer; under {@code consumer} these are the broker's (the embedded
     * broker runs 6 s and 0.5 s) and the client refuses them.
     */
    static <K, V> KafkaSourceOptions.Builder<K, V> apply(KafkaSourceOptions.Builder<K, V> source, GroupProtocol protocol) {
        source.groupProtocol(protocol);
        if (protocol == GroupProtocol.CLASSIC) {
            source.property("session.timeout.ms", 6000).property("heartbeat.interval.ms", 1000);
        }
        return source;
    }
}
