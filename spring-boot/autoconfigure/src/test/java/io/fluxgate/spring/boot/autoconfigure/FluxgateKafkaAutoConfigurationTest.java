package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;

import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.StartPosition;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka connectors on Boot's spring.kafka.*: conditions, the settings that flow through, bad values. (A round trip
 * over a real broker is compat/spring-boot's and fluxgate-kafka's; a broker here would cost the CI budget.)
 */
class FluxgateKafkaAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, FluxgateKafkaAutoConfiguration.class));

    @Test
    void onlyWithBootsKafkaSupportAndFluxgateKafka() {
        runner.run(ctx -> assertThat(ctx).hasSingleBean(FluxgateKafka.class));
        runner.withClassLoader(new FilteredClassLoader(KafkaProperties.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(FluxgateKafka.class));
        runner.withClassLoader(new FilteredClassLoader(KafkaSource.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(FluxgateKafka.class));
    }

    @Test
    void aSourceTakesBootsConnectionSecurityAndDeserializersAndItsOwnSettings() {
        runner.withPropertyValues("spring.kafka.bootstrap-servers=k1:9092,k2:9092",
                        "spring.kafka.security.protocol=SASL_SSL",
                        "spring.kafka.properties.sasl.mechanism=PLAIN",
                        "spring.kafka.consumer.group-id=boot-group",
                        "spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
                        "fluxgate.kafka.sources.orders.topics=orders,returns",
                        "fluxgate.kafka.sources.orders.start-position=LATEST",
                        "fluxgate.kafka.sources.orders.commit-interval=250ms",
                        "fluxgate.kafka.sources.orders.properties.max.poll.records=50",
                        "fluxgate.kafka.sources.audit.topics=audit",
                        "fluxgate.kafka.sources.audit.group-id=auditors")
                .run(ctx -> {
                    FluxgateKafka kafka = ctx.getBean(FluxgateKafka.class);
                    KafkaSourceOptions<String, byte[]> orders = kafka.<String, byte[]>sourceOptions("orders").build();
                    assertThat(orders.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
                    assertThat(orders.groupId()).isEqualTo("boot-group");
                    assertThat(orders.topics()).containsExactly("orders", "returns");
                    assertThat(orders.startPosition()).isEqualTo(StartPosition.LATEST);
                    assertThat(orders.commitInterval()).isEqualTo(Duration.ofMillis(250));
                    assertThat(orders.valueDeserializer()).isInstanceOf(ByteArrayDeserializer.class);
                    assertThat(orders.properties()).containsEntry("security.protocol", "SASL_SSL")
                            .containsEntry("sasl.mechanism", "PLAIN").containsEntry("max.poll.records", "50")
                            .doesNotContainKeys("bootstrap.servers", "group.id", "value.deserializer");
                    assertThat(kafka.sourceOptions("audit").build().groupId()).isEqualTo("auditors");
                });
    }

    @Test
    void aBadValueNamesTheProperty() {
        runner.withPropertyValues("fluxgate.kafka.sources.orders.group-id=g")
                .run(ctx -> assertThat(FluxgateAutoConfigurationTest.messages(ctx.getStartupFailure()))
                        .contains("fluxgate.kafka.sources.orders.topics"));
        runner.withPropertyValues("fluxgate.kafka.sources.orders.topics=o",
                        "fluxgate.kafka.sources.orders.commit-interval=0s",
                        "fluxgate.kafka.crash-safe-windows.counts.source=nope")
                .run(ctx -> assertThat(FluxgateAutoConfigurationTest.messages(ctx.getStartupFailure()))
                        .contains("fluxgate.kafka.sources.orders.commit-interval")
                        .contains("fluxgate.kafka.crash-safe-windows.counts.source"));
    }

    @Test
    void aSinkTakesBootsProducerSettingsAndItsOwn() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("spring.kafka.bootstrap-servers=k1:9092",
                        "spring.kafka.producer.acks=all",
                        "spring.kafka.producer.properties.linger.ms=20",
                        "fluxgate.kafka.sinks.greetings.topic=greetings",
                        "fluxgate.kafka.sinks.greetings.properties.compression.type=zstd")
                .run(ctx -> {
                    FluxgateKafka kafka = ctx.getBean(FluxgateKafka.class);
                    assertThat(kafka.producerProperties("greetings")).containsEntry("acks", "all")
                            .containsEntry("linger.ms", "20").containsEntry("compression.type", "zstd");
                    // builds (serializers from spring.kafka.producer.*, Kafka's StringSerializer by default)
                    KafkaSink<String> sink = kafka.<String, String, String>sink("greetings", s -> s, s -> s).build();
                    assertThat(sink).isNotNull();
                });
    }
}
