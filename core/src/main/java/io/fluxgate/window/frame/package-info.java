/**
 * The input format of the unique-user window counts ({@link io.fluxgate.window.UniqueUsers}): one JSON object per
 * event whose root fields {@code uid} (a non-empty string) and {@code ts} (an integer timestamp, epoch seconds in the examples) are read by
 * {@link io.fluxgate.window.frame.RootFrameReader} without building a tree, accepting exactly what a strict JSON
 * parser accepts. Each value is reported as a {@link io.fluxgate.window.frame.FrameResult}: a frame, a blank line
 * (whitespace only, for line-oriented input), or malformed with the reason; reading never throws for bad input.
 *
 * <pre>{@code
 * RootFrameReader frames = RootFrameReader.ofDefaults();
 * // lines: a Flux<String>; byte[] and ByteBuffer values are read the same way
 * Flux<FrameResult.Frame> events = lines.handle((line, sink) -> {
 *     FrameResult r = frames.read(line);
 *     if (r instanceof FrameResult.Frame f) {
 *         sink.next(f);
 *     } else if (r instanceof FrameResult.Malformed m) {
 *         rejected(line, m.reason());                              // count it, keep it: never lose it silently
 *     }                                                            // a Blank line is skipped
 * });
 * Flux<WindowCount> perMinute = events.transform(UniqueUsers.perWindow(Duration.ofMinutes(1))
 *         .userId(FrameResult.Frame::uid)
 *         .eventTimeSeconds(FrameResult.Frame::ts)
 *         .build());
 * }</pre>
 *
 * The reader is plain Java with no I/O and no Reactor; connectors wire it in (fluxgate-kafka's
 * {@code io.fluxgate.kafka.json.FrameDeserializer} reads frames inside the consumer's {@code poll()}).
 * {@code io.fluxgate.window.frame.internal} holds the scanner and is not API.
 */
@NullMarked
package io.fluxgate.window.frame;

import org.jspecify.annotations.NullMarked;
