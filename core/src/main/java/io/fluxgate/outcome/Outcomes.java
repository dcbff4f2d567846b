package io.fluxgate.outcome;

import java.time.Clock;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fluxgate.internal.Checks;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Operators that turn per-element failures into values ({@link Outcome}) and route them to a dead-letter sink,
 * so that one bad element does not kill a pipeline and no failed element is lost.
 *
 * <pre>{@code
 * rows.transform(Outcomes.tryMap(Row::parse))            // Flux<Outcome<Row, Event>>
 *     .transform(ErrorBudget.builder().maxConsecutiveFailures(50).build())
 *     .transform(Outcomes.deadLetter(sink, "parse"))     // Flux<Event>, failures written to the sink
 * }</pre>
 */
public final class Outcomes {

    private Outcomes() {
    }

    /**
     * Maps each element, capturing any exception the mapper throws as a {@link Outcome.Failure} (with the input)
     * instead of terminating the stream. JVM-fatal errors ({@link VirtualMachineError}, ...) still propagate. A
     * {@code null} result becomes a failure with a {@link NullPointerException}.
     *
     * <p>One outcome per input, in order; demand and cancellation pass through unchanged.
     *
     * @throws NullPointerException if {@code mapper} is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMap(Function<? super T, ? extends R> mapper) {
        return tryMap(mapper, e -> true);
    }

    /**
     * As {@link #tryMap(Function)}, but only exceptions matching {@code recoverable} become failures; any other
     * exception terminates the stream as {@code map} would (use it for errors that mean "the run is broken", not
     * "this element is bad").
     *
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMap(Function<? super T, ? extends R> mapper,
                                                                       Predicate<? super Throwable> recoverable) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(recoverable, "recoverable");
        return source -> source.map(input -> {
            try {
                R value = mapper.apply(input);
                if (value == null) {
                    return Outcome.failure(input, new NullPointerException("mapper returned null for " + input));
                }
                return Outcome.success(input, value);
            } catch (Throwable e) {
                Exceptions.throwIfJvmFatal(e);
                if (!recoverable.test(e)) {
                    throw Exceptions.propagate(e);
                }
                return Outcome.failure(input, e);
            }
        });
    }

    /**
     * Asynchronous {@link #tryMap(Function)}: calls {@code mapper} for one element at a time (the next element is
     * requested only after the previous call finished) and takes the first value of the returned publisher.
     * An error signal, or an exception thrown by the mapper itself, becomes a failure; an empty publisher
     * becomes a failure with a {@link NoSuchElementException}. Cancelling cancels the call in flight.
     *
     * @throws NullPointerException if {@code mapper} is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMapAsync(
            Function<? super T, ? extends Publisher<? extends R>> mapper) {
        return tryMapAsync(mapper, 1);
    }

    /**
     * As {@link #tryMapAsync(Function)} with up to {@code concurrency} calls in flight; outcomes are still emitted
     * in input order ({@code flatMapSequential}), so a slow element holds back faster ones behind it.
     *
     * @throws IllegalArgumentException if {@code concurrency < 1}
     * @throws NullPointerException     if {@code mapper} is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<T, R>>> tryMapAsync(
            Function<? super T, ? extends Publisher<? extends R>> mapper, int concurrency) {
        Objects.requireNonNull(mapper, "mapper");
        Checks.atLeast("concurrency", concurrency, 1);
        Function<T, Mono<Outcome<T, R>>> call = input -> Mono.<R>defer(() -> Mono.from(mapper.apply(input)))
                .map(value -> Outcome.<T, R>success(input, value))
                .switchIfEmpty(Mono.fromSupplier(() -> Outcome.failure(input,
                        new NoSuchElementException("mapper returned an empty publisher for " + input))))
                .onErrorResume(e -> !Exceptions.isJvmFatal(e), e -> Mono.just(Outcome.failure(input, e)));
        if (concurrency == 1) {
            return source -> source.concatMap(call, 0);
        }
        return source -> source.flatMapSequential(call, concurrency, 1);
    }

    /**
     * Writes every failure to {@code sink} (stamped with the system UTC clock and {@code stage}) and emits the
     * values of the successes. A failure is consumed, not emitted, and its demand is replenished from upstream,
     * so the downstream sees only good values. If the sink throws, the stream fails with that exception: a
     * dead letter is never dropped.
     *
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Function<Flux<Outcome<T, R>>, Flux<R>> deadLetter(DeadLetterSink<? super T> sink,
                                                                        String stage) {
        return deadLetter(sink, stage, Clock.systemUTC());
    }

    /**
     * As {@link #deadLetter(DeadLetterSink, String)} with the timestamps taken from {@code clock}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Function<Flux<Outcome<T, R>>, Flux<R>> deadLetter(DeadLetterSink<? super T> sink,
                                                                        String stage, Clock clock) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(clock, "clock");
        return source -> source.handle((outcome, out) -> {
            if (outcome instanceof Outcome.Success<T, R> success) {
                out.next(success.value());
            } else {
                Outcome.Failure<T, R> failure = (Outcome.Failure<T, R>) outcome;
                sink.accept(new DeadLetter<>(failure.input(), failure.cause(), clock.instant(), stage));
            }
        });
    }
}
