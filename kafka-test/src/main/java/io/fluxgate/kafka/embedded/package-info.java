/**
 * An embedded single-node Apache Kafka broker (KRaft, in this JVM, from Maven Central's Kafka jars) for tests and
 * local runs: {@link io.fluxgate.kafka.embedded.EmbeddedKafka}, and
 * {@link io.fluxgate.kafka.embedded.EmbeddedKafkaExtension} sharing one broker across a JUnit 5 run.
 *
 * <p>Artifact {@code io.fluxgate:fluxgate-kafka-test}, for test scope: it brings the broker's jars (Scala, the
 * {@code kafka_2.13} and {@code kafka-server} modules), which {@code fluxgate-kafka} itself does not need. The broker
 * runs on Kafka 3.9 to 4.4, so a Spring Boot BOM may move those jars to its own Kafka line; a start that fails comes
 * out as one {@link io.fluxgate.kafka.embedded.EmbeddedKafkaStartException} naming the broker version and the cause.
 *
 * <p>No parameter or return value of this package's API is null.
 */
@NullMarked
package io.fluxgate.kafka.embedded;

import org.jspecify.annotations.NullMarked;
