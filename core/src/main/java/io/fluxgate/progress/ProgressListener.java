package io.fluxgate.progress;

/**
 * Receives {@link ProgressSnapshot}s from a {@link Progress} stage.
 *
 * <p>Calls for one subscription never overlap: periodic reports (on the configured scheduler) and the final
 * report (on the thread that terminated or cancelled the stream) are serialized. A listener should return quickly;
 * it runs on a scheduler worker or on the stream's own thread. An exception thrown by the listener is logged and
 * swallowed: a broken progress bar must not fail the pipeline it observes.
 */
@FunctionalInterface
public interface ProgressListener {

    /**
     * Called with a fresh snapshot at each interval and once more, with a terminal {@link ProgressSnapshot.State}, at the end.
     *
     * @param snapshot the progress now; immutable
     */
    void onProgress(ProgressSnapshot snapshot);
}
