package io.fluxgate.control;

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

    /** @throws IllegalArgumentException if {@code min < 1} */
    public B minLimit(int min) {
        this.min = atLeastOne("minLimit", min);
        return self();
    }

    /** @throws IllegalArgumentException if {@code max < 1} */
    public B maxLimit(int max) {
        this.max = atLeastOne("maxLimit", max);
        return self();
    }

    /** Clamped into [min, max] at build time. @throws IllegalArgumentException if {@code initial < 1} */
    public B initialLimit(int initial) {
        this.initial = atLeastOne("initialLimit", initial);
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

    static int atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
        return value;
    }
}
