package io.fluxgate.heartbeat;

import java.time.Duration;
import java.util.Objects;

/**
 * A snapshot of a watched stage, for a health endpoint or a log line.
 *
 * @param stage             the stage name
 * @param status            see {@link Status}
 * @param inFlight          elements that went in since the stage last emitted
 * @param oldestInFlightAge how long the oldest of those has been inside ({@link Duration#ZERO} if none)
 * @param stalledFor        how long the stall condition has held ({@link Duration#ZERO} unless stalled or failed)
 * @param inputs            elements that went in since subscription
 * @param outputs           elements that came out since subscription
 */
public record StageHealth(String stage, Status status, long inFlight, Duration oldestInFlightAge, Duration stalledFor,
                          long inputs, long outputs) {

    /**
     * Validates the snapshot.
     *
     * @param stage the stage name
     * @param status the watchdog's verdict
     * @param inFlight elements that went in since the stage last emitted, zero or more
     * @param oldestInFlightAge how long the oldest of those has been inside
     * @param stalledFor how long the stall condition has held
     * @param inputs elements that went in since subscription
     * @param outputs elements that came out since subscription
     * @throws NullPointerException if {@code stage}, {@code status}, {@code oldestInFlightAge} or
     *     {@code stalledFor} is null
     */
    public StageHealth {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(oldestInFlightAge, "oldestInFlightAge");
        Objects.requireNonNull(stalledFor, "stalledFor");
    }

    /** What the watchdog concluded, in increasing order of severity. */
    public enum Status {
        /** Not subscribed, or nothing went in since the last output: a quiet source is not a stall. */
        IDLE,
        /** Elements are inside and downstream has demand; output is expected soon. */
        BUSY,
        /** Elements are inside but downstream has no demand: legitimate backpressure, not a stall. */
        BACKPRESSURED,
        /** Elements went in and downstream has demand, yet nothing came out for at least the stall threshold. */
        STALLED,
        /** Stalled past the failure threshold; the stage was failed with {@link StageStalledException}. */
        FAILED
    }

    /** @return whether an application should report this stage unhealthy */
    public boolean isHealthy() {
        return status != Status.STALLED && status != Status.FAILED;
    }
}
