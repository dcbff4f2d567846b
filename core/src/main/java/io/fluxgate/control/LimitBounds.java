package io.fluxgate.control;

import io.fluxgate.internal.Checks;
/**
 * The bounds every {@link LimitController} builder shares: minimum, maximum and initial limit, validated in each
 * setter with the bad value in the message, and checked against each other at build time.
 *
 * @param <B> the concrete builder, returned by the setters for chaining
 */
public abstract class LimitBounds<B extends LimitBounds<B>> {

    int min;
    int max;
    int initial;

    LimitBounds(int min, int max, int initial) {
        this.min = min;
        this.max = max;
        this.initial = initial;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param min the lowest limit the controller may set, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code min < 1}
     */
    public B minLimit(int min) {
        this.min = Checks.atLeast("minLimit", min, 1);
        return self();
    }

    /**
     * @param max the highest limit the controller may set, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public B maxLimit(int max) {
        this.max = Checks.atLeast("maxLimit", max, 1);
        return self();
    }

    /**
     * Clamped into [min, max] at build time. @throws IllegalArgumentException if {@code initial < 1}
     *
     * @param initial the limit before the first sample, at least 1
     * @return this builder
     */
    public B initialLimit(int initial) {
        this.initial = Checks.atLeast("initialLimit", initial, 1);
        return self();
    }

    /** @throws IllegalArgumentException if {@code minLimit > maxLimit} */
    void checkBounds() {
        if (min > max) {
            throw new IllegalArgumentException("minLimit " + min + " > maxLimit " + max);
        }
    }

    /** @return the initial limit clamped into [min, max] */
    int clampedInitial() {
        return Math.max(min, Math.min(max, initial));
    }
}
