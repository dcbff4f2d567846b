/**
 * Liveness for streams: heartbeats injected into a silent stream, idle detection on the scheduler's clock, and a
 * watchdog that tells a stalled stage from legitimate backpressure.
 *
 * <pre>{@code
 * // an SSE stream that sends a comment after 15 s of silence
 * Flux<ServerSentEvent<Event>> sse = events.map(e -> ServerSentEvent.builder(e).build())
 *         .transform(Heartbeat.every(Duration.ofSeconds(15))
 *                 .inject(() -> ServerSentEvent.<Event>builder().comment("keep-alive").build()));
 *
 * // a stage reported stalled after 10 s, failed after 1 min, visible on a health endpoint
 * StallWatchdog enrich = StallWatchdog.builder("enrich")
 *         .stallAfter(Duration.ofSeconds(10))
 *         .failAfter(Duration.ofMinutes(1))
 *         .meterRegistry(registry)
 *         .build();
 * Flux<Enriched> out = events.transform(enrich.watch(f -> f.flatMap(enrichmentClient::enrich, 8)));
 * boolean healthy = enrich.health().isHealthy();
 * }</pre>
 *
 * <h2>Heartbeats: {@link io.fluxgate.heartbeat.Heartbeat}</h2>
 * {@code Heartbeat.every(interval)} builds a transformer that emits a keep-alive element after each
 * {@code interval} of upstream silence, so an SSE connection, a WebSocket or a consumer's liveness check sees
 * traffic while the source is quiet. {@code inject(supplier)} keeps the element type (the supplier makes the
 * keep-alive, e.g. an SSE comment); {@code ticks()} emits a {@code Flux<Pulse<T>>} in which upstream elements are
 * {@link io.fluxgate.heartbeat.Pulse.Item}s and heartbeats are {@link io.fluxgate.heartbeat.Pulse.Tick}s carrying a
 * sequence number and the silence they report. The window operator's
 * {@code io.fluxgate.window.UniqueUsers.Builder#buildForPulses()} consumes the ticks to close the last event-time
 * window of a quiet source.
 * <ul>
 *   <li><b>Backpressure.</b> A heartbeat consumes one unit of downstream demand and is emitted only with demand.
 *       At most one heartbeat is ever pending, so a long silence without demand yields one beat on the next
 *       request, never a backlog; an upstream element arriving first drops the pending beat
 *       (it proves liveness itself).</li>
 *   <li><b>Termination and cancel.</b> Completion delivers queued elements and drops a pending beat; an error is
 *       delivered at once and queued elements are discarded through Reactor's discard hook; cancel stops the
 *       timer and discards queued elements. A supplier that throws or returns {@code null} fails the stream.</li>
 *   <li><b>Time.</b> Silence is measured on the {@link reactor.core.scheduler.Scheduler}'s clock
 *       ({@code Schedulers.parallel()} by default), so heartbeats follow virtual time under
 *       {@code StepVerifier.withVirtualTime}.</li>
 * </ul>
 *
 * <h2>Idle detection: {@link io.fluxgate.heartbeat.IdleDetector}</h2>
 * A plain-Java rule on an injected nanosecond clock ({@link io.fluxgate.heartbeat.IdleDetector#clockOf}): a source
 * is idle once no activity was marked for an interval. It schedules nothing itself; the heartbeat and the window
 * operator's idle flush arm one timer per interval on it, which is why both agree on what "idle" means.
 *
 * <h2>Stall detection: {@link io.fluxgate.heartbeat.StallWatchdog}</h2>
 * {@code StallWatchdog.builder(stage)...build().watch(stageFunction)} wraps a stage and reports it
 * {@link io.fluxgate.heartbeat.StageHealth.Status#STALLED STALLED} when elements went in, downstream has demand
 * outstanding, and nothing came out for {@code stallAfter}. A stage without downstream demand is
 * {@code BACKPRESSURED} and one that received nothing since its last output is {@code IDLE}: neither is a stall.
 * Stalls are reported edge-triggered to a {@link io.fluxgate.heartbeat.StallListener}, exposed as a
 * {@link io.fluxgate.heartbeat.StageHealth} snapshot for health endpoints and, with a registry, as Micrometer
 * gauges and a counter tagged {@code name}; with {@code failAfter} the stage is cancelled and the stream fails
 * with a {@link io.fluxgate.heartbeat.StageStalledException} naming it. The watchdog adds no demand and no
 * buffering: requests, cancel and discard pass through unchanged.
 *
 * <p>The subscribers live in {@code io.fluxgate.heartbeat.internal}, which is not API.
 */
@NullMarked
package io.fluxgate.heartbeat;

import org.jspecify.annotations.NullMarked;
