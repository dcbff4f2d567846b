/**
 * Progress reporting for long-running streams: {@link io.fluxgate.progress.Progress} is a pass-through stage that
 * counts elements and reports {@link io.fluxgate.progress.ProgressSnapshot}s (count, rates, ETA when the total is
 * known) to a {@link io.fluxgate.progress.ProgressListener} at a fixed interval on the scheduler's clock, plus one
 * final report when the stream completes, fails or is cancelled. It adds no demand and no buffering; a listener
 * that throws is logged and never fails the stream.
 */
@NullMarked
package io.fluxgate.progress;

import org.jspecify.annotations.NullMarked;
