/**
 * Kafka as Reactor streams, on Fluxgate's own consumer and producer engine (kafka-clients only; no reactor-kafka).
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link io.fluxgate.kafka.KafkaSource} with {@link io.fluxgate.kafka.KafkaSourceOptions}: a consumer group
 *       as a {@code Flux<KafkaRecord<K, V>>}. At-least-once: a partition's offset is committed only up to the
 *       first record not yet acknowledged with {@link io.fluxgate.kafka.KafkaRecord#ack()}, so a crash replays
 *       what was not finished and never skips it. Polling follows downstream demand: a slow pipeline pauses the
 *       consumer instead of buffering without bound. A record the deserializers refuse becomes a counted
 *       {@link io.fluxgate.kafka.RejectedRecord} dead letter with its origin and raw bytes, not a failed
 *       consumer.</li>
 *   <li>{@link io.fluxgate.kafka.KafkaSink}: a {@code Function<Flux<T>, Flux<SendResult<T>>>} that writes each
 *       element and emits a {@link io.fluxgate.kafka.SendResult} carrying it once the broker acknowledged it, so
 *       the source record it came from can be acknowledged then; a {@link io.fluxgate.kafka.SinkErrorPolicy}
 *       decides between failing, retrying and dead-lettering an element that cannot be written.</li>
 *   <li>{@link io.fluxgate.kafka.CrashSafeWindows}: source, parse, {@code io.fluxgate.window.UniqueUsers} and a
 *       sink, committing offsets together with the window state, so a run killed at any moment and restarted
 *       with the same group id writes what an uninterrupted run writes.</li>
 *   <li>{@link io.fluxgate.kafka.DeadLetters}: dead-letter sinks for rejected records (log, JSON-lines file, a
 *       Kafka topic written back byte for byte); any {@code io.fluxgate.outcome.DeadLetterSink} works.</li>
 * </ul>
 *
 * <p>Consumer and producer internals live in {@code io.fluxgate.kafka.internal}, which is not API.
 */
@NullMarked
package io.fluxgate.kafka;

import org.jspecify.annotations.NullMarked;
