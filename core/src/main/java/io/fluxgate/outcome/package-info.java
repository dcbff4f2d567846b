/**
 * Per-element failures as values ({@link io.fluxgate.outcome.Outcome}), a budget that decides when there are too
 * many ({@link io.fluxgate.outcome.ErrorBudget}), and dead letters: every input a stage refuses, kept with why,
 * when and where, inspectable and counted.
 *
 * <h2>One dead-letter abstraction for every stage</h2>
 *
 * <p>Core operators, the Kafka source and the PostgreSQL COPY sink all refuse inputs, and all three used to have
 * their own type for it. They now share {@link io.fluxgate.outcome.DeadLetter} (the refused element, the cause,
 * when, which stage) and {@link io.fluxgate.outcome.DeadLetterSink} (where letters are stored, and how many were):
 *
 * <ul>
 *   <li><b>The connector's context is the element.</b> A Kafka source refuses a record it cannot deserialize and
 *       has no element of the user's type, only the record's origin and raw bytes: its letters are
 *       {@code DeadLetter<RejectedRecord>} (topic, partition, offset, timestamp, raw key and value). The COPY sink
 *       refuses a row for one column: its letters are {@code DeadLetter<RejectedRow<T>>} (the element, the
 *       column). Nothing connector-specific leaks into core, which stays on reactor-core, and a sink written
 *       against core (a file, memory, a table) stores any stage's letters.</li>
 *   <li><b>The reason is the cause's message.</b> Connectors that have a reason rather than an exception wrap it
 *       in one (Kafka: a {@code SerializationException}); {@link io.fluxgate.outcome.DeadLetter#reason()} reads it
 *       back for logs, files and headers.</li>
 *   <li><b>Synchronous and asynchronous stores, one contract.</b> {@code accept} returns once the letter is stored
 *       and throws if it cannot be; {@code acceptAsync} returns a stage that completes once stored, or
 *       exceptionally. Files and memory implement {@code accept} and inherit {@code acceptAsync}; a Kafka topic
 *       overrides {@code acceptAsync} (the broker's acknowledgement) and implements {@code accept} by waiting.
 *       The operators call {@code acceptAsync} and go on when the stage completes
 *       ({@link io.fluxgate.outcome.Outcomes#deadLetter}, the Kafka source, the COPY sink), so an asynchronous
 *       store blocks neither a non-blocking Reactor thread, nor the consumer's poll thread, nor the batch's
 *       thread; a synchronous store completes its stage at once and costs no hop.</li>
 *   <li><b>Nothing is lost silently, whatever the caller.</b> A letter that cannot be stored fails the stream
 *       that reported it ({@code Outcomes.deadLetter}, the COPY sink), or, for the Kafka source, leaves the
 *       rejected record's offset unacknowledged, so it is read and rejected again after a restart.
 *       {@link io.fluxgate.outcome.DeadLetterSink#count()} counts stored letters only.</li>
 * </ul>
 *
 * <p>What stays connector-specific is only what cannot be generic: how a Kafka letter is written back to a topic
 * byte for byte ({@code io.fluxgate.kafka.DeadLetters}), and the per-batch list of refused rows in a COPY result.
 */
@NullMarked
package io.fluxgate.outcome;

import org.jspecify.annotations.NullMarked;
