package io.fluxgate.outcome;

import org.jspecify.annotations.Nullable;

/**
 * Thrown into a stream by {@link ErrorBudget} when failures exceed the configured budget; the cause is the
 * failure that exhausted it.
 */
public class ErrorBudgetExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The budget's stage name. */
    private final String stage;
    // transient: inputs are rarely serializable; a deserialized exception keeps the counts and the message
    private final transient @Nullable Object lastFailedInput;
    /** Failures in a row at exhaustion. */
    private final long consecutiveFailures;
    /** Failures in the rate window at exhaustion. */
    private final long failuresInWindow;
    /** Outcomes in the rate window at exhaustion. */
    private final long outcomesInWindow;

    ErrorBudgetExceededException(String stage, String reason, Object lastFailedInput, long consecutiveFailures,
                                 long failuresInWindow, long outcomesInWindow, Throwable cause) {
        super("error budget of stage '" + stage + "' exceeded: " + reason + "; last failure on " + lastFailedInput
                + ": " + cause, cause);
        this.stage = stage;
        this.lastFailedInput = lastFailedInput;
        this.consecutiveFailures = consecutiveFailures;
        this.failuresInWindow = failuresInWindow;
        this.outcomesInWindow = outcomesInWindow;
    }

    /**
     * The stage that ran out, as set by {@link ErrorBudget.Builder#name}.
     *
     * @return the name of the {@link ErrorBudget} stage
     */
    public String stage() {
        return stage;
    }

    /**
     * The input of the failure that exhausted the budget.
     *
     * @return that input, or null in an exception that was serialized and read back (the input is not
     *         serialized; the message still names it)
     */
    public @Nullable Object lastFailedInput() {
        return lastFailedInput;
    }

    /**
     * Failures in a row when the budget was exhausted.
     *
     * @return the consecutive failures, including the last one
     */
    public long consecutiveFailures() {
        return consecutiveFailures;
    }

    /**
     * Failures among the last {@link #outcomesInWindow()} outcomes.
     *
     * @return the failures in the rate window
     */
    public long failuresInWindow() {
        return failuresInWindow;
    }

    /**
     * Outcomes in the sliding window when the budget was exhausted; fewer than the window size early in a run.
     *
     * @return the outcomes in the rate window
     */
    public long outcomesInWindow() {
        return outcomesInWindow;
    }
}
