package io.fluxgate.outcome;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Function;

import io.fluxgate.flow.TransformerTck;
import reactor.core.publisher.Flux;

/**
 * The dead-letter operator as a publisher with an asynchronous sink: every letter is stored on another thread, so
 * every failure goes through the queued mode and the elements after it are emitted from that thread.
 */
public class DeadLetterAsyncTckTest extends TransformerTck<Long> {

    // three threads: several letters in flight complete concurrently and out of order
    private static final Executor STORE_THREAD = Executors.newFixedThreadPool(3, r -> {
        Thread t = new Thread(r, "tck-dead-letter-store");
        t.setDaemon(true);
        return t;
    });

    @Override
    protected Function<Flux<Long>, Flux<Long>> transformer() {
        DeadLetterSink<Long> sink = new DeadLetterSink<>() {
            @Override
            public void accept(DeadLetter<? extends Long> letter) {
                throw new AssertionError("blocking accept called");
            }

            @Override
            public CompletionStage<Void> acceptAsync(DeadLetter<? extends Long> letter) {
                return CompletableFuture.runAsync(() -> { }, STORE_THREAD);
            }

            @Override
            public long count() {
                return 0;
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        return source -> DeadLetterTckTest.failureThenSuccess(source).transform(Outcomes.deadLetter(sink, "tck"));
    }
}
