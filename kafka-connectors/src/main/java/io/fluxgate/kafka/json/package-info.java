/**
 * JSON for Kafka records. {@link io.fluxgate.kafka.json.JsonSerde} provides Jackson serializers and deserializers
 * for records and POJOs whose failures are {@code SerializationException}s saying why, which
 * {@code io.fluxgate.kafka.KafkaSource} turns into counted dead letters. {@link io.fluxgate.kafka.json.FrameDeserializer}
 * reads the {@code {"uid": ..., "ts": ...}} frames of the unique-user window counts inside the consumer's
 * {@code poll()} with core's {@link io.fluxgate.window.frame.RootFrameReader} (the frame format itself lives in
 * {@code io.fluxgate.window.frame}), a malformed value thrown as such a {@code SerializationException}.
 */
@NullMarked
package io.fluxgate.kafka.json;

import org.jspecify.annotations.NullMarked;
