/**
 * Time sources shared by the flow-control operators. {@link io.fluxgate.flow.Clocks#defaultNanoClock()} is
 * {@link System#nanoTime()} (nanosecond resolution, no wall-clock jumps) except while Reactor's parallel scheduler
 * has been replaced by a virtual-time scheduler, whose clock it then follows, so rate limits and call latencies
 * are testable with {@code StepVerifier.withVirtualTime} without passing a clock around.
 */
@NullMarked
package io.fluxgate.flow;

import org.jspecify.annotations.NullMarked;
