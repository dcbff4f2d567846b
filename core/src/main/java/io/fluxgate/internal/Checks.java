package io.fluxgate.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by every builder in core and in the connector modules, so a bad value is reported the
 * same way everywhere: {@code "<setting> must be ..., was <value>"} (strings quoted: {@code was ' '}). A null
 * required value is a {@link NullPointerException} naming the setting. Internal: not part of the API, may change
 * without notice; the connectors use it because they are built and released with core, at the same version.
 */
public final class Checks {

    private Checks() {
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

    /**
     * @return {@code value}
     * @throws IllegalArgumentException unless {@code min <= value <= max}
     */
    public static int inRange(String setting, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting + " must be in " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException unless {@code 0 <= value <= 1} (NaN included)
     */
    public static double fraction(String setting, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(setting + " must be in [0, 1], was " + value);
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException unless {@code 0 < value < 1} (NaN included)
     */
    public static double openFraction(String setting, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(setting + " must be in (0, 1), was " + value);
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws NullPointerException     if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is zero or negative
     */
    public static Duration requirePositive(String setting, Duration value) {
        Objects.requireNonNull(value, setting);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(setting + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws NullPointerException     if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static Duration requireNonNegative(String setting, Duration value) {
        Objects.requireNonNull(value, setting);
        if (value.isNegative()) {
            throw new IllegalArgumentException(setting + " must not be negative, was " + value);
        }
        return value;
    }
}
