package io.fluxgate.outcome;

import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Stops a run when failures pile up: passes {@link Outcome}s through unchanged, and fails the stream with an
 * {@link ErrorBudgetExceededException} when more than {@code N} failures arrive in a row (the database is down)
 * or when more than a fraction {@code X} (0.05 = 5 %) of the last {@code W} outcomes failed (the input is mostly garbage).
 *
 * <pre>{@code
 * outcomes.transform(ErrorBudget.builder().name("load").maxConsecutiveFailures(20)
 *                                        .maxFailureRate(0.05).window(1_000).build())
 * }</pre>
 *
 * <p>The failure that exhausts the budget is emitted first and the error follows it, so a dead-letter stage
 * downstream still records it; nothing accepted is lost. Demand and cancellation pass through unchanged. Counters
 * are per subscription.
 */
public final class ErrorBudget {

    /** Default sliding-window size for the failure rate. */
    public static final int DEFAULT_WINDOW = 100;
    /** Default stage name. */
    public static final String DEFAULT_NAME = "error-budget";

    private ErrorBudget() {
    }

    /**
     * A builder with no limits set; at least one of the two limits is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Shorthand for a budget of at most {@code maxConsecutiveFailures} failures in a row.
     *
     * @param <T>                    the input type of the outcomes
     * @param <R>                    the result type of the outcomes
     * @param maxConsecutiveFailures failures in a row tolerated, at least 0 (0: the first failure fails the stream)
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws IllegalArgumentException if {@code maxConsecutiveFailures < 0}
     */
    public static <T, R> Function<Flux<Outcome<T, R>>, Flux<Outcome<T, R>>> consecutive(int maxConsecutiveFailures) {
        return builder().maxConsecutiveFailures(maxConsecutiveFailures).build();
    }

    /** Configuration; each setter validates its argument and names the bad value. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private int maxConsecutive = -1;
        private double maxRate = -1;
        private int window = DEFAULT_WINDOW;
        private int minimumOutcomes = -1;
        private @Nullable MeterRegistry meterRegistry;

        private Builder() {
        }

        /**
         * Names the stage in the exception, meter tags and {@code toString()}, so a run with several budgets says
         * which one ran out.
         *
         * @param name not blank (default {@value ErrorBudget#DEFAULT_NAME})
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Fail when more than {@code n} failures arrive in a row ({@code 0}: fail on the first failure).
         *
         * @param n failures in a row tolerated, at least 0; unset by default (no consecutive limit)
         * @return this builder
         * @throws IllegalArgumentException if {@code n < 0}
         */
        public Builder maxConsecutiveFailures(int n) {
            Checks.atLeast("maxConsecutiveFailures", n, 0);
            this.maxConsecutive = n;
            return this;
        }

        /**
         * Fail when more than this fraction of the outcomes in the window are failures: {@code 0.05} is 5 %, as
         * every rate in Fluxgate is a fraction (a percentage such as {@code 5} is refused, not read as 500 %).
         *
         * @param fraction the failure rate tolerated, in {@code [0, 1)}; unset by default (no rate limit)
         * @return this builder
         * @throws IllegalArgumentException if {@code fraction} is not in {@code [0, 1)}, naming the value (and the
         *     fraction meant when it looks like a percentage)
         */
        public Builder maxFailureRate(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("maxFailureRate is a fraction in [0, 1) (0.05 = 5 %), was " + fraction
                        + (fraction >= 1 && fraction < 100 ? "; for " + fraction + " % pass " + fraction / 100 : ""));
            }
            this.maxRate = fraction;
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.errorbudget.outcomes} (counter: outcomes seen),
         * {@code fluxgate.errorbudget.failures} (counter: failed outcomes) and {@code fluxgate.errorbudget.exceeded}
         * (counter: streams failed because the budget ran out), tagged {@code name}. Default: none.
         *
         * @param registry the registry the meters are added to when the stage is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Number of most recent outcomes the failure rate is computed over (default {@link #DEFAULT_WINDOW}).
         *
         * @param outcomes the window size, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code outcomes < 1}
         */
        public Builder window(int outcomes) {
            Checks.atLeast("window", outcomes, 1);
            this.window = outcomes;
            return this;
        }

        /**
         * Outcomes needed before the rate is judged (default: the window size), so that the first failure of a
         * run is not "100%".
         *
         * @param outcomes at least 1 and at most the window size (checked by {@link #build()})
         * @return this builder
         * @throws IllegalArgumentException if {@code outcomes < 1}
         */
        public Builder minimumOutcomes(int outcomes) {
            Checks.atLeast("minimumOutcomes", outcomes, 1);
            this.minimumOutcomes = outcomes;
            return this;
        }

        /**
         * Builds the transformer. Its counters are created per subscription, so it can be reused.
         *
         * @param <T> the input type of the outcomes
         * @param <R> the result type of the outcomes
         * @return a transformer passing outcomes through and failing the stream once the budget is exceeded
         *
         * @throws IllegalArgumentException if neither limit is set, or minimumOutcomes exceeds the window
         */
        public <T, R> Function<Flux<Outcome<T, R>>, Flux<Outcome<T, R>>> build() {
            if (maxConsecutive < 0 && maxRate < 0) {
                throw new IllegalArgumentException("set maxConsecutiveFailures and/or maxFailureRate, neither was set");
            }
            int min = minimumOutcomes < 0 ? window : minimumOutcomes;
            if (min > window) {
                throw new IllegalArgumentException("minimumOutcomes (" + min + ") must not exceed window (" + window + ")");
            }
            String n = name;
            int mc = maxConsecutive;
            // exact decimal shift, so 0.3 is 30.0 % (not 30.000000000000004) in the tracker and its message
            double mr = maxRate < 0 ? -1 : java.math.BigDecimal.valueOf(maxRate).movePointRight(2).doubleValue();
            int w = window;
            StageMeters m = meterRegistry == null ? StageMeters.NONE
                    : MicrometerStageMeters.of(meterRegistry, "errorbudget", n);
            Runnable seen = m.counter("outcomes", "outcomes seen");
            Runnable failed = m.counter("failures", "failed outcomes");
            Runnable exceeded = m.counter("exceeded", "streams failed because the budget ran out");
            Object[] settings = {"name", n, "maxConsecutiveFailures", mc < 0 ? "unset" : mc,
                    "maxFailureRate", maxRate < 0 ? "unset" : maxRate, "window", w, "minimumOutcomes", min};
            return Described.of("ErrorBudget", source -> Flux.defer(() -> {
                ErrorBudgetTracker tracker = new ErrorBudgetTracker(mc, mr, w, min);
                return source.handle((outcome, sink) -> {
                    seen.run();
                    if (outcome.isFailure()) {
                        failed.run();
                    }
                    String violation = tracker.record(outcome.isFailure());
                    sink.next(outcome);
                    if (violation != null) {
                        exceeded.run();
                        Outcome.Failure<T, R> failure = (Outcome.Failure<T, R>) outcome;
                        sink.error(new ErrorBudgetExceededException(n, violation, failure.input(),
                                tracker.consecutive(), tracker.failuresInWindow(), tracker.size(), failure.cause()));
                    }
                });
            }), settings);
        }
    }
}
