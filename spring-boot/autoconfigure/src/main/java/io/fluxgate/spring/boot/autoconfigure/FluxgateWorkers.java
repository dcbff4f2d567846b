package io.fluxgate.spring.boot.autoconfigure;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.fluxgate.control.Gradient2Limit;
import io.fluxgate.workers.Workers;
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
 * <p>Each call is a {@value #OBSERVATION} observation tagged {@code name}. The core {@link Workers} stage is built
 * once per pool, with the application's {@code MeterRegistry} and the pool's name, and every stream of the pool runs
 * through it, so core's meters cover the whole pool: {@code fluxgate.workers.calls} (timer),
 * {@code fluxgate.workers.inflight} (gauge: calls running over every stream) and, adaptive only,
 * {@code fluxgate.workers.limit} (gauge), tagged {@code name}.
 */
public class FluxgateWorkers {

    /** Name of the observation of each call. */
    public static final String OBSERVATION = "fluxgate.workers.call";
    /** Default {@code max-in-flight} of the fixed modes when none is configured. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;

    /** How a pool runs its calls. */
    public enum Mode {
        /** Up to {@code max-in-flight} calls at once; results in input order. */
        ORDERED,
        /** Up to {@code max-in-flight} calls at once; results as they complete. */
        UNORDERED,
        /** Calls in flight from the observed latency (Gradient2Limit between min-limit and max-limit); results as
         * they complete. */
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
     * @param meterRegistry where the pools' meters go; null for none
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
        return new Pool(name, r.get(s -> s.getMode(), Mode.ORDERED), r.get(s -> s.getMaxInFlight(), DEFAULT_MAX_IN_FLIGHT),
                r, meterRegistry, observationRegistry);
    }

    /** The resolved settings of instance {@code name}, for the endpoint. */
    Resolved<FluxgateWorkersProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    static void check(Resolved<FluxgateWorkersProperties.Settings> r) {
        r.apply("max-in-flight", s -> s.getMaxInFlight(), n -> Workers.builder().maxInFlight(n));
        limit(r);
    }

    private static Gradient2Limit limit(Resolved<FluxgateWorkersProperties.Settings> r) {
        Gradient2Limit.Builder b = Gradient2Limit.builder();
        r.apply("min-limit", s -> s.getMinLimit(), b::minLimit);
        r.apply("max-limit", s -> s.getMaxLimit(), b::maxLimit);
        r.apply("initial-limit", s -> s.getInitialLimit(), b::initialLimit);
        return r.build(FluxgateWorkersProperties.PREFIX, b::build);
    }

    /** An element and the call to make for it: one core stage serves every stream of a pool. */
    private record Job(Object element, Function<Object, ? extends Publisher<?>> call) {
        Publisher<?> run() {
            return call.apply(element);
        }
    }

    /** A named pool: its settings, applied to a call with {@link #call(Function)}. */
    public static final class Pool {
        private final String name;
        private final Mode mode;
        private final int maxInFlight;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final ObservationRegistry observations;
        /** The pool's one core stage, so its meters (gauges included) cover every stream. */
        private final Function<Flux<Job>, Flux<Object>> stage;

        Pool(String name, Mode mode, int maxInFlight, Resolved<FluxgateWorkersProperties.Settings> settings,
             @Nullable MeterRegistry meterRegistry, ObservationRegistry observations) {
            this.name = name;
            this.mode = mode;
            this.maxInFlight = maxInFlight;
            this.observations = observations;
            Function<Job, Publisher<?>> run = job -> Flux.defer(() -> {
                inFlight.incrementAndGet();
                return Flux.from(job.run()).doFinally(sig -> inFlight.decrementAndGet());
            });
            if (mode == Mode.ADAPTIVE) {
                Workers.AdaptiveBuilder b = Workers.adaptive().name(name).controller(() -> limit(settings));
                if (meterRegistry != null) {
                    b.meterRegistry(meterRegistry);
                }
                this.stage = b.build(run);
            } else {
                Workers.Builder b = Workers.builder().name(name).maxInFlight(maxInFlight);
                if (mode == Mode.UNORDERED) {
                    b.unordered();
                }
                if (meterRegistry != null) {
                    b.meterRegistry(meterRegistry);
                }
                this.stage = b.build(run);
            }
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
         * The fixed modes' bound on calls in flight.
         *
         * @return calls at once per stream in ORDERED and UNORDERED mode
         */
        public int maxInFlight() {
            return maxInFlight;
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
         * Runs {@code call} for each element with this pool's bound and order; errors fail the stream,
         * cancellation cancels the calls in flight (see {@link Workers}).
         *
         * @param call the asynchronous call made for each element
         * @param <T> the element type
         * @param <R> the call's result type
         * @return a reusable transformer
         */
        @SuppressWarnings("unchecked")
        public <T, R> Function<Flux<T>, Flux<R>> call(Function<? super T, ? extends Publisher<? extends R>> call) {
            Function<? super T, ? extends Publisher<? extends R>> observed =
                    Observed.call(observations, OBSERVATION, "workers", name, call);
            Function<Object, ? extends Publisher<?>> untyped = element -> observed.apply((T) element);
            return source -> (Flux<R>) (Flux<?>) source.map(element -> new Job(element, untyped)).transform(stage);
        }

        @Override
        public String toString() {
            return "Workers{" + name + ", " + mode + ", maxInFlight " + maxInFlight + '}';
        }
    }
}
