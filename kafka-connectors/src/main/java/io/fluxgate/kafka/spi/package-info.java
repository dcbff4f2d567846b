/**
 * Where another Kafka client engine plugs in behind {@link io.fluxgate.kafka.KafkaSource} and
 * {@link io.fluxgate.kafka.KafkaSink}: {@link io.fluxgate.kafka.spi.SourceEngine} and
 * {@link io.fluxgate.kafka.spi.SinkEngine}. Applications use the built-in engine and never need this package; an
 * adapter module (such as {@code fluxgate-kafka-reactor}) implements it.
 */
@NullMarked
package io.fluxgate.kafka.spi;

import org.jspecify.annotations.NullMarked;
