package io.fluxgate.spring.boot.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.fluxgate.batch.AdaptiveBatch;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * The application's batchers, configured by {@code fluxgate.batch.*} ({@link FluxgateBatchProperties}): fixed bounds
 * ({@link Batcher#fixed()}) or sizes steered to a sink latency ({@link Batcher#into(Function)}).
 *
 * <pre>{@code
 * rows.transform(batches.batch("inserts").into(rows -> repository.insertAll(rows)))
 * }</pre>
 *
 * <p>Meters: both forms are built with the application's {@code MeterRegistry} and named after the instance, so
 * core records them, tagged {@code name}: the fixed form {@code fluxgate.batch.batches} and
 * {@code fluxgate.batch.elements}, the adaptive form {@code fluxgate.batch.size}, {@code .latency},
 * {@code .target.size} and {@code .inflight}.
 */
public class FluxgateBatches {

    private final FluxgateBatchProperties properties;
    private final @Nullable MeterRegistry meterRegistry;
    private final Registry<Batcher> batchers;

    /**
     * Checks every configured batcher.
     *
     * @param properties the bound {@code fluxgate.batch} properties
     * @param meterRegistry where the meters go; null for none
     * @throws IllegalArgumentException if a setting is invalid, naming the property
     */
    public FluxgateBatches(FluxgateBatchProperties properties, @Nullable MeterRegistry meterRegistry) {
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.batchers = new Registry<>(properties.getInstances().keySet(), this::create);
    }

    /**
     * The batcher called {@code name}; from {@code configs.default} on first use when not configured.
     *
     * @param name the batcher's name, the {@code name} tag of its meters
     * @return the same batcher for the same name
     * @throws IllegalArgumentException if the name is blank or the settings are invalid
     */
    public Batcher batch(String name) {
        return batchers.get(name);
    }

    /**
     * Every batcher built so far, configured ones first.
     *
     * @return an unmodifiable snapshot by name
     */
    public Map<String, Batcher> all() {
        return batchers.all();
    }

    private Batcher create(String name) {
        Resolved<FluxgateBatchProperties.Settings> r = properties.resolve(name);
        check(r);
        return new Batcher(name, r, meterRegistry);
    }

    /** The resolved settings of instance {@code name}, for the endpoint. */
    Resolved<FluxgateBatchProperties.Settings> resolved(String name) {
        return properties.resolve(name);
    }

    static void check(Resolved<FluxgateBatchProperties.Settings> r) {
        fixedBuilder(r);
        r.build(FluxgateBatchProperties.PREFIX, () -> sinkBuilder(r, x -> Flux.empty()).build());
    }

    private static <T> AdaptiveBatch.Builder<T> fixedBuilder(Resolved<FluxgateBatchProperties.Settings> r) {
        AdaptiveBatch.Builder<T> b = AdaptiveBatch.builder();
        r.apply("max-size", s -> s.getMaxSize(), b::maxSize);
        r.apply("max-wait", s -> s.getMaxWait(), b::maxWait);
        return b;
    }

    private static <T, R> AdaptiveBatch.SinkBuilder<T, R> sinkBuilder(Resolved<FluxgateBatchProperties.Settings> r,
                                                                     Function<? super List<T>, ? extends Publisher<? extends R>> sink) {
        AdaptiveBatch.SinkBuilder<T, R> b = AdaptiveBatch.into(sink);
        r.apply("max-size", s -> s.getMaxSize(), b::maxSize);
        r.apply("max-wait", s -> s.getMaxWait(), b::maxWait);
        r.apply("min-size", s -> s.getMinSize(), b::minSize);
        r.apply("initial-size", s -> s.getInitialSize(), b::initialSize);
        r.apply("latency-target", s -> s.getLatencyTarget(), b::latencyTarget);
        r.apply("max-in-flight", s -> s.getMaxInFlight(), b::maxInFlight);
        return b;
    }

    /** A named batcher: its settings, applied with {@link #fixed()} or {@link #into(Function)}. */
    public static final class Batcher {
        private final String name;
        private final Resolved<FluxgateBatchProperties.Settings> settings;
        private final @Nullable MeterRegistry meterRegistry;

        Batcher(String name, Resolved<FluxgateBatchProperties.Settings> settings, @Nullable MeterRegistry meterRegistry) {
            this.name = name;
            this.settings = settings;
            this.meterRegistry = meterRegistry;
        }

        /**
         * The batcher's name.
         *
         * @return the name under {@code fluxgate.batch.instances}
         */
        public String name() {
            return name;
        }

        /**
         * Batches by {@code max-size} and {@code max-wait}, whichever comes first (see
         * {@link AdaptiveBatch.Builder#build()} for emission and backpressure).
         *
         * @param <T> the element type
         * @return a reusable transformer {@code Flux<T> -> Flux<List<T>>}
         */
        public <T> Function<Flux<T>, Flux<List<T>>> fixed() {
            AdaptiveBatch.Builder<T> b = FluxgateBatches.<T>fixedBuilder(settings).name(name);
            if (meterRegistry != null) {
                b.meterRegistry(meterRegistry);
            }
            return b.build();
        }

        /**
         * Batches into {@code sink} with sizes steered to {@code latency-target} (see
         * {@link AdaptiveBatch.SinkBuilder#build()}), meters tagged {@code name}.
         *
         * @param sink called once per batch
         * @param <T> the element type
         * @param <R> the sink's result type
         * @return a reusable transformer emitting the sink's results in batch order
         */
        public <T, R> Function<Flux<T>, Flux<R>> into(Function<? super List<T>, ? extends Publisher<? extends R>> sink) {
            AdaptiveBatch.SinkBuilder<T, R> b = sinkBuilder(settings, sink).name(name);
            if (meterRegistry != null) {
                b.meterRegistry(meterRegistry);
            }
            return b.build();
        }

        @Override
        public String toString() {
            return "Batcher{" + name + '}';
        }
    }
}
