package io.fluxgate.heartbeat;

import java.time.Duration;

/** The error a {@link StallWatchdog} fails a stage with once it has been stalled past the failure threshold. */
public final class StageStalledException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The name of the stalled stage. */
    private final String stage;
    /** How long the stall had lasted when the stage was failed. */
    private final Duration stalledFor;
    /** Elements inside the stage when it was failed. */
    private final long inFlight;

    /**
     * Creates the error for a stage that has been stalled for {@code stalledFor} with {@code inFlight} elements
     * inside.
     *
     * @param stage the stage name
     * @param stalledFor how long the stall had lasted
     * @param inFlight elements that went in since the stage last emitted
     */
    public StageStalledException(String stage, Duration stalledFor, long inFlight) {
        super("stage '" + stage + "' stalled: " + inFlight + " element(s) in flight and downstream demand outstanding, "
                + "but no output for " + stalledFor);
        this.stage = stage;
        this.stalledFor = stalledFor;
        this.inFlight = inFlight;
    }

    /** @return the name of the stalled stage */
    public String stage() {
        return stage;
    }

    /** @return how long the stall had lasted when the stage was failed */
    public Duration stalledFor() {
        return stalledFor;
    }

    /** @return elements inside the stage when it was failed */
    public long inFlight() {
        return inFlight;
    }
}
