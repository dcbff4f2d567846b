package io.fluxgate.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.breaker.CircuitBreakerConfig;
import io.fluxgate.breaker.CircuitBreakerState;
import io.fluxgate.breaker.OpenBehavior;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The application's circuit breakers, one per name, configured by {@code fluxgate.circuitbreaker.*}
 * ({@link FluxgateCircuitBreakerProperties}). Configured instances are built at start-up; another name gets a
 * breaker from {@code configs.default} on first use. Every breaker records Resilience4j-compatible meters in the
 * application's {@code MeterRegistry}, and every permitted element call is a {@code fluxgate.breaker.call}
 * observation.
 *
 * <pre>{@code
 * orders.transform(breakers.breaker("payments").protect(order -> client.charge(order)))
 * }</pre>
 */
public class FluxgateCircuitBreakers {

    /** Name of the observation of each permitted call. */
    public static final String OBSERVATION = "fluxgate.breaker.call";

    private final FluxgateCircuitBreakerProperties properties;
    private final @Nullable MeterRegistry meterRegistry;
    private final ObservationRegistry observationRegistry;
    private final List<CircuitBreakerCustomizer> customizers;
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

    /**
     * Builds every configured breaker.
     *
     * @param properties the bound {@code fluxgate.circuitbreaker} properties
     * @param meterRegistry where the breakers' meters go; null for none
     * @param observationRegistry where calls are observed; {@link ObservationRegistry#NOOP} for none
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateCircuitBreakers(FluxgateCircuitBreakerProperties properties, @Nullable MeterRegistry meterRegistry,
                                   ObservationRegistry observationRegistry) {
        this(properties, meterRegistry, observationRegistry, List.of());
    }

    /**
     * Builds every configured breaker, each customizer applied to the configuration of the breaker it names.
     *
     * @param properties the bound {@code fluxgate.circuitbreaker} properties
     * @param meterRegistry where the breakers' meters go; null for none
     * @param observationRegistry where calls are observed; {@link ObservationRegistry#NOOP} for none
     * @param customizers applied after the properties, in order
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateCircuitBreakers(FluxgateCircuitBreakerProperties properties, @Nullable MeterRegistry meterRegistry,
                                   ObservationRegistry observationRegistry, List<CircuitBreakerCustomizer> customizers) {
        this.customizers = List.copyOf(customizers);
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.observationRegistry = observationRegistry;
        properties.getInstances().keySet().forEach(this::breaker);
    }

    /**
     * The breaker called {@code name}; built from {@code configs.default} on first use when not configured.
     *
     * @param name the breaker's name
     * @return the same breaker for the same name
     * @throws IllegalArgumentException if the name is blank, or the default config is invalid
     */
    public Breaker breaker(String name) {
        Objects.requireNonNull(name, "name");
        return breakers.computeIfAbsent(name, this::create);
    }

    /**
     * Every breaker built so far, by name, in creation order of the configured ones.
     *
     * @return an unmodifiable snapshot
     */
    public Map<String, Breaker> all() {
        Map<String, Breaker> out = new LinkedHashMap<>();
        properties.getInstances().keySet().forEach(n -> out.put(n, breakers.get(n)));
        breakers.forEach(out::putIfAbsent);
        return Collections.unmodifiableMap(out);
    }

    /** The resolved settings of breaker {@code name}, for health and the endpoint. */
    Resolved<FluxgateCircuitBreakerProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    private Breaker create(String name) {
        Resolved<FluxgateCircuitBreakerProperties.Settings> r = properties.resolve(name);
        CircuitBreakerConfig.Builder configBuilder = builder(r);
        for (CircuitBreakerCustomizer c : customizers) {
            if (c.name().equals(name)) {
                c.customize(configBuilder);
            }
        }
        CircuitBreakerConfig config = r.build(FluxgateCircuitBreakerProperties.PREFIX, configBuilder::build);
        CircuitBreaker.Builder b = CircuitBreaker.builder().name(name).config(config);
        if (meterRegistry != null) {
            b.meterRegistry(meterRegistry);
        }
        return new Breaker(b.build(), observationRegistry);
    }

    /**
     * Builds the core configuration of one breaker from its chain of settings.
     *
     * @throws IllegalArgumentException naming the property of a bad value
     */
    static CircuitBreakerConfig config(Resolved<FluxgateCircuitBreakerProperties.Settings> r) {
        CircuitBreakerConfig.Builder b = builder(r);
        return r.build(FluxgateCircuitBreakerProperties.PREFIX, b::build);
    }

    private static CircuitBreakerConfig.Builder builder(Resolved<FluxgateCircuitBreakerProperties.Settings> r) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();
        r.apply("failure-rate-threshold", s -> s.getFailureRateThreshold(), b::failureRateThreshold);
        r.apply("slow-call-rate-threshold", s -> s.getSlowCallRateThreshold(), b::slowCallRateThreshold);
        r.apply("slow-call-duration-threshold", s -> s.getSlowCallDurationThreshold(), b::slowCallDurationThreshold);
        r.apply("permitted-number-of-calls-in-half-open-state", s -> s.getPermittedNumberOfCallsInHalfOpenState(),
                b::permittedNumberOfCallsInHalfOpenState);
        r.apply("max-wait-duration-in-half-open-state", s -> s.getMaxWaitDurationInHalfOpenState(),
                b::maxWaitDurationInHalfOpenState);
        r.apply("sliding-window-type", s -> s.getSlidingWindowType(), b::slidingWindowType);
        r.apply("sliding-window-size", s -> s.getSlidingWindowSize(), b::slidingWindowSize);
        r.apply("minimum-number-of-calls", s -> s.getMinimumNumberOfCalls(), b::minimumNumberOfCalls);
        r.apply("wait-duration-in-open-state", s -> s.getWaitDurationInOpenState(), b::waitDurationInOpenState);
        Double multiplier = r.get(s -> s.getExponentialBackoffMultiplier());
        Duration maxWait = r.get(s -> s.getExponentialMaxWaitDurationInOpenState());
        if (multiplier != null || maxWait != null) {
            if (maxWait == null) {
                throw new IllegalArgumentException(r.path("exponential-max-wait-duration-in-open-state",
                        s -> s.getExponentialMaxWaitDurationInOpenState())
                        + ": required with exponential-backoff-multiplier");
            }
            double m = multiplier == null ? CircuitBreakerConfig.DEFAULT_OPEN_BACKOFF_MULTIPLIER : multiplier;
            try {
                b.openStateBackoff(m, maxWait);
            } catch (IllegalArgumentException e) {
                String property = e.getMessage() != null && e.getMessage().contains("multiplier")
                        ? r.path("exponential-backoff-multiplier", s -> s.getExponentialBackoffMultiplier())
                        : r.path("exponential-max-wait-duration-in-open-state",
                                s -> s.getExponentialMaxWaitDurationInOpenState());
                throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
            }
        }
        r.apply("writable-stack-trace-enabled", s -> s.getWritableStackTraceEnabled(), b::writableStackTraceEnabled);
        r.apply("record-exceptions", s -> s.getRecordExceptions(),
                types -> types.forEach(t -> b.recordExceptions(Objects.requireNonNull(t, "an exception type"))));
        r.apply("ignore-exceptions", s -> s.getIgnoreExceptions(),
                types -> types.forEach(t -> b.ignoreExceptions(Objects.requireNonNull(t, "an exception type"))));
        return b;
    }

    /**
     * A named core {@link CircuitBreaker} whose protected calls are observed: the same per-element breaker, with each
     * permitted call a {@value FluxgateCircuitBreakers#OBSERVATION} observation tagged {@code name}. The core breaker
     * (state, metrics, events, manual transitions) is {@link #circuitBreaker()}.
     */
    public static final class Breaker {
        private final CircuitBreaker breaker;
        private final ObservationRegistry observations;

        Breaker(CircuitBreaker breaker, ObservationRegistry observations) {
            this.breaker = breaker;
            this.observations = observations;
        }

        /**
         * The core breaker.
         *
         * @return the breaker itself: state, metrics, events, manual transitions
         */
        public CircuitBreaker circuitBreaker() {
            return breaker;
        }

        /**
         * The breaker's name.
         *
         * @return the name under {@code fluxgate.circuitbreaker.instances}
         */
        public String name() {
            return breaker.name();
        }

        /**
         * The breaker's state now.
         *
         * @return the state
         */
        public CircuitBreakerState state() {
            return breaker.state();
        }

        private <T, R> Function<? super T, ? extends Publisher<? extends R>> observed(
                Function<? super T, ? extends Publisher<? extends R>> call) {
            return Observed.call(observations, OBSERVATION, "breaker", breaker.name(), call);
        }

        /**
         * {@link CircuitBreaker#protect(Function)} with the call observed.
         *
         * @param call the protected asynchronous call for one element
         * @param <T> the element type
         * @param <R> the result type
         * @return a reusable transformer: FAIL_FAST, a refused or failed call ends the stream
         */
        public <T, R> Function<Flux<T>, Flux<R>> protect(Function<? super T, ? extends Publisher<? extends R>> call) {
            return breaker.protect(observed(call));
        }

        /**
         * {@link CircuitBreaker#protect(Function, OpenBehavior)} with the call observed.
         *
         * @param call the protected asynchronous call for one element
         * @param whenOpen whether a refused element fails the stream or waits
         * @param <T> the element type
         * @param <R> the result type
         * @return a reusable transformer
         */
        public <T, R> Function<Flux<T>, Flux<R>> protect(Function<? super T, ? extends Publisher<? extends R>> call,
                                                         OpenBehavior whenOpen) {
            return breaker.protect(observed(call), whenOpen);
        }

        /**
         * {@link CircuitBreaker#protect(Function, BiFunction)} with the call observed.
         *
         * @param call the protected asynchronous call for one element
         * @param fallback the output for an element whose call failed or was refused
         * @param <T> the element type
         * @param <R> the result type
         * @return a reusable transformer; the stream goes on past failures
         */
        public <T, R> Function<Flux<T>, Flux<R>> protect(
                Function<? super T, ? extends Publisher<? extends R>> call,
                BiFunction<? super T, ? super Throwable, ? extends Publisher<? extends R>> fallback) {
            return breaker.protect(observed(call), fallback);
        }

        /**
         * {@link CircuitBreaker#protecting(Function)} with the call observed: every option of the core builder.
         *
         * @param call the protected asynchronous call for one element
         * @param <T> the element type
         * @param <R> the result type
         * @return the core builder
         */
        public <T, R> CircuitBreaker.Protection<T, R> protecting(
                Function<? super T, ? extends Publisher<? extends R>> call) {
            return breaker.protecting(observed(call));
        }

        /**
         * {@link CircuitBreaker#protectMono()} with the call observed: one permission per subscription.
         *
         * @param <R> the value type
         * @return a reusable transformer for {@code mono.transform(...)}
         */
        public <R> Function<Mono<R>, Mono<R>> protectMono() {
            Function<Mono<R>, Mono<R>> core = breaker.protectMono();
            if (observations.isNoop()) {
                return core;
            }
            return mono -> core.apply(Mono.from(Observed.<Mono<R>, R>call(observations, OBSERVATION, "breaker",
                    breaker.name(), m -> m).apply(mono)));
        }

        @Override
        public String toString() {
            return breaker.toString();
        }
    }
}
