package io.fluxgate.control;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Time;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Additive-increase / multiplicative-decrease against a latency target, the law TCP congestion control made
 * famous and Netflix concurrency-limits ships as {@code AIMDLimit}.
 *
 * <h2>Control law</h2>
 * For each sample with latency {@code L}, load {@code n} and current limit {@code limit}:
 * <ul>
 *   <li>{@code dropped} or {@code L > latencyTarget}: {@code limit = max(min, floor(limit * backoffRatio))}, at
 *       most once per {@code backoffCooldown} (by the injected clock), so one burst of slow samples, which all
 *       belong to the same congestion event, shrinks the limit once, not once per sample;</li>
 *   <li>otherwise, if the limit was actually exercised ({@code n >= limit * utilisation}):
 *       {@code limit = min(max, limit + increment)};</li>
 *   <li>otherwise (the limit was not the bottleneck, e.g. a partial batch at low input rate) unchanged, so a
 *       quiet period cannot inflate the limit far beyond what was ever tested.</li>
 * </ul>
 * Additive growth is slow from a small start by design (it probes); for batch sizes that span orders of magnitude
 * prefer {@link LatencyTargetLimit}, which converges geometrically.
 *
 * <p>Not thread-safe for {@link #onSample}: callers serialise samples. {@link #limit()} may be read from any thread.
 */
public final class AimdLimit extends BoundedLimit {

    /** Default lower bound of the limit. */
    public static final int DEFAULT_MIN_LIMIT = 1;
    /** Default upper bound of the limit. */
    public static final int DEFAULT_MAX_LIMIT = 1_000;
    /** Default limit before the first sample. */
    public static final int DEFAULT_INITIAL_LIMIT = 10;
    /** Default amount the limit grows by per sample that meets the target. */
    public static final int DEFAULT_INCREMENT = 1;
    /** Default factor the limit is multiplied by on a slow or dropped sample. */
    public static final double DEFAULT_BACKOFF_RATIO = 0.9;
    /** Default fraction of the limit a sample's load must reach for the limit to grow. */
    public static final double DEFAULT_UTILISATION = 0.5;
    /** Default latency above which a sample counts as slow. */
    public static final Duration DEFAULT_LATENCY_TARGET = Duration.ofMillis(100);
    /** Default shortest time between two decreases, so one congestion event shrinks the limit once. */
    public static final Duration DEFAULT_BACKOFF_COOLDOWN = Duration.ofMillis(100);

    private final int increment;
    private final double backoffRatio;
    private final double utilisation;
    private final long targetNanos;
    private final long cooldownNanos;
    private final LongSupplier nanoClock;

    private long lastBackoffNanos;
    private boolean backedOff;

    private AimdLimit(Builder b) {
        super(b);
        this.increment = b.increment;
        this.backoffRatio = b.backoffRatio;
        this.utilisation = b.utilisation;
        this.targetNanos = b.latencyTarget.toNanos();
        this.cooldownNanos = b.backoffCooldown.toNanos();
        this.nanoClock = b.nanoClock;
    }

    /** @return an AIMD limit with the {@code DEFAULT_*} settings and the default clock ({@code System.nanoTime()}, or virtual time under {@code StepVerifier.withVirtualTime}) */
    public static AimdLimit ofDefaults() {
        return builder().build();
    }

    /**
     * A builder preset to the {@code DEFAULT_*} settings and the default clock ({@code System.nanoTime()}, or virtual time under {@code StepVerifier.withVirtualTime}).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }




    @Override
    public void onSample(long latencyNanos, int load, boolean dropped) {
        int current = limit;
        if (dropped || latencyNanos > targetNanos) {
            long now = nanoClock.getAsLong();
            if (backedOff && now - lastBackoffNanos < cooldownNanos) {
                return;
            }
            backedOff = true;
            lastBackoffNanos = now;
            limit = Math.max(min, (int) Math.floor(current * backoffRatio));
        } else if (load >= current * utilisation) {
            limit = (int) Math.min(max, (long) current + increment);
        }
    }

    @Override
    public String toString() {
        return "AimdLimit[limit=" + limit + ", min=" + min + ", max=" + max + ", target=" + Duration.ofNanos(targetNanos) + "]";
    }

    /** Immutable settings; each setter validates and names the bad value. */
    public static final class Builder extends LimitBounds<Builder> {
        private int increment = DEFAULT_INCREMENT;
        private double backoffRatio = DEFAULT_BACKOFF_RATIO;
        private double utilisation = DEFAULT_UTILISATION;
        private Duration latencyTarget = DEFAULT_LATENCY_TARGET;
        private Duration backoffCooldown = DEFAULT_BACKOFF_COOLDOWN;
        private LongSupplier nanoClock = Time.defaultNanoClock();

        private Builder() {
            super(DEFAULT_MIN_LIMIT, DEFAULT_MAX_LIMIT, DEFAULT_INITIAL_LIMIT);
        }




        /**
         * @param increment the amount added per sample that meets the target and used the limit, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code increment < 1}
         */
        public Builder increment(int increment) {
            this.increment = Checks.atLeast("increment", increment, 1);
            return this;
        }

        /**
         * @param ratio the factor applied on a slow or dropped sample, strictly between 0 and 1
         * @return this builder
         * @throws IllegalArgumentException unless {@code 0 < ratio < 1}
         */
        public Builder backoffRatio(double ratio) {
            this.backoffRatio = Checks.openFraction("backoffRatio", ratio);
            return this;
        }

        /**
         * Fraction of the limit a sample's load must reach for the limit to grow. @throws IllegalArgumentException unless {@code 0 <= u <= 1}
         *
         * @param u the utilisation, from 0 (always grow) to 1 (grow only when the limit was fully used)
         * @return this builder
         */
        public Builder utilisation(double u) {
            this.utilisation = Checks.fraction("utilisation", u);
            return this;
        }

        /**
         * @param target the latency above which a sample counts as slow, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder latencyTarget(Duration target) {
            this.latencyTarget = Checks.requirePositive("latencyTarget", target);
            return this;
        }

        /**
         * @param cooldown the shortest time between two decreases, zero or positive (zero: every slow sample
         *     shrinks)
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder backoffCooldown(Duration cooldown) {
            this.backoffCooldown = Checks.requireNonNegative("backoffCooldown", cooldown);
            return this;
        }

        /**
         * The clock the cooldown is measured on; {@code System.nanoTime()} by default (virtual time under {@code StepVerifier.withVirtualTime}).
         *
         * @param nanoClock a monotonic nanosecond clock
         * @return this builder
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * @return a new controller; the builder may be reused
         * @throws IllegalArgumentException if {@code minLimit > maxLimit}
         */
        public AimdLimit build() {
            checkBounds();
            return new AimdLimit(this);
        }
    }
}
