package io.fluxgate.outcome;

/**
 * Where failed elements end up: a file, a table, a topic. Implementations must be thread-safe, because several
 * streams may share one sink, and must not lose an accepted letter silently: if a letter cannot be stored,
 * {@link #accept} throws, which fails the stream that reported it.
 *
 * @param <T> the element type
 */
public interface DeadLetterSink<T> extends AutoCloseable {

    /**
     * Stores one dead letter. Called on the stream's thread; blocking implementations (files) should be fast or
     * the caller should publish on a blocking-friendly scheduler first.
     *
     * @throws DeadLetterException if the letter cannot be stored
     */
    void accept(DeadLetter<? extends T> letter);

    /** Letters accepted so far. */
    long count();

    /** Forces buffered letters to durable storage. */
    void flush();

    /** Flushes and releases resources; later {@link #accept} calls throw. Idempotent. */
    @Override
    void close();
}
