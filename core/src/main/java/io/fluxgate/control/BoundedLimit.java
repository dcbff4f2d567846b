package io.fluxgate.control;

/**
 * What the built-in controllers share: immutable bounds and a volatile published limit, so {@link #limit()} can be
 * read from any thread while samples are fed on one.
 */
abstract class BoundedLimit implements LimitController {

    final int min;
    final int max;
    volatile int limit;

    BoundedLimit(LimitBounds<?> bounds) {
        this.min = bounds.min;
        this.max = bounds.max;
        this.limit = bounds.clampedInitial();
    }

    @Override
    public final int limit() {
        return limit;
    }

    @Override
    public final int minLimit() {
        return min;
    }

    @Override
    public final int maxLimit() {
        return max;
    }

    /** @return {@code value} clamped into [min, max] */
    final double clamp(double value) {
        return Math.max(min, Math.min(max, value));
    }

    /** Publishes the rounded, clamped estimate as the limit. */
    final void publish(double estimate) {
        limit = (int) clamp(Math.round(estimate));
    }
}
