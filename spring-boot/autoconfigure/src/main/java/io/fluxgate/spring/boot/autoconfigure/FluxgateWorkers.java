package io.fluxgate.spring.boot.autoconfigure;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.fluxgate.control.Gradient2Limit;
import io.fluxgate.workers.Workers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * The application's worker pools (bulkheads), configured by {@code fluxgate.workers.*}
 * ({@link FluxgateWorkersProperties}): how many element calls run at once, fixed ({@link Workers#ordered},
 * {@link Workers#unordered}) or adaptive ({@link Workers#adaptive}).
 *
 * <pre>{@code
 * ids.transform(workers.workers("enrich").call(id -> client.fetch(id)))
 * }</pre>
 *
 * <p>Each call is a {@value #OBSERVATION} observation tagged {@code name}; the gauge {@value #INFLIGHT} (tag
 * {@code name}) counts the pool's calls in flight over all its streams, since the core {@link Workers} has no meter
 * registry of its own yet.
 */
public class FluxgateWorkers {

    /** Name of the observation of each call. */
    public static final String OBSERVATION = "fluxgate.workers.call";
    /** Gauge of the calls in flight, over every stream of a pool. */
    public static final String INFLIGHT = "fluxgate.workers.inflight";
    /** Default concurrency of the fixed modes when none is configured. */
    public static final int DEFAULT_CONCURRENCY = 16;

    /** How a pool runs its calls. */
    public enum Mode {
        /** Up to {@code concurrency} calls at once; results in input order. */
        ORDERED,
        /** Up to {@code concurrency} calls at once; results as they complete. */
        UNORDERED,
        /** Concurrency from the observed latency (Gradient2Limit between min and max); results as they complete. */
        ADAPTIVE
    }

    private final FluxgateWorkersProperties properties;
    private final @Nullable MeterRegistry meterRegistry;
    private final ObservationRegistry observationRegistry;
    private final Registry<Pool> pools;

    /**
     * Checks every configured pool.
     *
     * @param properties the bound {@code fluxgate.workers} properties
     * @param meterRegistry where the in-flight gauges go; null for none
     * @param observationRegistry where calls are observed; {@link ObservationRegistry#NOOP} for none
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateWorkers(FluxgateWorkersProperties properties, @Nullable MeterRegistry meterRegistry,
                           ObservationRegistry observationRegistry) {
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.observationRegistry = observationRegistry;
        this.pools = new Registry<>(properties.getInstances().keySet(), this::create);
    }

    /**
     * The pool called {@code name}; from {@code configs.default} on first use when not configured.
     *
     * @param name the pool's name
     * @return the same pool for the same name
     * @throws IllegalArgumentException if the name is blank or the settings are invalid
     */
    public Pool workers(String name) {
        return pools.get(name);
    }

    /**
     * Every pool built so far, configured ones first.
     *
     * @return an unmodifiable snapshot by name
     */
    public Map<String, Pool> all() {
        return pools.all();
    }

    private Pool create(String name) {
        Resolved<FluxgateWorkersProperties.Settings> r = properties.resolve(name);
        check(r);
        AtomicInteger inFlight = new AtomicInteger();
        if (meterRegistry != null) {
            Gauge.builder(INFLIGHT, inFlight, AtomicInteger::get).tag("name", name)
                    .description("calls in flight over every stream of the worker pool").register(meterRegistry);
        }
        return new Pool(name, r.get(s -> s.getMode(), Mode.ORDERED), r.get(s -> s.getConcurrency(), DEFAULT_CONCURRENCY),
                r, inFlight, observationRegistry);
    }

    /** The resolved settings of instance {@code name}, for the endpoint. */
    Resolved<FluxgateWorkersProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    static void check(Resolved<FluxgateWorkersProperties.Settings> r) {
        r.apply("concurrency", s -> s.getConcurrency(), n -> Workers.ordered(n, x -> Flux.empty()));
        limit(r);
    }

    private static Gradient2Limit limit(Resolved<FluxgateWorkersProperties.Settings> r) {
        Gradient2Limit.Builder b = Gradient2Limit.builder();
        r.apply("min-concurrency", s -> s.getMinConcurrency(), b::minLimit);
        r.apply("max-concurrency", s -> s.getMaxConcurrency(), b::maxLimit);
        r.apply("initial-concurrency", s -> s.getInitialConcurrency(), b::initialLimit);
        return r.build(FluxgateWorkersProperties.PREFIX, b::build);
    }

    /** A named pool: its settings, applied to a call with {@link #call(Function)}. */
    public static final class Pool {
        private final String name;
        private final Mode mode;
        private final int concurrency;
        private final Resolved<FluxgateWorkersProperties.Settings> settings;
        private final AtomicInteger inFlight;
        private final ObservationRegistry observations;

        Pool(String name, Mode mode, int concurrency, Resolved<FluxgateWorkersProperties.Settings> settings,
             AtomicInteger inFlight, ObservationRegistry observations) {
            this.name = name;
            this.mode = mode;
            this.concurrency = concurrency;
            this.settings = settings;
            this.inFlight = inFlight;
            this.observations = observations;
        }

        /**
         * The pool's name.
         *
         * @return the name under {@code fluxgate.workers.instances}
         */
        public String name() {
            return name;
        }

        /**
         * The pool's mode.
         *
         * @return ORDERED, UNORDERED or ADAPTIVE
         */
        public Mode mode() {
            return mode;
        }

        /**
         * The fixed modes' concurrency.
         *
         * @return calls at once per stream in ORDERED and UNORDERED mode
         */
        public int concurrency() {
            return concurrency;
        }

        /**
         * Calls in flight now, over every stream of this pool.
         *
         * @return zero or more
         */
        public int inFlight() {
            return inFlight.get();
        }

        /**
         * Runs {@code call} for each element with this pool's concurrency and order; errors fail the stream,
         * cancellation cancels the calls in flight (see {@link Workers}).
         *
         * @param call the asynchronous call made for each element
         * @param <T> the element type
         * @param <R> the call's result type
         * @return a reusable transformer
         */
        public <T, R> Function<Flux<T>, Flux<R>> call(Function<? super T, ? extends Publisher<? extends R>> call) {
            Function<? super T, ? extends Publisher<? extends R>> observed =
                    Observed.call(observations, OBSERVATION, "workers", name, call);
            Function<T, Publisher<? extends R>> counted = element -> Flux.<R>defer(() -> {
                inFlight.incrementAndGet();
                return Flux.<R>from(observed.apply(element)).doFinally(sig -> inFlight.decrementAndGet());
            });
            return switch (mode) {
                case ORDERED -> Workers.ordered(concurrency, counted);
                case UNORDERED -> Workers.unordered(concurrency, counted);
                case ADAPTIVE -> Workers.<T, R>adaptive(counted).controller(() -> limit(settings)).build();
            };
        }

        @Override
        public String toString() {
            return "Workers{" + name + ", " + mode + ", concurrency " + concurrency + '}';
        }
    }
}
