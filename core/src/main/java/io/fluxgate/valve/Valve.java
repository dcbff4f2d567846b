package io.fluxgate.valve;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
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

    private final int maxInFlight;
    private volatile boolean paused;
    private final Set<ValveSubscriber<?>> subscribers = ConcurrentHashMap.newKeySet();

    private Valve(int maxInFlight, boolean paused) {
        this.maxInFlight = maxInFlight;
        this.paused = paused;
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
        return source -> new ValveFlux<>(source, this);
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

        private Builder() {
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
            return new Valve(maxInFlight, paused);
        }
    }
}
