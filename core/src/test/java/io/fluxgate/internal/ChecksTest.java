package io.fluxgate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void numbersAndStringsNameTheBadValue() {
        assertThatThrownBy(() -> Checks.notBlank("name", "  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank, was '  '");
        assertThatThrownBy(() -> Checks.atLeast("n", 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be >= 1, was 0");
        assertThatThrownBy(() -> Checks.atLeast("n", -5L, 0L))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be >= 0, was -5");
        assertThatThrownBy(() -> Checks.notBlank("name", null)).isInstanceOf(NullPointerException.class);
        assertThat(Checks.atLeast("n", 3, 1)).isEqualTo(3);
        assertThat(Checks.inRange("port", 1, 1, 65535)).isEqualTo(1);
        assertThat(Checks.inRange("port", 65535, 1, 65535)).isEqualTo(65535);
        assertThatThrownBy(() -> Checks.inRange("port", 0, 1, 65535))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be in 1..65535, was 0");
        assertThatThrownBy(() -> Checks.inRange("port", 65536, 1, 65535)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fractionsNameTheBadValue() {
        assertThat(Checks.fraction("u", 0.0)).isEqualTo(0.0);
        assertThat(Checks.fraction("u", 1.0)).isEqualTo(1.0);
        assertThatThrownBy(() -> Checks.fraction("u", 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("u must be in [0, 1], was 1.5");
        assertThatThrownBy(() -> Checks.fraction("u", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Checks.openFraction("r", 0.5)).isEqualTo(0.5);
        assertThatThrownBy(() -> Checks.openFraction("r", 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("r must be in (0, 1), was 1.0");
        assertThatThrownBy(() -> Checks.openFraction("r", 0.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durationsNameTheBadValue() {
        assertThat(Checks.requirePositive("d", Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThatThrownBy(() -> Checks.requirePositive("d", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("d must be positive, was PT0S");
        assertThatThrownBy(() -> Checks.requirePositive("d", null)).isInstanceOf(NullPointerException.class).hasMessage("d");
        assertThat(Checks.requireNonNegative("d", Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Checks.requireNonNegative("d", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("d must not be negative, was PT-1S");
    }
}
