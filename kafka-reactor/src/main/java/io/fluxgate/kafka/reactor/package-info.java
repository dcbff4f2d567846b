/**
 * reactor-kafka behind fluxgate-kafka's API: {@link io.fluxgate.kafka.reactor.ReactorKafka#source} turns
 * {@code ReceiverOptions} into a {@link io.fluxgate.kafka.KafkaSource}, {@link io.fluxgate.kafka.reactor.ReactorKafka#sink}
 * a {@code KafkaSender} into a {@link io.fluxgate.kafka.KafkaSink}, so that code written against those types runs on
 * either engine. Optional, for teams already on reactor-kafka (discontinued upstream; Kafka 3.9 clients only).
 */
@NullMarked
package io.fluxgate.kafka.reactor;

import org.jspecify.annotations.NullMarked;
