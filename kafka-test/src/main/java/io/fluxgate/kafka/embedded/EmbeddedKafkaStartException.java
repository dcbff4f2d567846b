package io.fluxgate.kafka.embedded;

import java.util.Objects;

/**
 * The one exception {@link EmbeddedKafka#start()} throws when the broker does not come up, whatever went wrong:
 * an I/O or configuration failure, or an {@link Error} such as the {@code NoSuchMethodError} of Kafka jars from
 * different releases side by side. Its message names the version of the broker jars, the version of
 * {@code kafka-clients} and the cause; {@link #getCause()} is the original throwable.
 *
 * <p>An {@code IllegalStateException}, as before this type existed, so existing handlers keep working.
 */
public final class EmbeddedKafkaStartException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** As in {@link #brokerVersion()}. */
    private final String brokerVersion;

    /**
     * @param brokerVersion the version of the broker jars ({@link EmbeddedKafka#brokerVersion()})
     * @param cause what stopped the broker from starting
     * @throws NullPointerException if an argument is null
     */
    public EmbeddedKafkaStartException(String brokerVersion, Throwable cause) {
        super(message(Objects.requireNonNull(brokerVersion, "brokerVersion"), Objects.requireNonNull(cause, "cause")),
                cause);
        this.brokerVersion = brokerVersion;
    }

    /**
     * The version of the Kafka broker jars that failed to start, to tell a version mismatch from other failures.
     *
     * @return as {@link EmbeddedKafka#brokerVersion()} returned it, possibly a text starting with {@code unknown}
     */
    public String brokerVersion() {
        return brokerVersion;
    }

    private static String message(String brokerVersion, Throwable cause) {
        String clients = EmbeddedKafka.clientsVersion();
        StringBuilder m = new StringBuilder("embedded Kafka broker ").append(brokerVersion)
                .append(" (kafka-clients ").append(clients).append(") failed to start: ").append(cause);
        if (cause instanceof LinkageError) {
            m.append(". The Kafka jars on the classpath do not fit together: kafka_2.13, kafka-server, "
                    + "kafka-server-common, kafka-metadata and kafka-clients must all be one Kafka release, 3.9 or "
                    + "newer (a BOM that manages only some of them moves them apart)");
        }
        return m.toString();
    }
}
