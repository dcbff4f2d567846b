package io.fluxgate.valve;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * An external on/off switch for streams: {@link #pause()} stops requesting from upstream, {@link #resume()}
 * requests again. Nothing is buffered and nothing is dropped; pausing works through backpressure, so a source
 * that produces on demand (a cursor, a file reader, a Kafka poll loop) really stops producing.
 *
 * <pre>{@code
 * Valve valve = Valve.builder().maxInFlight(64).build();
 * rows.transform(valve.gate()).subscribe(...);
 * valve.pause();   // e.g. while the database is overloaded
 * valve.resume();
 * }</pre>
 *
 * <p>To make pausing effective even under unbounded downstream demand, the gate forwards demand upstream in
 * slices: at most {@code maxInFlight} elements are requested but not yet received. After {@code pause()},
 * elements already requested (at most that many) still arrive and are passed on; no new demand is signalled
 * until {@code resume()}. One valve may gate several streams; each subscription to a gate is tracked until it
 * terminates or is cancelled.
 */
public final class Valve {

    /** Default bound on elements requested upstream but not yet received. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;
    /** Default name. */
    public static final String DEFAULT_NAME = "valve";

    private final String name;
    private final int maxInFlight;
    private volatile boolean paused;
    private final Set<ValveSubscriber<?>> subscribers = ConcurrentHashMap.newKeySet();

    private Valve(Builder b) {
        this.name = b.name;
        this.maxInFlight = b.maxInFlight;
        this.paused = b.paused;
        if (b.meterRegistry != null) {
            StageMeters m = MicrometerStageMeters.of(b.meterRegistry, "valve", name);
            m.gauge("paused", "1 while the valve is paused, else 0", () -> this.paused ? 1 : 0);
            m.gauge("subscriptions", "subscriptions gated by the valve", subscribers::size);
        }
    }

    /**
     * An open valve with {@link #DEFAULT_MAX_IN_FLIGHT}.
     *
     * @return a new open valve
     */
    public static Valve open() {
        return builder().build();
    }

    /**
     * A builder: open, {@link #DEFAULT_MAX_IN_FLIGHT}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The gate transformer. Reusable: every subscription registers with this valve.
     *
     * @param <T> the element type
     * @return {@code Flux<T> -> Flux<T>}, elements unchanged
     */
    public <T> Function<Flux<T>, Flux<T>> gate() {
        return Described.of("Valve.gate", source -> new ValveFlux<>(source, this), "name", name,
                "maxInFlight", maxInFlight, "ordered", true);
    }

    /**
     * The name given when building.
     *
     * @return the non-blank name
     */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return Described.describe("Valve", "name", name, "maxInFlight", maxInFlight, "paused", paused);
    }

    /** Stops signalling demand upstream; idempotent. */
    public void pause() {
        paused = true;
    }

    /** Signals the withheld demand upstream again; idempotent. */
    public void resume() {
        paused = false;
        for (ValveSubscriber<?> s : subscribers) {
            s.drain();
        }
    }

    /**
     * Whether the valve is paused.
     *
     * @return {@code true} between {@link #pause()} and {@link #resume()}
     */
    public boolean isPaused() {
        return paused;
    }

    /**
     * The in-flight bound.
     *
     * @return the most elements requested upstream but not yet received, per subscription
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * Subscriptions currently gated by this valve.
     *
     * @return the number of live subscriptions
     */
    public int activeSubscriptions() {
        return subscribers.size();
    }

    void register(ValveSubscriber<?> s) {
        subscribers.add(s);
    }

    void unregister(ValveSubscriber<?> s) {
        subscribers.remove(s);
    }

    /** Configuration; setters validate and name the bad value. */
    public static final class Builder {
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private boolean paused;
        private String name = DEFAULT_NAME;
        private @Nullable MeterRegistry meterRegistry;

        private Builder() {
        }

        /**
         * The valve's name, used in meter tags and {@code toString()}.
         *
         * @param name non-blank; default {@value Valve#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: gauges {@code fluxgate.valve.paused} (1 while paused) and
         * {@code fluxgate.valve.subscriptions}, tagged {@code name}. Default: no registry, no meters.
         *
         * @param registry the registry the meters are added to when the valve is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Most elements requested upstream but not yet received (how far a paused stream can overrun).
         *
         * @param maxInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = Checks.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        /**
         * Start paused (default: open).
         *
         * @return this builder
         */
        public Builder startPaused() {
            this.paused = true;
            return this;
        }

        /**
         * Builds the valve.
         *
         * @return a new valve
         */
        public Valve build() {
            return new Valve(this);
        }
    }
}
