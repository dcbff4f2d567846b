package io.fluxgate.debounce;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.fluxgate.internal.Time;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Emits, per key, the latest element once that key has been quiet for a period: a burst of updates to one entity
 * collapses into its final state, while other keys are debounced independently (Reactor's
 * {@code sampleTimeout}/{@code debounce} work on the whole stream, so a busy key would starve a quiet one).
 *
 * <pre>{@code
 * profileUpdates.transform(KeyedDebounce.byKey(Update::userId).quietPeriod(Duration.ofSeconds(2)).build())
 * }</pre>
 *
 * <p>Superseded elements are dropped, as with Reactor's {@code sampleTimeout} (that is the point of debouncing). When the source completes, each key's pending
 * element is emitted at once. Memory is bounded by the keys with a pending element: a key is forgotten as soon as
 * its element is emitted. At most {@code maxActiveKeys} keys may be pending at once; beyond that the source is
 * backpressured until a key emits (Reactor's {@code groupBy} stalls rather than dropping).
 */
public final class KeyedDebounce {

    /** Default bound on keys with a pending element. */
    public static final int DEFAULT_MAX_ACTIVE_KEYS = 10_000;
    /** Default stage name. */
    public static final String DEFAULT_NAME = "debounce";

    private KeyedDebounce() {
    }

    /**
     * A builder debouncing by {@code key}; {@link Builder#quietPeriod(Duration)} is required.
     *
     * @param <T> the element type
     * @param <K> the key type; needs equals and hashCode
     * @param key the key of an element; must not return null
     * @return a builder
     */
    public static <T, K> Builder<T, K> byKey(Function<? super T, ? extends K> key) {
        return new Builder<>(Objects.requireNonNull(key, "key"));
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder<T, K> {
        private final Function<? super T, ? extends K> key;
        private @Nullable Duration quietPeriod;
        private int maxActiveKeys = DEFAULT_MAX_ACTIVE_KEYS;
        private @Nullable Scheduler scheduler;
        private String name = DEFAULT_NAME;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(Function<? super T, ? extends K> key) {
            this.key = key;
        }

        /**
         * Stage name used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value KeyedDebounce#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder<T, K> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.debounce.in} (counter: elements received) and
         * {@code fluxgate.debounce.out} (counter: elements emitted after their quiet period), tagged {@code name};
         * the difference is what was superseded. Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T, K> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * How long a key must see no new element before its latest one is emitted.
         *
         * @param quietPeriod positive
         * @return this builder
         * @throws IllegalArgumentException if {@code quietPeriod} is zero or negative
         */
        public Builder<T, K> quietPeriod(Duration quietPeriod) {
            this.quietPeriod = Checks.requirePositive("quietPeriod", quietPeriod);
            return this;
        }

        /**
         * Most keys with a pending element at once.
         *
         * @param maxActiveKeys at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxActiveKeys < 1}
         */
        public Builder<T, K> maxActiveKeys(int maxActiveKeys) {
            this.maxActiveKeys = Checks.atLeast("maxActiveKeys", maxActiveKeys, 1);
            return this;
        }

        /**
         * Timer scheduler (default {@code Schedulers.parallel()}, resolved at subscription).
         *
         * @param scheduler runs the quiet-period timers
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder<T, K> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the transformer.
         *
         * @return {@code Flux<T> -> Flux<T>}; reusable, per-key state is created per subscription
         * @throws IllegalArgumentException if no quiet period was set
         */
        public Function<Flux<T>, Flux<T>> build() {
            Duration quiet = quietPeriod;
            if (quiet == null) {
                throw new IllegalArgumentException("quietPeriod is required, was not set");
            }
            Function<? super T, ? extends K> k = key;
            int maxKeys = maxActiveKeys;
            Scheduler configured = scheduler;
            StageMeters m = meterRegistry == null ? StageMeters.NONE : MicrometerStageMeters.of(meterRegistry, "debounce", name);
            Runnable in = m.counter("in", "elements received");
            Runnable out = m.counter("out", "elements emitted after their quiet period");
            return Described.of("KeyedDebounce", source -> Flux.defer(() -> {
                Scheduler s = Time.schedulerOr(configured);
                // take(1) ends the group once it emitted, so groupBy forgets the key; the next element for that key
                // opens a fresh group
                return source.doOnNext(v -> in.run()).groupBy(k, 1)
                        .flatMap(group -> group.sampleTimeout(v -> Mono.delay(quiet, s)).take(1), maxKeys, 1)
                        .doOnNext(v -> out.run());
            }), "name", name, "quietPeriod", quiet, "maxActiveKeys", maxKeys,
                    "scheduler", configured != null ? configured : "parallel");
        }
    }
}
