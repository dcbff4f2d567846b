package io.fluxgate.spring.boot.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code fluxgate} actuator endpoint ({@link FluxgateEndpoint}), when Actuator is on the class path and the
 * endpoint is available (exposed, e.g. {@code management.endpoints.web.exposure.include=health,fluxgate}).
 */
@AutoConfiguration(after = FluxgateAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
public class FluxgateEndpointAutoConfiguration {

    /** Created by Spring. */
    public FluxgateEndpointAutoConfiguration() {
    }

    /**
     * The endpoint.
     *
     * @param breakers the circuit breakers
     * @param rateLimiters the rate limiters
     * @param workers the worker pools
     * @param retries the retries
     * @param watchdogs the stall watchdogs
     * @param batches the batchers
     * @param valves the valves
     * @return the endpoint
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    @ConditionalOnBean({FluxgateCircuitBreakers.class, FluxgateRateLimiters.class, FluxgateWorkers.class,
            FluxgateRetries.class, FluxgateWatchdogs.class, FluxgateBatches.class, FluxgateValves.class})
    public FluxgateEndpoint fluxgateEndpoint(FluxgateCircuitBreakers breakers, FluxgateRateLimiters rateLimiters,
                                             FluxgateWorkers workers, FluxgateRetries retries,
                                             FluxgateWatchdogs watchdogs, FluxgateBatches batches,
                                             FluxgateValves valves) {
        return new FluxgateEndpoint(breakers, rateLimiters, workers, retries, watchdogs, batches, valves);
    }
}
