package io.fluxgate.outcome;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/** {@link DeadLetterSink#ofAsync}, and {@link DeadLetterSink#of} over it. */
final class AsyncDeadLetterSink<T> implements DeadLetterSink<T> {

    private final Function<? super DeadLetter<? extends T>, ? extends @Nullable CompletionStage<?>> store;
    private final Runnable onFlush;
    private final Runnable onClose;
    private final LongAdder count = new LongAdder();
    private volatile boolean closed;

    AsyncDeadLetterSink(Function<? super DeadLetter<? extends T>, ? extends @Nullable CompletionStage<?>> store,
                        Runnable onFlush, Runnable onClose) {
        this.store = store;
        this.onFlush = onFlush;
        this.onClose = onClose;
    }

    @Override
    public CompletionStage<@Nullable Void> acceptAsync(DeadLetter<? extends T> letter) {
        if (closed) {
            return CompletableFuture.failedFuture(new DeadLetterException(
                    "dead-letter sink is closed; cannot store letter for " + letter.element(), letter.cause()));
        }
        @Nullable CompletionStage<?> stored;
        try {
            stored = store.apply(letter);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (stored == null) {
            return CompletableFuture.failedFuture(new DeadLetterException(
                    "the store function returned no stage for " + letter.element(), letter.cause()));
        }
        return stored.thenApply(v -> {
            count.increment();
            return null;
        });
    }

    @Override
    public void accept(DeadLetter<? extends T> letter) {
        try {
            acceptAsync(letter).toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new DeadLetterException("could not store letter for " + letter.element(), cause);
        }
    }

    @Override
    public long count() {
        return count.sum();
    }

    @Override
    public void flush() {
        onFlush.run();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
