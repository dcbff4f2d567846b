package io.fluxgate.heartbeat;

/**
 * Edge-triggered stall notifications from a {@link StallWatchdog}: one {@code onStalled} when a stage becomes stalled,
 * one {@code onRecovered} when it stops being stalled (output resumed, demand withdrawn, or the subscription ended),
 * never one per check. Called on the watchdog's scheduler or on the thread that produced the output; keep it quick.
 * An exception thrown here is logged and does not affect the stream.
 */
public interface StallListener {

    /** @param health the stage when the stall was detected */
    default void onStalled(StageHealth health) {
    }

    /** @param health the stage when the stall ended */
    default void onRecovered(StageHealth health) {
    }

    /** @param error the error the stage is being failed with */
    default void onFailed(StageStalledException error) {
    }
}
