package io.fluxgate.spring.boot.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fluxgate.outcome.Outcome;
import io.fluxgate.retry.ElementRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * The application's per-element retries, configured by {@code fluxgate.retry.*} ({@link FluxgateRetryProperties}).
 *
 * <pre>{@code
 * ids.transform(retries.retry("fetch").call(id -> client.fetch(id)))
 * }</pre>
 *
 * <p>Each attempt is a {@value #OBSERVATION} observation tagged {@code name} (its timer counts the attempts). The
 * core {@link ElementRetry} is built with the application's {@code MeterRegistry} and named after the instance, so
 * it records {@code fluxgate.retry.retries} (retries scheduled) and {@code fluxgate.retry.exhausted} (elements whose
 * attempts ran out), tagged {@code name}.
 */
public class FluxgateRetries {

    /** Name of the observation of each attempt. */
    public static final String OBSERVATION = "fluxgate.retry.attempt";

    private final FluxgateRetryProperties properties;
    private final @Nullable MeterRegistry meterRegistry;
    private final ObservationRegistry observationRegistry;
    private final Registry<Retry> retries;

    /**
     * Checks every configured retry.
     *
     * @param properties the bound {@code fluxgate.retry} properties
     * @param meterRegistry where the meters go; null for none
     * @param observationRegistry where attempts are observed; {@link ObservationRegistry#NOOP} for none
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateRetries(FluxgateRetryProperties properties, @Nullable MeterRegistry meterRegistry,
                           ObservationRegistry observationRegistry) {
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.observationRegistry = observationRegistry;
        this.retries = new Registry<>(properties.getInstances().keySet(), this::create);
    }

    /**
     * The retry called {@code name}; from {@code configs.default} on first use when not configured.
     *
     * @param name the retry's name, used as the stage name of {@code RetriesExhaustedException}
     * @return the same retry for the same name
     * @throws IllegalArgumentException if the name is blank or the settings are invalid
     */
    public Retry retry(String name) {
        return retries.get(name);
    }

    /**
     * Every retry built so far, configured ones first.
     *
     * @return an unmodifiable snapshot by name
     */
    public Map<String, Retry> all() {
        return retries.all();
    }

    private Retry create(String name) {
        Resolved<FluxgateRetryProperties.Settings> r = properties.resolve(name);
        check(r);
        return new Retry(name, r, meterRegistry, observationRegistry);
    }

    /** The resolved settings of instance {@code name}, for the endpoint. */
    Resolved<FluxgateRetryProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    static void check(Resolved<FluxgateRetryProperties.Settings> r) {
        configure(r, ElementRetry.builder(x -> Flux.empty()), null).decoratedCall();
    }

    private static <T, R> ElementRetry.Builder<T, R> configure(Resolved<FluxgateRetryProperties.Settings> r,
                                                               ElementRetry.Builder<T, R> b,
                                                               @Nullable MeterRegistry meterRegistry) {
        b.name(r.name());
        if (meterRegistry != null) {
            b.meterRegistry(meterRegistry);
        }
        r.apply("max-attempts", s -> s.getMaxAttempts(), b::maxAttempts);
        r.apply("backoff", s -> s.getBackoff(), b::backoff);
        r.apply("max-backoff", s -> s.getMaxBackoff(), b::maxBackoff);
        r.apply("jitter", s -> s.getJitter(), b::jitter);
        r.apply("max-in-flight", s -> s.getMaxInFlight(), b::maxInFlight);
        List<Class<? extends Throwable>> retry = r.get(s -> s.getRetryExceptions(), List.of());
        List<Class<? extends Throwable>> ignore = r.get(s -> s.getIgnoreExceptions(), List.of());
        if (!retry.isEmpty() || !ignore.isEmpty()) {
            Predicate<Throwable> retryOn = e -> (retry.isEmpty() || retry.stream().anyMatch(t -> t.isInstance(e)))
                    && ignore.stream().noneMatch(t -> t.isInstance(e));
            b.retryOn(retryOn);
        }
        // "maxBackoff must be >= backoff" is checked by retrySpec as an IllegalArgumentException
        r.build(FluxgateRetryProperties.PREFIX, () -> b.retrySpec(null));
        return b;
    }

    /** A named retry: its settings, applied to a call with {@link #call(Function)}. */
    public static final class Retry {
        private final String name;
        private final Resolved<FluxgateRetryProperties.Settings> settings;
        private final @Nullable MeterRegistry meterRegistry;
        private final ObservationRegistry observations;

        Retry(String name, Resolved<FluxgateRetryProperties.Settings> settings, @Nullable MeterRegistry meterRegistry,
              ObservationRegistry observations) {
            this.name = name;
            this.settings = settings;
            this.meterRegistry = meterRegistry;
            this.observations = observations;
        }

        /**
         * The retry's name.
         *
         * @return the name under {@code fluxgate.retry.instances}
         */
        public String name() {
            return name;
        }

        private <T, R> Function<? super T, ? extends Publisher<? extends R>> observed(
                Function<? super T, ? extends Publisher<? extends R>> call) {
            return Observed.call(observations, OBSERVATION, "retry", name, call);
        }

        /**
         * The core builder, configured from the properties, with the application's {@code MeterRegistry} and the
         * call observed, for what properties cannot say (a {@code retryOn} predicate, a scheduler, {@code unordered()}).
         *
         * @param call makes the asynchronous call for one element, subscribed again for each attempt
         * @param <T> the element type
         * @param <R> the result type
         * @return a new builder
         */
        public <T, R> ElementRetry.Builder<T, R> builder(Function<? super T, ? extends Publisher<? extends R>> call) {
            return configure(settings, ElementRetry.<T, R>builder(observed(call)), meterRegistry);
        }

        /**
         * Retries each element's call per the properties; a final failure fails the stream (see
         * {@link ElementRetry.Builder#build()}).
         *
         * @param call makes the asynchronous call for one element, subscribed again for each attempt
         * @param <T> the element type
         * @param <R> the result type
         * @return a reusable transformer
         */
        public <T, R> Function<Flux<T>, Flux<R>> call(Function<? super T, ? extends Publisher<? extends R>> call) {
            return this.<T, R>builder(call).build();
        }

        /**
         * Retries each element's call per the properties and emits one {@link Outcome} per element, so a failed
         * element does not end the stream (see {@link ElementRetry.Builder#buildOutcomes()}).
         *
         * @param call makes the asynchronous call for one element, subscribed again for each attempt
         * @param <T> the element type
         * @param <R> the result type
         * @return a reusable transformer emitting exactly one outcome per element
         */
        public <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> outcomes(
                Function<? super T, ? extends Publisher<? extends R>> call) {
            return this.<T, R>builder(call).buildOutcomes();
        }

        @Override
        public String toString() {
            return "Retry{" + name + '}';
        }
    }
}
