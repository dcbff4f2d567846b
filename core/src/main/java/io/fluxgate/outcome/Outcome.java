package io.fluxgate.outcome;

import java.util.Objects;
import java.util.function.Function;

/**
 * The result of processing one input element as a value: either a {@link Success} carrying the result, or a
 * {@link Failure} carrying the input and the cause. Failures flow downstream like any element, so one bad record
 * does not terminate the pipeline; at the end they go to a {@link DeadLetterSink} and an {@link ErrorBudget}
 * decides when too many failures mean the run should stop.
 *
 * @param <T> the input type
 * @param <R> the result type
 */
public sealed interface Outcome<T, R> permits Outcome.Success, Outcome.Failure {

    /** A successful outcome for {@code input}. */
    static <T, R> Outcome<T, R> success(T input, R value) {
        return new Success<>(input, value);
    }

    /** A failed outcome for {@code input}. */
    static <T, R> Outcome<T, R> failure(T input, Throwable cause) {
        return new Failure<>(input, cause);
    }

    /** The element that was processed. */
    T input();

    /** {@code true} for a {@link Success}. */
    boolean isSuccess();

    /** {@code true} for a {@link Failure}. */
    default boolean isFailure() {
        return !isSuccess();
    }

    /** Applies one of the two functions, depending on the kind of outcome. */
    <X> X fold(Function<? super Success<T, R>, ? extends X> onSuccess,
               Function<? super Failure<T, R>, ? extends X> onFailure);

    /**
     * Maps a success's value, keeping the input; a failure passes unchanged. An exception from {@code mapper}
     * turns the outcome into a failure, so a chain of maps never throws.
     */
    <V> Outcome<T, V> map(Function<? super R, ? extends V> mapper);

    /**
     * A successful outcome.
     *
     * @param input the processed element
     * @param value the result, never null (Reactor forbids null elements)
     */
    record Success<T, R>(T input, R value) implements Outcome<T, R> {
        public Success {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean isSuccess() {
            return true;
        }

        @Override
        public <X> X fold(Function<? super Success<T, R>, ? extends X> onSuccess,
                          Function<? super Failure<T, R>, ? extends X> onFailure) {
            return onSuccess.apply(this);
        }

        @Override
        public <V> Outcome<T, V> map(Function<? super R, ? extends V> mapper) {
            try {
                return new Success<>(input, mapper.apply(value));
            } catch (RuntimeException e) {
                return new Failure<>(input, e);
            }
        }
    }

    /**
     * A failed outcome.
     *
     * @param input the element whose processing failed
     * @param cause why it failed
     */
    record Failure<T, R>(T input, Throwable cause) implements Outcome<T, R> {
        public Failure {
            Objects.requireNonNull(cause, "cause");
        }

        @Override
        public boolean isSuccess() {
            return false;
        }

        @Override
        public <X> X fold(Function<? super Success<T, R>, ? extends X> onSuccess,
                          Function<? super Failure<T, R>, ? extends X> onFailure) {
            return onFailure.apply(this);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> Outcome<T, V> map(Function<? super R, ? extends V> mapper) {
            return (Outcome<T, V>) this;
        }
    }
}
