package io.fluxgate.kafka.spi;

import io.fluxgate.kafka.KafkaRecord;
import reactor.core.publisher.Flux;

/**
 * A consumer engine behind {@link io.fluxgate.kafka.KafkaSource#over(SourceEngine)}: the built-in one polls its own
 * consumer; an adapter (e.g. {@code fluxgate-kafka-reactor} for reactor-kafka's {@code KafkaReceiver}) plugs in
 * another.
 *
 * <p>What an engine promises, so that code written against {@link io.fluxgate.kafka.KafkaSource} keeps its meaning:
 * each subscription to {@link #receive()} is a new consumer of the group; it emits no more records than requested;
 * {@link KafkaRecord#ack()} marks a record done, from any thread, and a partition's offset is committed only up to
 * the first record not yet acknowledged; cancel closes the consumer after committing the acknowledged prefixes.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface SourceEngine<K, V> {

    /**
     * The records of one new consumer; see the interface documentation for what they promise.
     *
     * @return a Flux of records, each to be acknowledged
     */
    Flux<KafkaRecord<K, V>> receive();
}
