package io.fluxgate.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import org.jspecify.annotations.Nullable;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Flux;

/**
 * Wraps any stage ({@code Function<Flux<T>, Flux<R>>}) and records, with the tag {@code name=<name>}:
 * <ul>
 *   <li>{@code fluxgate.stage.in} / {@code fluxgate.stage.out} — counters of elements entering and leaving
 *       (their rate is the stage's throughput);</li>
 *   <li>{@code fluxgate.stage.errors} — counter of streams the stage terminated with an error, tagged with the
 *       exception class;</li>
 *   <li>{@code fluxgate.stage.latency} — timer of per-element latency, from entering to leaving the stage,
 *       matched first-in first-out (exact for one-to-one order-preserving stages: map, concatMap, a call, a rate
 *       limit; turn it off with {@link Builder#latency(boolean)} for filters and fan-outs);</li>
 *   <li>{@code fluxgate.stage.demand} — gauge of outstanding downstream demand (requested, not yet delivered),
 *       summed over live subscriptions; {@code fluxgate.stage.subscriptions} — gauge of live subscriptions.</li>
 * </ul>
 *
 * <pre>{@code
 * flux.transform(StageMetrics.builder().name("enrich").meterRegistry(registry).build(enrichStage))
 * }</pre>
 *
 * <p>Signals, demand and cancellation pass through unchanged. Without a registry the stage is returned as is
 * (no registry, no meters). Meters are registered once, when the wrapper is built; reusing the wrapped
 * transformer for several subscriptions aggregates into the same meters.
 */
public final class StageMetrics {

    /** Meter name prefix. */
    public static final String PREFIX = "fluxgate.stage.";
    /** Default bound on in-stage timestamps kept for latency matching. */
    public static final int DEFAULT_MAX_PENDING = 10_000;

    private StageMetrics() {
    }

    /**
     * A builder; {@link Builder#name(String)} is required (the {@code name} tag tells the wrapped stages apart).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder {
        private @Nullable String name;
        private @Nullable MeterRegistry registry;
        // no Micrometer type is touched until a registry is given: Micrometer is optional
        private List<Tag> tags = List.of();
        private boolean latency = true;
        private int maxPending = DEFAULT_MAX_PENDING;

        private Builder() {
        }

        /**
         * The wrapped stage's name: the {@code name} tag of every meter. Required.
         *
         * @param name non-blank
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: the {@code fluxgate.stage.*} meters of the class comment, tagged
         * {@code name}. Default: no registry, no meters (the stage is returned as is).
         *
         * @param registry where the meters are registered
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Extra tags on every meter.
         *
         * @param tags added to every meter
         * @return this builder
         */
        public Builder tags(Iterable<Tag> tags) {
            List<Tag> copy = new ArrayList<>();
            Objects.requireNonNull(tags, "tags").forEach(copy::add);
            this.tags = List.copyOf(copy);
            return this;
        }

        /**
         * Record per-element latency (default {@code true}); see the class comment for when it is meaningful.
         *
         * @param latency whether to record {@code fluxgate.stage.latency}
         * @return this builder
         */
        public Builder latency(boolean latency) {
            this.latency = latency;
            return this;
        }

        /**
         * Most entry timestamps kept per subscription for latency matching; beyond that, entries are not timed
         * (bounded memory when a stage holds many elements or drops some).
         *
         * @param maxPending entry timestamps kept per subscription, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPending < 1}
         */
        public Builder maxPending(int maxPending) {
            this.maxPending = Checks.atLeast("maxPending", maxPending, 1);
            return this;
        }

        /**
         * Wraps {@code stage}.
         *
         * @param <T> the stage's input type
         * @param <R> the stage's output type
         * @param stage the stage to wrap
         * @return the instrumented stage, or {@code stage} itself when no registry is set
         * @throws IllegalArgumentException if no name was set
         */
        public <T, R> Function<Flux<T>, Flux<R>> build(Function<Flux<T>, Flux<R>> stage) {
            Objects.requireNonNull(stage, "stage");
            String stageName = name;
            if (stageName == null) {
                throw new IllegalArgumentException("name is required: StageMetrics.builder().name(...)");
            }
            MeterRegistry registry = this.registry;
            if (registry == null) {
                return stage;
            }
            Meters meters = new Meters(registry, stageName, tags);
            boolean timeElements = latency;
            int bound = maxPending;
            return Described.of("StageMetrics", source -> Flux.defer(() -> {
                Clock clock = registry.config().clock();
                Queue<Long> entries = timeElements ? new ConcurrentLinkedQueue<>() : null;
                AtomicInteger pending = new AtomicInteger();
                // Beyond the bound, entries are counted but not timed, and nothing is timed again until those
                // untimed ones have left: every queued timestamp is older than every untimed entry, so FIFO
                // matching stays aligned.
                AtomicLong untimed = new AtomicLong();
                AtomicLong demand = new AtomicLong();
                Flux<T> in = source.doOnNext(v -> {
                    meters.in.increment();
                    if (entries != null) {
                        if (untimed.get() == 0 && pending.get() < bound) {
                            pending.incrementAndGet();
                            entries.offer(clock.monotonicTime());
                        } else {
                            untimed.incrementAndGet();
                        }
                    }
                });
                return stage.apply(in)
                        .doOnSubscribe(s -> meters.live.add(demand))
                        .doOnRequest(n -> demand.getAndUpdate(d -> {
                            long sum = d + n;
                            return sum < 0 ? Long.MAX_VALUE : sum;
                        }))
                        .doOnNext(r -> {
                            meters.out.increment();
                            demand.getAndUpdate(d -> d == Long.MAX_VALUE || d == 0 ? d : d - 1);
                            if (entries != null) {
                                Long entered = entries.poll();
                                if (entered != null) {
                                    pending.decrementAndGet();
                                    meters.latency.record(clock.monotonicTime() - entered, TimeUnit.NANOSECONDS);
                                } else if (untimed.get() > 0) {
                                    untimed.decrementAndGet();
                                }
                            }
                        })
                        .doOnError(e -> meters.error(e))
                        .doFinally(signal -> meters.live.remove(demand));
            }), "name", stageName, "latency", timeElements, "maxPending", bound);
        }
    }

    /** Meters of one wrapped stage, shared by its subscriptions. */
    private static final class Meters {
        final Counter in;
        final Counter out;
        final Timer latency;
        final Set<AtomicLong> live = ConcurrentHashMap.newKeySet();
        private final MeterRegistry registry;
        private final Tags tags;

        Meters(MeterRegistry registry, String name, List<Tag> extra) {
            this.registry = registry;
            this.tags = Tags.of("name", name).and(extra);
            in = Counter.builder(PREFIX + "in").description("elements entering the stage").tags(tags).register(registry);
            out = Counter.builder(PREFIX + "out").description("elements leaving the stage").tags(tags).register(registry);
            latency = Timer.builder(PREFIX + "latency").description("time from entering to leaving the stage")
                    .tags(tags).register(registry);
            Gauge.builder(PREFIX + "demand", this, Meters::outstandingDemand)
                    .description("downstream demand not yet delivered").tags(tags).strongReference(true)
                    .register(registry);
            Gauge.builder(PREFIX + "subscriptions", live, Set::size)
                    .description("live subscriptions").tags(tags).strongReference(true).register(registry);
        }

        double outstandingDemand() {
            double sum = 0;
            for (AtomicLong d : live) {
                sum += d.get();
            }
            return sum;
        }

        void error(Throwable e) {
            List<Tag> t = new ArrayList<>();
            tags.forEach(t::add);
            t.add(Tag.of("exception", e.getClass().getSimpleName()));
            Counter.builder(PREFIX + "errors").description("streams terminated with an error by the stage")
                    .tags(t).register(registry).increment();
        }
    }
}
