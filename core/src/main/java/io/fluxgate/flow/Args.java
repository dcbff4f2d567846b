package io.fluxgate.flow;

import java.util.Objects;

/**
 * Argument checks shared by the builders of the flow-control packages (progress, outcome, ratelimit, retry,
 * timeout, dedupe, valve, metrics, debounce, route, loader, workers), so every bad value is reported the same way:
 * {@code "<setting> must be ..., was <value>"}. Duration checks live in {@code io.fluxgate.control.Durations}.
 */
public final class Args {

    private Args() {
    }

    /**
     * @return {@code value}
     * @throws NullPointerException     if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public static String notBlank(String setting, String value) {
        Objects.requireNonNull(value, setting);
        if (value.isBlank()) {
            throw new IllegalArgumentException(setting + " must not be blank, was '" + value + "'");
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value < min}
     */
    public static int atLeast(String setting, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(setting + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value < min}
     */
    public static long atLeast(String setting, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(setting + " must be >= " + min + ", was " + value);
        }
        return value;
    }
}
