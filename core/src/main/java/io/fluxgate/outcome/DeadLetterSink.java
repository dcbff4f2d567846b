package io.fluxgate.outcome;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * Where failed elements end up: a file, a table, a topic. Implementations must be thread-safe, because several
 * streams may share one sink, and must not lose an accepted letter silently: if a letter cannot be stored,
 * {@link #accept} throws (and {@link #acceptAsync} completes exceptionally), which fails the stream that reported
 * it or, for a Kafka source, keeps the rejected record's offset uncommitted.
 *
 * <p>Two entry points, one contract: {@link #accept} returns once the letter is stored; {@link #acceptAsync}
 * returns a stage that completes once it is stored. A sink that stores synchronously (a file, memory) implements
 * {@code accept} and inherits {@code acceptAsync}; a sink that is asynchronous by nature (a Kafka producer)
 * overrides {@code acceptAsync} and implements {@code accept} by waiting for it. Callers that must not block (a
 * source that acknowledges the input only once its letter is stored) use {@code acceptAsync}.
 *
 * @param <T> the element type
 */
public interface DeadLetterSink<T> extends AutoCloseable {

    /**
     * Stores one dead letter. Called on the stream's thread; blocking implementations (files) should be fast or
     * the caller should publish on a blocking-friendly scheduler first.
     *
     * @param letter the letter to store
     * @throws DeadLetterException if the letter cannot be stored
     */
    void accept(DeadLetter<? extends T> letter);

    /**
     * Stores one dead letter; the stage completes when it is stored, or exceptionally (with the
     * {@link DeadLetterException}) when it cannot be. Never throws. The default calls {@link #accept} on the
     * caller's thread.
     *
     * @param letter the letter to store
     * @return a stage completing with {@code null} once the letter is stored, or exceptionally; never null
     */
    default CompletionStage<@Nullable Void> acceptAsync(DeadLetter<? extends T> letter) {
        try {
            accept(letter);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Letters stored so far; a letter whose store failed, or is still pending, is not counted.
     *
     * @return the number of letters stored since the sink was created
     */
    long count();

    /**
     * Forces buffered letters to durable storage. What it throws when they cannot be written is the store's
     * own exception ({@link java.io.UncheckedIOException} for {@link JsonLinesDeadLetterSink}).
     */
    void flush();

    /** Flushes and releases resources; later {@link #accept} calls throw. Idempotent. */
    @Override
    void close();

    /**
     * A sink that hands each letter to {@code consumer} on the caller's thread (to a log, a metric, a list in a
     * test) and counts the letters it took. If the consumer throws, {@link #accept} throws that exception and the
     * letter is not counted. Nothing to flush; after {@link #close()} letters are refused.
     *
     * @param <T>      the element type
     * @param consumer takes each letter; throws to refuse it
     * @return a new sink
     * @throws NullPointerException if {@code consumer} is null
     */
    static <T> DeadLetterSink<T> of(Consumer<? super DeadLetter<? extends T>> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return new AsyncDeadLetterSink<T>(letter -> {
            consumer.accept(letter);
            return CompletableFuture.completedFuture(null);
        }, () -> { }, () -> { });
    }

    /**
     * A sink that stores each letter through {@code store}, an asynchronous call (an R2DBC insert turned into a
     * future, an HTTP call, ...), and counts a letter once its stage completed normally. {@link #acceptAsync}
     * returns that stage's outcome: a stage completing exceptionally, {@code store} throwing or returning null
     * make it fail. {@link #accept} waits for it and throws its failure; it counts a letter only once stored, so
     * {@link #count()} never includes one that was lost. Nothing to flush; after {@link #close()}
     * letters are refused.
     *
     * @param <T>   the element type
     * @param store starts storing one letter and returns a stage completing once it is stored; a null stage
     *              refuses the letter with a {@link DeadLetterException}
     * @return a new sink
     * @throws NullPointerException if {@code store} is null
     */
    static <T> DeadLetterSink<T> ofAsync(
            java.util.function.Function<? super DeadLetter<? extends T>, ? extends @Nullable CompletionStage<?>>
                    store) {
        return ofAsync(store, () -> { }, () -> { });
    }

    /**
     * As {@link #ofAsync(java.util.function.Function)}, with {@link #flush()} running {@code onFlush} and the first
     * {@link #close()} running {@code onClose} (e.g. a client's flush and close).
     *
     * @param <T>     the element type
     * @param store   starts storing one letter and returns a stage completing once it is stored; a null stage
     *                refuses the letter with a {@link DeadLetterException}
     * @param onFlush run by every {@link #flush()}
     * @param onClose run by the first {@link #close()} only
     * @return a new sink
     * @throws NullPointerException if an argument is null
     */
    static <T> DeadLetterSink<T> ofAsync(
            java.util.function.Function<? super DeadLetter<? extends T>, ? extends @Nullable CompletionStage<?>>
                    store,
            Runnable onFlush, Runnable onClose) {
        return new AsyncDeadLetterSink<>(Objects.requireNonNull(store, "store"), Objects.requireNonNull(onFlush,
                "onFlush"), Objects.requireNonNull(onClose, "onClose"));
    }
}
