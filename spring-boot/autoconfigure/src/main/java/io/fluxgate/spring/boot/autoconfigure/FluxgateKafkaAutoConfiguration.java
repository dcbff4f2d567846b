package io.fluxgate.spring.boot.autoconfigure;

import io.fluxgate.kafka.KafkaSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@link FluxgateKafka}, when fluxgate-kafka and Spring Boot's Kafka support ({@code spring-boot-kafka}, e.g. through
 * {@code spring-boot-starter-kafka}) are on the class path: Fluxgate's connectors on Boot's {@code spring.kafka.*}.
 */
@AutoConfiguration(afterName = {"org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass({KafkaSource.class, KafkaProperties.class})
@EnableConfigurationProperties({KafkaProperties.class, FluxgateKafkaProperties.class})
public class FluxgateKafkaAutoConfiguration {

    /** Created by Spring. */
    public FluxgateKafkaAutoConfiguration() {
    }

    /**
     * The connector factory.
     *
     * @param kafka Boot's Kafka properties
     * @param properties {@code fluxgate.kafka.*}
     * @param meterRegistry the application's meter registry, if any
     * @return the factory
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateKafka fluxgateKafka(KafkaProperties kafka, FluxgateKafkaProperties properties,
                                       ObjectProvider<MeterRegistry> meterRegistry) {
        return new FluxgateKafka(kafka, properties, meterRegistry.getIfUnique());
    }
}
