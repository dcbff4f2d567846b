package io.fluxgate.control;

import io.fluxgate.internal.Checks;
/**
 * A concurrency limit in the style of Netflix concurrency-limits' {@code Gradient2Limit}: it needs no latency target,
 * it compares the latest latency with a slowly moving long-term average and shrinks the limit when queueing shows up
 * as a latency rise. Meant for adaptive concurrency (calls in flight), where {@code load} is the in-flight count.
 *
 * <h2>Control law</h2>
 * For each sample (latency {@code L}, in-flight {@code n}, current estimate {@code e}):
 * <pre>
 *   long = long + (L - long) / longWindow            // exponential average over ~longWindow samples
 *   if long / L > 2:  long = long * 0.95             // latency fell a lot: let the baseline follow it down faster
 *   if !dropped and n &lt; e / 2:  unchanged            // app-limited: the limit was not tested
 *   gradient = clamp(tolerance * long / L, 0.5, 1.0)
 *   proposal = dropped ? e / 2                       // overload signal: no probing
 *            : e * gradient + queueSize(e)           // queueSize = max(1, sqrt(e)): room to probe upwards
 *   e = clamp((1 - smoothing) * e + smoothing * proposal, min, max)
 * </pre>
 * With latency at or below {@code tolerance × long}, the gradient is 1 and the limit grows by
 * {@code smoothing × sqrt(e)} per sample; a sustained rise above {@code tolerance} times the baseline shrinks it
 * geometrically (at most halving the proposal). The baseline adapts over {@code longWindow} samples, so a
 * permanent latency shift is eventually accepted as the new normal rather than shrinking the limit forever. The
 * flip side, shared with the original: under sustained overload the baseline also creeps up (by
 * {@code (L - long) / longWindow} per sample), so the limit holds near the knee for roughly {@code longWindow}
 * samples and then drifts upwards unless drops (timeouts, rejections) are reported; report them.
 *
 * <p>No clock: the law works on the latencies it is given. Not thread-safe for {@link #onSample}: callers serialise
 * samples. {@link #limit()} may be read from any thread.
 */
public final class Gradient2Limit extends BoundedLimit {

    /** Default lower bound of the limit. */
    public static final int DEFAULT_MIN_LIMIT = 1;
    /** Default upper bound of the limit. */
    public static final int DEFAULT_MAX_LIMIT = 200;
    /** Default limit before the first sample. */
    public static final int DEFAULT_INITIAL_LIMIT = 20;
    /** Default latency rise over the long-term baseline tolerated before the limit shrinks. */
    public static final double DEFAULT_TOLERANCE = 1.5;
    /** Default weight of a new proposal in the smoothed estimate. */
    public static final double DEFAULT_SMOOTHING = 0.2;
    /** Default number of samples the long-term latency baseline averages over. */
    public static final int DEFAULT_LONG_WINDOW = 600;

    private final double tolerance;
    private final double smoothing;
    private final int longWindow;

    private double estimate;
    private double longLatency = Double.NaN;

    private Gradient2Limit(Builder b) {
        super(b);
        this.tolerance = b.tolerance;
        this.smoothing = b.smoothing;
        this.longWindow = b.longWindow;
        this.estimate = limit;
    }

    /**
     * A limit with the {@code DEFAULT_*} settings.
     *
     * @return a new controller
     */
    public static Gradient2Limit ofDefaults() {
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




    /** @return the long-term latency baseline in nanoseconds (NaN before the first sample) */
    public double longLatencyNanos() {
        return longLatency;
    }

    @Override
    public void onSample(long latencyNanos, int load, boolean dropped) {
        double shortL = Math.max(1.0, latencyNanos);
        if (Double.isNaN(longLatency)) {
            longLatency = shortL;
        } else {
            longLatency += (shortL - longLatency) / longWindow;
        }
        if (longLatency / shortL > 2) {
            longLatency *= 0.95;
        }
        double e = estimate;
        if (!dropped && load < e / 2) {
            return;
        }
        double proposal = dropped ? e * 0.5
                : e * Math.max(0.5, Math.min(1.0, tolerance * longLatency / shortL)) + Math.max(1.0, Math.sqrt(e));
        e = (1 - smoothing) * e + smoothing * proposal;
        e = clamp(e);
        estimate = e;
        publish(e);
    }

    @Override
    public String toString() {
        return "Gradient2Limit[limit=" + limit + ", min=" + min + ", max=" + max + "]";
    }

    /** Settings; each setter validates and names the bad value. */
    public static final class Builder extends LimitBounds<Builder> {
        private double tolerance = DEFAULT_TOLERANCE;
        private double smoothing = DEFAULT_SMOOTHING;
        private int longWindow = DEFAULT_LONG_WINDOW;

        private Builder() {
            super(DEFAULT_MIN_LIMIT, DEFAULT_MAX_LIMIT, DEFAULT_INITIAL_LIMIT);
        }




        /**
         * Latency rise over the baseline tolerated before shrinking. @throws IllegalArgumentException unless {@code tolerance >= 1}
         *
         * @param tolerance the tolerated ratio of latest to baseline latency, at least 1
         * @return this builder
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance >= 1 && tolerance < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("tolerance must be >= 1 and finite, was " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /**
         * @param smoothing the weight of a new proposal in the estimate, above 0 and at most 1 (1: no smoothing)
         * @return this builder
         * @throws IllegalArgumentException unless {@code 0 < smoothing <= 1}
         */
        public Builder smoothing(double smoothing) {
            if (!(smoothing > 0 && smoothing <= 1)) {
                throw new IllegalArgumentException("smoothing must be in (0, 1], was " + smoothing);
            }
            this.smoothing = smoothing;
            return this;
        }

        /**
         * Samples the baseline averages over. @throws IllegalArgumentException if {@code window < 1}
         *
         * @param window the number of samples, at least 1
         * @return this builder
         */
        public Builder longWindow(int window) {
            this.longWindow = Checks.atLeast("longWindow", window, 1);
            return this;
        }

        /**
         * @return a new controller; the builder may be reused
         * @throws IllegalArgumentException if {@code minLimit > maxLimit}
         */
        public Gradient2Limit build() {
            checkBounds();
            return new Gradient2Limit(this);
        }
    }
}
