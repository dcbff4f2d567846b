package io.fluxgate.kafka.share;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.kafka.RejectedRecord;
import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterSink;
import io.fluxgate.outcome.Outcome;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Acknowledges share records by the {@link Outcome} of their processing, the last stage of a share-group
 * pipeline: a {@code Function<Flux<Outcome<ShareRecord<K, V>, R>>, Flux<R>>} that
 * <ul>
 *   <li>on a success, {@link ShareRecord#accept() accepts} the record and emits the result;</li>
 *   <li>on a failure of a record delivered fewer than {@link Builder#maxDeliveries(int) maxDeliveries} times,
 *       {@link ShareRecord#release() releases} it (the broker delivers it again, to any member of the group) and
 *       emits nothing;</li>
 *   <li>on a failure of its last delivery, writes a dead letter (when a {@link Builder#deadLetters sink} is set:
 *       the record re-serialized into a {@link RejectedRecord}, so {@code DeadLetters.toTopic} writes it to a
 *       dead-letter topic; the failure's cause in the letter) and {@link ShareRecord#reject() rejects} the record
 *       once the letter is stored, so that the broker archives it; if the sink fails, the record is released
 *       instead (never lost: delivered again, dead-lettered again) and emits nothing.</li>
 * </ul>
 *
 * <pre>{@code
 * source.receive()
 *       .transform(ElementRetry.builder((ShareRecord<String, Job> r) -> fetch(r.value()))
 *               .maxAttempts(3).maxInFlight(16).buildOutcomes())         // Flux<Outcome<ShareRecord, Page>>
 *       .transform(ShareOutcomes.<String, Job>builder()
 *               .maxDeliveries(3)
 *               .deadLetters(DeadLetters.toTopic(bootstrap, "jobs.dlq", Map.of()),
 *                       new StringSerializer(), jobSerializer)
 *               .build())                                                // Flux<Page>, each record acknowledged
 * }</pre>
 *
 * <p>Set {@code maxDeliveries} at most the broker's {@code group.share.delivery.count.limit} (5 by default): the
 * broker archives a record after that many deliveries without a dead letter. Demand: dead letters in progress
 * count against {@link Builder#deadLettersInFlight(int)}, which is also how many outcomes are requested ahead. Cancel
 * cancels the letters in progress; their records stay held and are released by the source's own cancel.
 */
public final class ShareOutcomes {

    /** Default deliveries of a record before a failure rejects it: 5, the broker's default delivery limit. */
    public static final int DEFAULT_MAX_DELIVERIES = 5;
    /** Default bound on dead letters being stored at once. */
    public static final int DEFAULT_DEAD_LETTERS_IN_FLIGHT = 256;
    /** The {@link DeadLetter#stage()} of the letters written, unless set. */
    public static final String DEFAULT_STAGE = "kafka-share";

    private static final Logger log = LoggerFactory.getLogger(ShareOutcomes.class);

    private ShareOutcomes() {
    }

    /**
     * A builder with the defaults above and no dead-letter sink (records rejected after their last delivery are
     * logged only).
     *
     * @param <K> key type
     * @param <V> value type
     * @return a new builder
     */
    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    /**
     * Shorthand without dead letters: accept successes; release failures before their {@code maxDeliveries}-th
     * delivery, reject (logged) after.
     *
     * @param <K> key type
     * @param <V> value type
     * @param <R> result type
     * @param maxDeliveries deliveries before a failure rejects the record, at least 1
     * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
     * @throws IllegalArgumentException if {@code maxDeliveries < 1}
     */
    public static <K, V, R> Function<Flux<Outcome<ShareRecord<K, V>, R>>, Flux<R>> acknowledge(int maxDeliveries) {
        return ShareOutcomes.<K, V>builder().maxDeliveries(maxDeliveries).build();
    }

    /**
     * Configuration of the acknowledging stage; mutable, not thread-safe.
     *
     * @param <K> key type
     * @param <V> value type
     */
    public static final class Builder<K, V> {
        private int maxDeliveries = DEFAULT_MAX_DELIVERIES;
        private int deadLettersInFlight = DEFAULT_DEAD_LETTERS_IN_FLIGHT;
        private String stage = DEFAULT_STAGE;
        private @Nullable DeadLetterSink<? super RejectedRecord> sink;
        private @Nullable Serializer<? super K> keySerializer;
        private @Nullable Serializer<? super V> valueSerializer;

        private Builder() {
        }

        /**
         * Deliveries of a record (its {@link ShareRecord#deliveryCount()}) after which a failure rejects it instead
         * of releasing it; default 5.
         *
         * @param maxDeliveries at least 1 (1: the first failure rejects)
         * @return this builder
         * @throws IllegalArgumentException if {@code maxDeliveries < 1}
         */
        public Builder<K, V> maxDeliveries(int maxDeliveries) {
            this.maxDeliveries = Checks.atLeast("maxDeliveries", maxDeliveries, 1);
            return this;
        }

        /**
         * Writes a dead letter for each record rejected after its last delivery, before rejecting it.
         *
         * @param sink            where the letters go, e.g. {@code DeadLetters.toTopic(...)}
         * @param keySerializer   turns the key back into bytes for the letter
         * @param valueSerializer turns the value back into bytes for the letter
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder<K, V> deadLetters(DeadLetterSink<? super RejectedRecord> sink, Serializer<? super K> keySerializer,
                                         Serializer<? super V> valueSerializer) {
            this.sink = Objects.requireNonNull(sink, "sink");
            this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
            this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
            return this;
        }

        /**
         * Dead letters being stored at once at most; default 256.
         *
         * @param deadLettersInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code deadLettersInFlight < 1}
         */
        public Builder<K, V> deadLettersInFlight(int deadLettersInFlight) {
            this.deadLettersInFlight = Checks.atLeast("deadLettersInFlight", deadLettersInFlight, 1);
            return this;
        }

        /**
         * The stage named in the letters; default {@link #DEFAULT_STAGE}.
         *
         * @param stage not blank
         * @return this builder
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if blank
         */
        public Builder<K, V> stage(String stage) {
            this.stage = Checks.notBlank("stage", stage);
            return this;
        }

        /**
         * The stage.
         *
         * @param <R> the result type
         * @return a transformer for {@code flux.transform(...)}, reusable across subscriptions
         */
        public <R> Function<Flux<Outcome<ShareRecord<K, V>, R>>, Flux<R>> build() {
            int max = maxDeliveries;
            int inFlight = deadLettersInFlight;
            String stageName = stage;
            DeadLetterSink<? super RejectedRecord> letters = sink;
            Serializer<? super K> keys = keySerializer;
            Serializer<? super V> values = valueSerializer;
            return outcomes -> outcomes.flatMap(o -> {
                ShareRecord<K, V> r = o.input();
                if (o instanceof Outcome.Success<ShareRecord<K, V>, R> s) {
                    r.accept();
                    return Mono.just(s.value());
                }
                Throwable cause = ((Outcome.Failure<ShareRecord<K, V>, R>) o).cause();
                if (r.deliveryCount() < max) {
                    r.release();
                    return Mono.empty();
                }
                if (letters == null) {
                    log.warn("Rejecting {} after {} deliveries: {}", r, r.deliveryCount(), cause.toString());
                    r.reject();
                    return Mono.empty();
                }
                DeadLetter<RejectedRecord> letter;
                try {
                    letter = new DeadLetter<>(new RejectedRecord(r.topic(), r.partition(), r.offset(), r.timestamp(),
                            r.key() == null ? null : keys.serialize(r.topic(), r.key()),
                            r.value() == null ? null : values.serialize(r.topic(), r.value())),
                            cause, Clock.systemUTC().instant(), stageName);
                } catch (RuntimeException e) {
                    log.error("Cannot serialize {} for its dead letter, releasing it: {}", r, e.toString());
                    r.release();
                    return Mono.empty();
                }
                return Mono.defer(() -> Mono.fromCompletionStage(letters.acceptAsync(letter)))
                        .then(Mono.fromRunnable(r::reject))
                        .onErrorResume(e -> {
                            log.error("Dead letter for {} not stored, releasing it: {}", r, e.toString());
                            r.release();
                            return Mono.empty();
                        })
                        .then(Mono.<R>empty());
            }, inFlight);
        }
    }
}
