package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.fluxgate.kafka.SendResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Hands the frames of each request to one long-lived Kafka sink, so that all requests share one producer instead of
 * starting one each ({@code KafkaSink} opens a producer per subscription).
 *
 * <p>A request's frames travel as one {@link Batch} through a bounded queue; its {@link #publish} completes when the
 * broker has acknowledged every frame of it. When the sink fails (its producer could not write a record), every
 * request still waiting at that moment fails with {@link PublishFailedException} (some of its frames may have been
 * written: at-least-once, a client that retries may write them twice), and the sink is started again with a new
 * producer after a back-off. A request cancelled or timed out before its frames were handed to the producer is
 * skipped: its frames are not written.
 */
final class FramePublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FramePublisher.class);

    /** One frame on its way to Kafka, with the request it belongs to. */
    record Outgoing(NdjsonBody.Line line, Batch batch) {
    }

    /** The frames of one request and the completion the request waits on. */
    static final class Batch {
        private final List<Outgoing> frames;
        private final AtomicInteger unacknowledged;
        final CompletableFuture<Integer> done = new CompletableFuture<>();

        Batch(List<NdjsonBody.Line> lines) {
            this.frames = lines.stream().map(l -> new Outgoing(l, this)).toList();
            this.unacknowledged = new AtomicInteger(lines.size());
        }

        void acknowledged() {
            if (unacknowledged.decrementAndGet() == 0) {
                done.complete(frames.size());
            }
        }

        /** Completed, failed or cancelled: frames not yet handed to the producer are skipped. */
        boolean isDone() {
            return done.isDone();
        }
    }

    /** The queue of requests waiting for the producer is full. */
    static final class OverloadedException extends RuntimeException {
        OverloadedException(int capacity) {
            super("too many requests waiting for Kafka (fluxgate.events.queue-capacity=" + capacity + ")");
        }
    }

    /** The producer failed while this request was waiting. */
    static final class PublishFailedException extends RuntimeException {
        PublishFailedException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final Sinks.Many<Batch> queue;
    private final int capacity;
    private final Set<Batch> waiting = ConcurrentHashMap.newKeySet();
    private final Disposable pipeline;

    /**
     * @param sink     the Kafka sink (one producer per subscription), possibly wrapped with metrics
     * @param capacity requests queued before {@link #publish} refuses with {@link OverloadedException}
     */
    FramePublisher(Function<Flux<Outgoing>, Flux<SendResult<Outgoing>>> sink, int capacity) {
        this.capacity = capacity;
        // no auto-cancel: the queue outlives a failed sink and feeds the restarted one
        this.queue = Sinks.many().multicast().onBackpressureBuffer(capacity, false);
        this.pipeline = queue.asFlux()
                .concatMapIterable(b -> b.frames)
                .filter(o -> !o.batch().isDone())
                .transform(sink)
                .doOnNext(r -> r.element().batch().acknowledged())
                .doOnError(this::failWaiting)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                        .maxBackoff(Duration.ofSeconds(5))
                        .transientErrors(true)
                        .doBeforeRetry(s -> log.warn("Kafka sink failed, restarting it: {}", s.failure().toString())))
                .subscribe(r -> { }, e -> log.error("Kafka sink stopped", e));
    }

    /**
     * Writes the lines to Kafka.
     *
     * @return the number of frames written, once the broker acknowledged all of them; errors with
     * {@link OverloadedException} or {@link PublishFailedException}; cancelling it skips the frames not yet handed
     * to the producer
     */
    Mono<Integer> publish(List<NdjsonBody.Line> lines) {
        return Mono.defer(() -> {
            if (lines.isEmpty()) {
                return Mono.just(0);
            }
            Batch batch = new Batch(lines);
            waiting.add(batch);
            batch.done.whenComplete((n, e) -> waiting.remove(batch));
            Sinks.EmitResult emitted;
            synchronized (queue) {
                // request threads emit concurrently; a sink takes one emitter at a time
                emitted = queue.tryEmitNext(batch);
            }
            if (emitted.isFailure()) {
                batch.done.completeExceptionally(emitted == Sinks.EmitResult.FAIL_OVERFLOW
                        ? new OverloadedException(capacity)
                        : new IllegalStateException("the publisher is closed (" + emitted + ")"));
            }
            return Mono.fromFuture(batch.done);
        });
    }

    private void failWaiting(Throwable error) {
        for (Batch b : waiting) {
            b.done.completeExceptionally(new PublishFailedException(error));
        }
    }

    @Override
    public void close() {
        pipeline.dispose();
        synchronized (queue) {
            queue.tryEmitComplete();
        }
        failWaiting(new IllegalStateException("the dashboard is shutting down"));
    }
}
