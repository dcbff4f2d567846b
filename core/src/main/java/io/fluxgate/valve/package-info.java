/**
 * An external on/off switch for streams. {@link io.fluxgate.valve.Valve#gate()} is a transformer that forwards
 * downstream demand upstream only while the valve is open, at most {@code maxInFlight} elements beyond what has been
 * received; {@code pause()} and {@code resume()} may be called from any thread. Pausing works only through
 * backpressure: nothing is buffered, dropped or reordered, so a source that produces on demand (a cursor, a file,
 * a Kafka poll loop) really stops. One valve may gate many streams at once.
 */
@NullMarked
package io.fluxgate.valve;

import org.jspecify.annotations.NullMarked;
