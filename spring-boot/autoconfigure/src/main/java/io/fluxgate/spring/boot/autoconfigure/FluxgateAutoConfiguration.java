package io.fluxgate.spring.boot.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The registries of Fluxgate's operators, one bean per kind, each built from its {@code fluxgate.*} properties with
 * the application's {@link MeterRegistry} and {@link ObservationRegistry} when it has them. A bean of the same type
 * defined by the application replaces the one here.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@EnableConfigurationProperties({FluxgateCircuitBreakerProperties.class, FluxgateRateLimiterProperties.class,
        FluxgateWorkersProperties.class, FluxgateRetryProperties.class, FluxgateWatchdogProperties.class,
        FluxgateBatchProperties.class, FluxgateValveProperties.class})
public class FluxgateAutoConfiguration {

    /** Created by Spring. */
    public FluxgateAutoConfiguration() {
    }

    /**
     * The circuit breakers of {@code fluxgate.circuitbreaker}.
     *
     * @param properties the bound properties
     * @param meterRegistry the application's meter registry, if any
     * @param observationRegistry the application's observation registry, if any
     * @param customizers the application's breaker customizers
     * @return the registry, every configured breaker built
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateCircuitBreakers fluxgateCircuitBreakers(FluxgateCircuitBreakerProperties properties,
                                                           ObjectProvider<MeterRegistry> meterRegistry,
                                                           ObjectProvider<ObservationRegistry> observationRegistry,
                                                           ObjectProvider<CircuitBreakerCustomizer> customizers) {
        return new FluxgateCircuitBreakers(properties, meterRegistry.getIfUnique(),
                observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP), customizers.orderedStream().toList());
    }

    /**
     * The rate limiters of {@code fluxgate.ratelimiter}.
     *
     * @param properties the bound properties
     * @param meterRegistry the application's meter registry, if any
     * @return the registry, every configured limiter built
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateRateLimiters fluxgateRateLimiters(FluxgateRateLimiterProperties properties,
                                                     ObjectProvider<MeterRegistry> meterRegistry) {
        return new FluxgateRateLimiters(properties, meterRegistry.getIfUnique());
    }

    /**
     * The worker pools of {@code fluxgate.workers}.
     *
     * @param properties the bound properties
     * @param meterRegistry the application's meter registry, if any
     * @param observationRegistry the application's observation registry, if any
     * @return the registry
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateWorkers fluxgateWorkers(FluxgateWorkersProperties properties,
                                           ObjectProvider<MeterRegistry> meterRegistry,
                                           ObjectProvider<ObservationRegistry> observationRegistry) {
        return new FluxgateWorkers(properties, meterRegistry.getIfUnique(),
                observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
    }

    /**
     * The retries of {@code fluxgate.retry}.
     *
     * @param properties the bound properties
     * @param meterRegistry the application's meter registry, if any
     * @param observationRegistry the application's observation registry, if any
     * @return the registry
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateRetries fluxgateRetries(FluxgateRetryProperties properties,
                                           ObjectProvider<MeterRegistry> meterRegistry,
                                           ObjectProvider<ObservationRegistry> observationRegistry) {
        return new FluxgateRetries(properties, meterRegistry.getIfUnique(),
                observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
    }

    /**
     * The stall watchdogs of {@code fluxgate.watchdog}.
     *
     * @param properties the bound properties
     * @param meterRegistry the application's meter registry, if any
     * @param customizers the application's watchdog customizers
     * @return the registry, every configured watchdog built
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateWatchdogs fluxgateWatchdogs(FluxgateWatchdogProperties properties,
                                               ObjectProvider<MeterRegistry> meterRegistry,
                                               ObjectProvider<StallWatchdogCustomizer> customizers) {
        return new FluxgateWatchdogs(properties, meterRegistry.getIfUnique(), customizers.orderedStream().toList());
    }

    /**
     * The batchers of {@code fluxgate.batch}.
     *
     * @param properties the bound properties
     * @param meterRegistry the application's meter registry, if any
     * @return the registry
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateBatches fluxgateBatches(FluxgateBatchProperties properties,
                                           ObjectProvider<MeterRegistry> meterRegistry) {
        return new FluxgateBatches(properties, meterRegistry.getIfUnique());
    }

    /**
     * The valves of {@code fluxgate.valve}.
     *
     * @param properties the bound properties
     * @param meterRegistry the application's meter registry, if any
     * @return the registry, every configured valve built
     */
    @Bean
    @ConditionalOnMissingBean
    public FluxgateValves fluxgateValves(FluxgateValveProperties properties,
                                         ObjectProvider<MeterRegistry> meterRegistry) {
        return new FluxgateValves(properties, meterRegistry.getIfUnique());
    }
}
