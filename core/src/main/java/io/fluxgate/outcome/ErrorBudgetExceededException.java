package io.fluxgate.outcome;

/**
 * Thrown into a stream by {@link ErrorBudget} when failures exceed the configured budget; the cause is the
 * failure that exhausted it.
 */
public class ErrorBudgetExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String stage;
    private final transient Object lastFailedInput;
    private final long consecutiveFailures;
    private final long failuresInWindow;
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

    /** The name of the {@link ErrorBudget} stage. */
    public String stage() {
        return stage;
    }

    /** The input of the failure that exhausted the budget. */
    public Object lastFailedInput() {
        return lastFailedInput;
    }

    /** Failures in a row when the budget was exhausted. */
    public long consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Failures among the last {@link #outcomesInWindow()} outcomes. */
    public long failuresInWindow() {
        return failuresInWindow;
    }

    /** Outcomes in the sliding window when the budget was exhausted. */
    public long outcomesInWindow() {
        return outcomesInWindow;
    }
}
