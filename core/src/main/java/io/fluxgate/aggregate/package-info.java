/**
 * A keyed aggregator: {@link io.fluxgate.aggregate.Aggregate} waits for the parts of each correlation key, from one
 * {@code Flux} of parts ({@code Aggregate.byKey(...)}, a {@code Function<Flux<T>, Flux<Aggregated<K, T>>>} applied
 * with {@code flux.transform(...)}) or from several named sources ({@code Aggregate.sources()}, a
 * {@code Flux<Aggregated<K, T>>}), and emits one {@link io.fluxgate.aggregate.Aggregated} per key: complete, or a
 * typed partial when its timeout passed, it was evicted by the key bound, or the source completed.
 *
 * <pre>{@code
 * Flux<Aggregated<String, Object>> orders = Aggregate.<String, Object>sources()
 *         .part("payment", payments, Payment::orderId)
 *         .part("stock", reservations, Reservation::orderId)
 *         .timeout(Duration.ofSeconds(30))
 *         .incompleteGroups(IncompletePolicy.EMIT_PARTIAL)
 *         .duplicateParts(DuplicatePolicy.KEEP_FIRST)
 *         .lateParts(LatePartPolicy.sideOutput(late::add))
 *         .build();
 * }</pre>
 *
 * Policies: {@link io.fluxgate.aggregate.IncompletePolicy}, {@link io.fluxgate.aggregate.DuplicatePolicy},
 * {@link io.fluxgate.aggregate.LatePartPolicy}; counters: {@link io.fluxgate.aggregate.AggregateStats}.
 * {@code io.fluxgate.aggregate.internal} holds the state machine and the subscriber and is not API.
 */
@NullMarked
package io.fluxgate.aggregate;

import org.jspecify.annotations.NullMarked;
