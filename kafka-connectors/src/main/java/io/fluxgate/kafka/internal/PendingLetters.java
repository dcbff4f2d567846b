package io.fluxgate.kafka.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import io.fluxgate.outcome.DeadLetter;
import io.fluxgate.outcome.DeadLetterException;
import io.fluxgate.outcome.DeadLetterSink;

/**
 * Dead letters of one run handed to the sink without waiting for each to be stored: up to {@code maxInFlight} at
 * once (a sink that batches, the Kafka producer, gets many at once), and a {@link #barrier()} that a commit waits on,
 * so no offset is committed before every letter handed over earlier is stored.
 *
 * <p>{@link #store} is called by the threads that parse (in record order per thread); it blocks only while
 * {@code maxInFlight} letters are in flight. The first letter that cannot be stored is reported once to
 * {@code onFailure}; from then on {@link #store} throws and every barrier taken after that letter was handed over
 * fails, so nothing past it is committed.
 */
public final class PendingLetters {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final DeadLetterSink<? super io.fluxgate.kafka.RejectedRecord> sink;
    private final Semaphore permits;
    private final Consumer<? super DeadLetterException> onFailure;
    /** Completes once every letter handed over so far is stored; fails if one of them is refused. */
    private CompletableFuture<Void> all = DONE;
    private volatile DeadLetterException failure;

    public PendingLetters(DeadLetterSink<? super io.fluxgate.kafka.RejectedRecord> sink, int maxInFlight,
                          Consumer<? super DeadLetterException> onFailure) {
        this.sink = sink;
        this.permits = new Semaphore(maxInFlight);
        this.onFailure = onFailure;
    }

    /**
     * Hands the letter to the sink and returns without waiting for it to be stored, unless {@code maxInFlight}
     * letters are in flight: then it waits for one of them.
     *
     * @throws DeadLetterException if an earlier letter could not be stored, or this one was refused at once, or the
     *                             thread was interrupted while waiting for room
     */
    public void store(DeadLetter<io.fluxgate.kafka.RejectedRecord> letter) {
        DeadLetterException failed = failure;
        if (failed != null) {
            throw failed;
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterException("interrupted while waiting to store the dead letter of "
                    + letter.element(), e);
        }
        CompletionStage<Void> stage;
        try {
            stage = sink.acceptAsync(letter);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> stored = new CompletableFuture<>();
        stage.whenComplete((ok, e) -> {
            permits.release();
            if (e == null) {
                stored.complete(null);
                return;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            DeadLetterException refused = new DeadLetterException("the dead letter of " + letter.element() + " ("
                    + letter.reason() + ") could not be stored; the run stops before its offset is committed", cause);
            stored.completeExceptionally(refused);
            fail(refused);
        });
        synchronized (this) {
            // a chain of the letters still in flight; settled links are dropped as soon as the head is done
            all = all.isDone() && !all.isCompletedExceptionally() ? stored : all.thenCombine(stored, (a, b) -> null);
        }
        failed = failure;
        if (failed != null) {
            throw failed;
        }
    }

    private void fail(DeadLetterException refused) {
        boolean first;
        synchronized (this) {
            first = failure == null;
            if (first) {
                failure = refused;
            }
        }
        if (first) {
            onFailure.accept(refused);
        }
    }

    /**
     * A stage that completes once every letter handed over before this call is stored, or fails (with the
     * {@link DeadLetterException}, possibly wrapped in a {@link CompletionException}) once one of them could not
     * be: then no commit may pass it.
     */
    public synchronized CompletionStage<Void> barrier() {
        DeadLetterException failed = failure;
        if (failed != null) {
            return CompletableFuture.failedFuture(failed);
        }
        return all.minimalCompletionStage();
    }

    /**
     * Waits for {@link #barrier()}.
     *
     * @throws DeadLetterException if a letter handed over before this call could not be stored
     */
    public void awaitStored() {
        try {
            barrier().toCompletableFuture().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof DeadLetterException d ? d
                    : new DeadLetterException("a dead letter could not be stored", e.getCause());
        }
    }
}
