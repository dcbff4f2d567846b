package io.fluxgate.kafka.spi;

import io.fluxgate.kafka.SendResult;
import reactor.core.publisher.Flux;

/**
 * A producer engine behind {@link io.fluxgate.kafka.KafkaSink#over(SinkEngine)}: the built-in one wraps its own
 * {@code KafkaProducer}; an adapter (e.g. {@code fluxgate-kafka-reactor} for reactor-kafka's {@code KafkaSender})
 * plugs in another.
 *
 * <p>What an engine promises: one {@link SendResult} per element once the broker acknowledged it, carrying the
 * element (the caller's correlation value); a bounded number of elements in flight (upstream is requested
 * accordingly); an element that cannot be written fails the Flux with a
 * {@link io.fluxgate.kafka.KafkaSinkException} naming it, unless the engine's error policy says otherwise.
 *
 * @param <T> element type
 */
@FunctionalInterface
public interface SinkEngine<T> {

    /**
     * Writes the elements; a producer per subscription.
     *
     * @param elements the elements to write, requested as the in-flight bound allows
     * @return a Flux of one result per element, once acknowledged
     */
    Flux<SendResult<T>> send(Flux<T> elements);
}
