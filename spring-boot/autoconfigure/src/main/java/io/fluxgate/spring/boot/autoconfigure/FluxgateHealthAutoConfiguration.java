package io.fluxgate.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health components {@code circuitBreakers} and {@code stallWatchdog}, when Spring Boot's health support is on the
 * class path; each can be turned off with {@code management.health.circuitbreakers.enabled=false} and
 * {@code management.health.stallwatchdog.enabled=false}, or replaced by a bean of the same name.
 */
@AutoConfiguration(after = FluxgateAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
public class FluxgateHealthAutoConfiguration {

    /** Created by Spring. */
    public FluxgateHealthAutoConfiguration() {
    }

    /**
     * The {@code circuitBreakers} component.
     *
     * @param breakers the breakers
     * @return the indicator
     */
    @Bean
    @ConditionalOnBean(FluxgateCircuitBreakers.class)
    @ConditionalOnMissingBean(name = "circuitBreakersHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("circuitbreakers")
    public CircuitBreakersHealthIndicator circuitBreakersHealthIndicator(FluxgateCircuitBreakers breakers) {
        return new CircuitBreakersHealthIndicator(breakers);
    }

    /**
     * The {@code stallWatchdog} component.
     *
     * @param watchdogs the watchdogs
     * @return the indicator
     */
    @Bean
    @ConditionalOnBean(FluxgateWatchdogs.class)
    @ConditionalOnMissingBean(name = "stallWatchdogHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("stallwatchdog")
    public StallWatchdogHealthIndicator stallWatchdogHealthIndicator(FluxgateWatchdogs watchdogs) {
        return new StallWatchdogHealthIndicator(watchdogs);
    }
}
