/**
 * Spring Boot auto-configuration of Fluxgate's operators: named instances from {@code fluxgate.*} properties in
 * Resilience4j's shape ({@code configs.default}, {@code instances.<name>}, {@code base-config}), one registry bean
 * per kind ({@link io.fluxgate.spring.boot.autoconfigure.FluxgateCircuitBreakers},
 * {@link io.fluxgate.spring.boot.autoconfigure.FluxgateRateLimiters},
 * {@link io.fluxgate.spring.boot.autoconfigure.FluxgateWorkers},
 * {@link io.fluxgate.spring.boot.autoconfigure.FluxgateRetries},
 * {@link io.fluxgate.spring.boot.autoconfigure.FluxgateWatchdogs},
 * {@link io.fluxgate.spring.boot.autoconfigure.FluxgateBatches},
 * {@link io.fluxgate.spring.boot.autoconfigure.FluxgateValves}), each operator built with the application's
 * {@code MeterRegistry} and, where an element's call is observed, its {@code ObservationRegistry}.
 *
 * <p>Every setting is checked when the application starts: a bad value stops it with the full property name
 * ({@code fluxgate.circuitbreaker.instances.payments.failure-rate-threshold}) and the reason in the message.
 */
@NullMarked
package io.fluxgate.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
