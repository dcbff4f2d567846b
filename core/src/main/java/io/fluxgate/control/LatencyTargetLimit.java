package io.fluxgate.control;

import io.fluxgate.internal.Checks;
import java.time.Duration;

/**
 * A proportional ("gradient") controller that steers the load per unit of work, typically a batch size, to the
 * largest value whose latency meets a target. It is the default law of the adaptive batching operator.
 *
 * <h2>Why it maximises throughput</h2>
 * A batch sink's cost is well modelled as {@code L(n) = fixed + perItem * n} (a round trip plus per-row work), so
 * throughput {@code n / L(n)} rises with {@code n} and flattens towards {@code 1 / perItem}. Under a latency
 * target {@code T} the best batch is therefore the largest with {@code L(n) <= T}, i.e.
 * {@code n* = (T - fixed) / perItem}. The controller finds {@code n*} without knowing either cost.
 *
 * <h2>Control law</h2>
 * For each sample (latency {@code L}, batch size {@code n}, current estimate {@code e}, {@code limit = round(e)}):
 * <pre>
 *   r        = clamp(T / L, 1 / maxStep, maxStep)     // how far off the target this batch was
 *   proposal = n * r                                   // the size that would have taken T if cost were ∝ n
 *   if dropped:                      e = e * backoffRatio
 *   else if L > T:                   e = e + gain * (min(proposal, e) - e)       // shrink towards the target
 *   else if n >= utilisation * e:    e = e + gain * (proposal - e)                // full batch, fast: grow
 *   else:                            unchanged    // partial batch (quiet source): the limit was not tested
 *   e = clamp(e, min, max)
 * </pre>
 * With {@code L = f + p n} the iteration {@code n -> n T / L(n)} has its fixed point at {@code L(n*) = T} and
 * derivative {@code f / T < 1} there, so it converges monotonically; the proposal under-estimates {@code n*} (it
 * charges the fixed part per item), so the approach is from below and the target is not overshot by much.
 * {@code maxStep} caps each move to ×2 / ÷2 so one outlier cannot swing the size by orders of magnitude; {@code gain}
 * smooths jitter. After a step change in per-item cost the next sample already moves most of the way, so the size
 * re-converges within a handful of batches.
 *
 * <p>Assumption: per-batch cost is affine or concave in {@code n}. A sink whose per-item cost grows with batch size
 * still meets the latency target, but the size chosen is the largest that meets it, not necessarily the one with
 * the most items per second.
 *
 * <p>No clock is needed: the law works on the latencies it is given. Not thread-safe for {@link #onSample}: callers
 * serialise samples. {@link #limit()} may be read from any thread.
 */
public final class LatencyTargetLimit extends BoundedLimit {

    /** Default lower bound of the batch size. */
    public static final int DEFAULT_MIN_LIMIT = 1;
    /** Default upper bound of the batch size. */
    public static final int DEFAULT_MAX_LIMIT = 10_000;
    /** Default batch size before the first sample. */
    public static final int DEFAULT_INITIAL_LIMIT = 16;
    /** Default fraction of the gap to the proposal closed per sample. */
    public static final double DEFAULT_GAIN = 0.5;
    /** Default largest factor one sample may grow or shrink the proposal by. */
    public static final double DEFAULT_MAX_STEP = 2.0;
    /** Default fraction of the limit a batch must fill for a fast batch to grow the limit. */
    public static final double DEFAULT_UTILISATION = 0.9;
    /** Default factor applied to the estimate on a dropped (failed) sample. */
    public static final double DEFAULT_BACKOFF_RATIO = 0.5;
    /** Default latency target per batch. */
    public static final Duration DEFAULT_LATENCY_TARGET = Duration.ofMillis(100);

    private final double gain;
    private final double maxStep;
    private final double utilisation;
    private final double backoffRatio;
    private final long targetNanos;

    private double estimate;

    private LatencyTargetLimit(Builder b) {
        super(b);
        this.gain = b.gain;
        this.maxStep = b.maxStep;
        this.utilisation = b.utilisation;
        this.backoffRatio = b.backoffRatio;
        this.targetNanos = b.latencyTarget.toNanos();
        this.estimate = limit;
    }

    /** @return a controller with the {@code DEFAULT_*} settings (100 ms target, sizes 1..10 000, start at 16) */
    public static LatencyTargetLimit ofDefaults() {
        return builder().build();
    }

    /**
     * A builder preset to the {@code DEFAULT_*} settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }




    /** @return the latency target the controller steers to */
    public Duration latencyTarget() {
        return Duration.ofNanos(targetNanos);
    }

    @Override
    public void onSample(long latencyNanos, int load, boolean dropped) {
        double e = estimate;
        if (dropped) {
            e = e * backoffRatio;
        } else if (load > 0) {
            double ratio = (double) targetNanos / Math.max(1L, latencyNanos);
            ratio = Math.max(1.0 / maxStep, Math.min(maxStep, ratio));
            double proposal = load * ratio;
            if (latencyNanos > targetNanos) {
                e = e + gain * (Math.min(proposal, e) - e);
            } else if (load >= utilisation * e) {
                e = e + gain * (proposal - e);
            }
        }
        e = clamp(e);
        estimate = e;
        publish(e);
    }

    @Override
    public String toString() {
        return "LatencyTargetLimit[limit=" + limit + ", min=" + min + ", max=" + max + ", target=" + latencyTarget() + "]";
    }

    /** Settings; each setter validates and names the bad value. */
    public static final class Builder extends LimitBounds<Builder> {
        private double gain = DEFAULT_GAIN;
        private double maxStep = DEFAULT_MAX_STEP;
        private double utilisation = DEFAULT_UTILISATION;
        private double backoffRatio = DEFAULT_BACKOFF_RATIO;
        private Duration latencyTarget = DEFAULT_LATENCY_TARGET;

        private Builder() {
            super(DEFAULT_MIN_LIMIT, DEFAULT_MAX_LIMIT, DEFAULT_INITIAL_LIMIT);
        }




        /**
         * Fraction of the gap to the proposal closed per sample. @throws IllegalArgumentException unless {@code 0 < gain <= 1}
         *
         * @param gain above 0 and at most 1 (1: jump to the proposal)
         * @return this builder
         */
        public Builder gain(double gain) {
            if (!(gain > 0 && gain <= 1)) {
                throw new IllegalArgumentException("gain must be in (0, 1], was " + gain);
            }
            this.gain = gain;
            return this;
        }

        /**
         * Largest factor one sample may propose. @throws IllegalArgumentException unless {@code maxStep > 1}
         *
         * @param maxStep above 1
         * @return this builder
         */
        public Builder maxStep(double maxStep) {
            if (!(maxStep > 1 && maxStep < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("maxStep must be > 1 and finite, was " + maxStep);
            }
            this.maxStep = maxStep;
            return this;
        }

        /**
         * Fraction of the limit a batch must fill for a fast batch to grow the limit. @throws IllegalArgumentException unless {@code 0 <= u <= 1}
         *
         * @param u the utilisation, from 0 to 1
         * @return this builder
         */
        public Builder utilisation(double u) {
            this.utilisation = Checks.fraction("utilisation", u);
            return this;
        }

        /**
         * Factor applied on a dropped (failed) sample. @throws IllegalArgumentException unless {@code 0 < ratio < 1}
         *
         * @param ratio strictly between 0 and 1
         * @return this builder
         */
        public Builder backoffRatio(double ratio) {
            this.backoffRatio = Checks.openFraction("backoffRatio", ratio);
            return this;
        }

        /**
         * @param target the latency per batch to steer to, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder latencyTarget(Duration target) {
            this.latencyTarget = Checks.requirePositive("latencyTarget", target);
            return this;
        }

        /**
         * @return a new controller; the builder may be reused
         * @throws IllegalArgumentException if {@code minLimit > maxLimit}
         */
        public LatencyTargetLimit build() {
            checkBounds();
            return new LatencyTargetLimit(this);
        }
    }
}
