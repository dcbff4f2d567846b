package io.fluxgate.internal;

import java.util.Objects;
import java.util.function.Function;

/**
 * A built transformer that prints as its operator and settings ({@code ErrorBudget[name=x, maxFailureRate=0.05]})
 * instead of a lambda's class name, so logs, debuggers and assertion messages say what a stage is. Internal.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
public final class Described<I, O> implements Function<I, O> {

    private final String description;
    private final Function<I, O> delegate;

    private Described(String description, Function<I, O> delegate) {
        this.description = description;
        this.delegate = delegate;
    }

    /**
     * @param operator the operator's simple name, e.g. {@code ErrorBudget}
     * @param settings alternating setting names and values, e.g. {@code "name", "x", "window", 100}
     * @param delegate the transformer
     * @param <I> the input type
     * @param <O> the output type
     * @return {@code delegate}, printing as {@code operator[name=value, ...]}
     */
    public static <I, O> Function<I, O> of(String operator, Function<I, O> delegate, Object... settings) {
        return new Described<>(describe(operator, settings), Objects.requireNonNull(delegate, "delegate"));
    }

    /**
     * @param described prints the description to keep
     * @param delegate  the transformer
     * @param <I> the input type
     * @param <O> the output type
     * @return {@code delegate}, printing as {@code described} does
     */
    public static <I, O> Function<I, O> like(Object described, Function<I, O> delegate) {
        return new Described<>(described.toString(), Objects.requireNonNull(delegate, "delegate"));
    }

    /**
     * @param operator the operator's simple name
     * @param settings alternating setting names and values
     * @return {@code operator[name=value, ...]}
     */
    public static String describe(String operator, Object... settings) {
        StringBuilder b = new StringBuilder(operator).append('[');
        for (int i = 0; i + 1 < settings.length; i += 2) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(settings[i]).append('=').append(settings[i + 1]);
        }
        return b.append(']').toString();
    }

    @Override
    public O apply(I input) {
        return delegate.apply(input);
    }

    @Override
    public String toString() {
        return description;
    }
}
