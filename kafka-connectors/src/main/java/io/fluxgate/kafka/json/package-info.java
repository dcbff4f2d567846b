/**
 * JSON for Kafka records. {@link io.fluxgate.kafka.json.JsonSerde} provides Jackson serializers and deserializers
 * for records and POJOs whose failures are {@code SerializationException}s saying why, which
 * {@code io.fluxgate.kafka.KafkaSource} turns into counted dead letters. {@link io.fluxgate.kafka.json.RootFrameReader}
 * reads the two root-level fields of a {@code {"uid": ..., "ts": ...}} frame without building a tree, yet accepts
 * exactly what a strict JSON parser accepts, and reports each value as a {@link io.fluxgate.kafka.json.FrameResult}
 * (a frame, a blank line, or malformed with the reason) instead of throwing.
 */
@NullMarked
package io.fluxgate.kafka.json;

import org.jspecify.annotations.NullMarked;
