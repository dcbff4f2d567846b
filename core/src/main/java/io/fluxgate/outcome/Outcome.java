package io.fluxgate.outcome;

import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

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

    /**
     * A successful outcome for {@code input}.
     *
     * @param <T>   the input type
     * @param <R>   the result type
     * @param input the processed element
     * @param value its result, not null (Reactor forbids null elements, and a success must have one to emit)
     * @return a {@link Success}
     * @throws NullPointerException if {@code value} is null
     */
    static <T, R> Outcome<T, R> success(T input, R value) {
        return new Success<>(input, value);
    }

    /**
     * A failed outcome for {@code input}.
     *
     * @param <T>   the input type
     * @param <R>   the result type the processing would have produced
     * @param input the element whose processing failed, kept so that it can be dead-lettered
     * @param cause why it failed, not null
     * @return a {@link Failure}
     * @throws NullPointerException if {@code cause} is null
     */
    static <T, R> Outcome<T, R> failure(T input, Throwable cause) {
        return new Failure<>(input, cause);
    }

    /**
     * The element that was processed, on success and failure alike.
     *
     * @return the input element
     */
    T input();

    /**
     * Whether this is a {@link Success}.
     *
     * @return {@code true} for a {@link Success}, {@code false} for a {@link Failure}
     */
    boolean isSuccess();

    /**
     * Whether this is a {@link Failure}.
     *
     * @return {@code true} for a {@link Failure}, {@code false} for a {@link Success}
     */
    default boolean isFailure() {
        return !isSuccess();
    }

    /**
     * Applies one of the two functions, depending on the kind of outcome: the exhaustive alternative to
     * {@code instanceof} checks.
     *
     * @param <X>       the result type
     * @param onSuccess applied to a {@link Success}
     * @param onFailure applied to a {@link Failure}
     * @return what the applied function returned; an exception it throws propagates
     */
    <X> X fold(Function<? super Success<T, R>, ? extends X> onSuccess,
               Function<? super Failure<T, R>, ? extends X> onFailure);

    /**
     * Maps a success's value, keeping the input; a failure passes unchanged. An exception from {@code mapper}
     * turns the outcome into a failure, so a chain of maps never throws.
     *
     * @param <V>    the new result type
     * @param mapper applied to a success's value; must not return null (a null result becomes a failure with a
     *               {@link NullPointerException})
     * @return the mapped success, or this failure retyped
     */
    <V> Outcome<T, V> map(Function<? super R, ? extends @Nullable V> mapper);

    /**
     * A successful outcome.
     *
     * @param input the processed element
     * @param value the result, never null (Reactor forbids null elements)
     * @param <T>   the input type
     * @param <R>   the result type
     */
    record Success<T, R>(T input, R value) implements Outcome<T, R> {
        /**
         * Checks that there is a value.
         *
         * @param input the processed element
         * @param value the result
         *
         * @throws NullPointerException if {@code value} is null
         */
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
        public <V> Outcome<T, V> map(Function<? super R, ? extends @Nullable V> mapper) {
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
     * @param <T>   the input type
     * @param <R>   the result type the processing would have produced
     */
    record Failure<T, R>(T input, Throwable cause) implements Outcome<T, R> {
        /**
         * Checks that there is a cause.
         *
         * @param input the element whose processing failed
         * @param cause why it failed
         *
         * @throws NullPointerException if {@code cause} is null
         */
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
        public <V> Outcome<T, V> map(Function<? super R, ? extends @Nullable V> mapper) {
            return (Outcome<T, V>) this;
        }
    }
}
