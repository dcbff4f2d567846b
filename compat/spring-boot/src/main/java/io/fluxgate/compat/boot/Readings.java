package io.fluxgate.compat.boot;

import java.time.Duration;
import java.util.function.Function;

import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.kafka.KafkaRecord;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.SendResult;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The app's Kafka side: readings ({@code sensor=value} lines) written with {@link KafkaSink} and read back with
 * {@link KafkaSource}, duplicates by sensor dropped with a core operator. The cluster comes from
 * {@code app.kafka.bootstrap-servers}.
 */
@Component
public class Readings {

    private final String bootstrapServers;

    public Readings(@Value("${app.kafka.bootstrap-servers}") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Sends each reading to {@code topic}, keyed by its sensor; emits a result per reading. */
    public Function<Flux<String>, Flux<SendResult<String>>> writer(String topic) {
        return KafkaSink.builder((String line) -> line.substring(0, line.indexOf('=')), new StringSerializer(),
                        (String line) -> line, new StringSerializer())
                .bootstrapServers(bootstrapServers)
                .topic(topic)
                .build();
    }

    /** The readings of {@code topic}, each acknowledged once read, the first per sensor only. */
    public Flux<String> firstPerSensor(String topic, String group) {
        return KafkaSource.create(KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                        .bootstrapServers(bootstrapServers)
                        .topics(topic)
                        .groupId(group)
                        .commitInterval(Duration.ofMillis(100))
                        .build())
                .receive()
                .doOnNext(KafkaRecord::ack)
                .map(KafkaRecord::value)
                .transform(Dedupe.byKey((String line) -> line.substring(0, line.indexOf('='))).build());
    }
}
