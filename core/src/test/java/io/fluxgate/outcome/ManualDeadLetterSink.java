package io.fluxgate.outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An asynchronous dead-letter sink completed by the test: every {@link #acceptAsync} returns a stage the test
 * completes ({@link #store}, {@link #fail}), which models a slow sink (a Kafka topic) without real time.
 * {@link #accept} throws, so an operator that blocks on the synchronous entry point fails the test.
 */
class ManualDeadLetterSink<T> implements DeadLetterSink<T> {

    private final List<DeadLetter<? extends T>> requested = new ArrayList<>();
    private final List<CompletableFuture<Void>> stages = new ArrayList<>();
    private final List<DeadLetter<? extends T>> stored = new ArrayList<>();
    private final boolean plainStages;

    /** A sink whose stages are CompletableFutures. */
    ManualDeadLetterSink() {
        this(false);
    }

    /** @param plainStages hand out minimal stages: CompletionStages whose Future methods throw */
    ManualDeadLetterSink(boolean plainStages) {
        this.plainStages = plainStages;
    }

    @Override
    public synchronized CompletionStage<Void> acceptAsync(DeadLetter<? extends T> letter) {
        CompletableFuture<Void> stage = new CompletableFuture<>();
        requested.add(letter);
        stages.add(stage);
        stage.thenRun(() -> {
            synchronized (this) {
                stored.add(letter);
            }
        });
        // a minimal stage refuses the Future side of CompletableFuture (isDone, getNow, cancel throw)
        return plainStages ? stage.minimalCompletionStage() : stage;
    }

    @Override
    public void accept(DeadLetter<? extends T> letter) {
        throw new AssertionError("blocking accept called for " + letter.element());
    }

    /** The letters handed to the sink so far, stored or not, in call order. */
    synchronized List<DeadLetter<? extends T>> requested() {
        return List.copyOf(requested);
    }

    /** The elements of the letters handed to the sink so far. */
    synchronized List<Object> requestedElements() {
        return requested.stream().<Object>map(DeadLetter::element).toList();
    }

    /** The elements of the letters stored so far. */
    synchronized List<Object> storedElements() {
        return stored.stream().<Object>map(DeadLetter::element).toList();
    }

    /** The stage of the {@code i}-th letter. */
    synchronized CompletableFuture<Void> stage(int i) {
        return stages.get(i);
    }

    /** Completes the {@code i}-th letter's store. */
    void store(int i) {
        stage(i).complete(null);
    }

    /** Fails the {@code i}-th letter's store. */
    void fail(int i, Throwable error) {
        stage(i).completeExceptionally(error);
    }

    @Override
    public synchronized long count() {
        return stored.size();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
