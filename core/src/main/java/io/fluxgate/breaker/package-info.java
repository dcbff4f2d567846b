/**
 * A per-element circuit breaker for reactive pipelines, with Resilience4j's state machine, configuration and
 * meter names.
 *
 * <h2>Why per element</h2>
 * Resilience4j's Reactor operator takes one permission per <em>subscription</em>: wrapped around a long-lived
 * {@code Flux} (a Kafka topic, an SSE stream) the whole stream is one call that never ends, so the breaker
 * never sees individual failures and never opens. {@link io.fluxgate.breaker.CircuitBreaker#protect} takes one
 * permission per <em>element's call</em> and records that call's outcome, so a stream of calls to a failing
 * dependency opens the breaker after the configured failure or slow-call rate, exactly as a stream of separate
 * requests would.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * CircuitBreaker payments = CircuitBreaker.of("payments", CircuitBreakerConfig.builder()
 *         .failureRateThreshold(50)                          // percent of recorded calls
 *         .slowCallDurationThreshold(Duration.ofSeconds(2))
 *         .slidingWindow(100, 20, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
 *         .waitDurationInOpenState(Duration.ofSeconds(30))
 *         .build());
 *
 * // each order's call takes its own permission; while OPEN, orders wait instead of failing
 * Flux<Receipt> receipts = orders.transform(payments.<Order, Receipt>protecting(paymentClient::charge)
 *         .whenOpen(OpenBehavior.BACKPRESSURE)
 *         .maxConcurrency(4)
 *         .build());
 *
 * // or: refused and failed orders go to a fallback and the stream goes on
 * orders.transform(payments.protect(paymentClient::charge, (order, error) -> Mono.just(Receipt.failed(order, error))));
 *
 * // a single call; retry() downstream takes one permission per attempt
 * paymentClient.refund(id).transform(payments.protectMono()).retry(2);
 * }</pre>
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link io.fluxgate.breaker.CircuitBreaker}: one named, thread-safe breaker per downstream dependency,
 *       shared by every stream and single call to it. {@code of(name, config)}, {@code ofDefaults(name)} or
 *       {@code builder(name)} (meter registry, scheduler, clock).</li>
 *   <li>{@link io.fluxgate.breaker.CircuitBreaker#protect protect(call)} and
 *       {@link io.fluxgate.breaker.CircuitBreaker#protecting protecting(call)...build()}: a
 *       {@code Function<Flux<T>, Flux<R>>} for {@code flux.transform(...)};
 *       {@link io.fluxgate.breaker.CircuitBreaker#protectMono() protectMono()} for a single {@code Mono}
 *       call (one permission per subscription, so each {@code retry()} attempt is one call).</li>
 *   <li>{@link io.fluxgate.breaker.CircuitBreakerConfig}: immutable options with Resilience4j's names and
 *       defaults (count- or time-based sliding window, failure and slow-call rate thresholds, wait in OPEN with
 *       optional exponential backoff, permitted calls in HALF_OPEN, recorded and ignored exceptions).</li>
 *   <li>{@link io.fluxgate.breaker.OpenBehavior}: what a stream does while the breaker refuses calls:
 *       {@code FAIL_FAST} ({@link io.fluxgate.breaker.CallNotPermittedException}, to the fallback or as the
 *       stream's error) or {@code BACKPRESSURE} (the element waits, upstream demand stops, nothing is dropped).</li>
 *   <li>Observation: {@link io.fluxgate.breaker.CircuitBreaker#state()},
 *       {@link io.fluxgate.breaker.CircuitBreakerMetrics} snapshots, {@link io.fluxgate.breaker.CircuitBreakerEvents}
 *       listeners of {@link io.fluxgate.breaker.CircuitBreakerEvent}s, and Micrometer meters named as
 *       Resilience4j's ({@code resilience4j.circuitbreaker.*}, tagged {@code name}) when a registry is given.</li>
 * </ul>
 *
 * <h2>States</h2>
 * {@link io.fluxgate.breaker.CircuitBreakerState CLOSED} lets calls through and records them in the sliding
 * window; once at least {@code minimumNumberOfCalls} are recorded and the failure rate or the slow-call rate
 * reaches its threshold, the breaker goes OPEN and refuses calls for {@code waitDurationInOpenState}; then
 * HALF_OPEN lets {@code permittedNumberOfCallsInHalfOpenState} probe calls through, whose rates decide between
 * CLOSED and OPEN again. DISABLED, FORCED_OPEN and METRICS_ONLY are entered only by manual transitions. One
 * addition to Resilience4j: a call still in flight counts as slow as soon as it passes the slow-call threshold, so
 * a dependency that hangs opens the breaker before any timeout fires.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every permission is recorded or released exactly once, whatever ends the call: a value, empty
 *       completion, an error, a cancel (released, or recorded as slow if it already was), an exception thrown by
 *       the call function itself.</li>
 *   <li>Output keeps upstream order; at most {@code maxConcurrency} calls per stream are in flight (default 1);
 *       upstream is requested at most {@code prefetch} elements ahead, and only as downstream demand allows.</li>
 *   <li>Cancelling a protected stream cancels its calls in flight and discards queued elements through
 *       Reactor's discard hook.</li>
 *   <li>Time (call durations, waits in OPEN) is read from the breaker's clock: the scheduler's when
 *       {@code builder(name).scheduler(...)} is set (give it a virtual-time scheduler in tests), otherwise
 *       {@link System#nanoTime()}.</li>
 * </ul>
 *
 * <p>State machine, gate and subscribers live in {@code io.fluxgate.breaker.internal}, which is not API.
 */
@NullMarked
package io.fluxgate.breaker;

import org.jspecify.annotations.NullMarked;
