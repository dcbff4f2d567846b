package io.fluxgate.heartbeat;

import java.time.Duration;
import java.util.Objects;

/**
 * An element of a stream merged with heartbeat ticks by {@link Heartbeat.Builder#ticks()}: either an upstream
 * {@link Item} or a {@link Tick} injected after a silence.
 *
 * @param <T> the upstream element type
 */
public sealed interface Pulse<T> permits Pulse.Item, Pulse.Tick {

    /** An upstream element. */
    record Item<T>(T value) implements Pulse<T> {
        /**
         * Creates an item.
         *
         * @param value the upstream element
         * @throws NullPointerException if {@code value} is null
         */
        public Item {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A heartbeat.
     *
     * @param sequence 1 for the first tick of a subscription, then 2, 3, ...
     * @param silence  how long upstream had been silent when the tick was emitted (at least the interval; more when
     *                 the tick waited for demand)
     */
    record Tick<T>(long sequence, Duration silence) implements Pulse<T> {
    }

    /** @return whether this is a heartbeat */
    default boolean isTick() {
        return this instanceof Tick;
    }
}
