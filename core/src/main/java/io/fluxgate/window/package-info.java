/**
 * Event-time windowed unique-user counts: {@link io.fluxgate.window.UniqueUsers} builds a
 * {@code Function<Flux<T>, Flux<WindowCount>>} applied with {@code flux.transform(...)}.
 *
 * <pre>{@code
 * Flux<WindowCount> perMinute = events.transform(UniqueUsers.<Event>perWindow(Duration.ofMinutes(1))
 *         .alsoWindow(Duration.ofHours(1))
 *         .userId(Event::uid)
 *         .eventTimeSeconds(Event::ts)
 *         .allowedLateness(Duration.ofSeconds(5))
 *         .lateRecords(LatePolicy.drop())
 *         .idleFlush(Duration.ofSeconds(10))
 *         .build());
 * }</pre>
 *
 * Late and future records go to a {@link io.fluxgate.window.LatePolicy}; counters are in
 * {@link io.fluxgate.window.WindowStats}; approximate counts carry a mergeable {@link io.fluxgate.window.UniqueSketch};
 * {@link io.fluxgate.window.Checkpoint} and {@link io.fluxgate.window.ResumeState} make a Kafka source crash-safe.
 * {@code io.fluxgate.window.internal} holds the algorithm and the subscriber and is not API.
 */
@NullMarked
package io.fluxgate.window;

import org.jspecify.annotations.NullMarked;
