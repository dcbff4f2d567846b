package io.fluxgate.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every setter rejects a bad value at once, naming it. */
class UniqueUsersArgumentsTest {

    private static UniqueUsers.Builder<Ev> ok() {
        return UniqueUsers.<Ev>perWindow(Duration.ofMinutes(1)).userId(Ev::uid).eventTimeSeconds(Ev::ts);
    }

    @Test
    void badWindowSizes() {
        assertThatThrownBy(() -> UniqueUsers.perWindow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> UniqueUsers.perWindow(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-5S");
        assertThatThrownBy(() -> ok().alsoWindow(Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1M");
        assertThatThrownBy(() -> UniqueUsers.perWindow(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void sizesAndLatenessMustBeWholeMultiplesOfTheUnit() {
        assertThatThrownBy(() -> ok().alsoWindow(Duration.ofMillis(1500)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1.5S").hasMessageContaining("seconds");
        assertThatThrownBy(() -> ok().allowedLateness(Duration.ofMillis(10)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.01S");
        assertThatThrownBy(() -> ok().lateRecords(LatePolicy.update(Duration.ofMillis(1))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.001S");
        assertThatThrownBy(() -> ok().eventTimeMillis(Ev::ts).alsoWindow(Duration.ofNanos(1_500_000)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.0015S").hasMessageContaining("milli");
        assertThatThrownBy(() -> ok().eventTimeMillis(Ev::ts).alsoWindow(Duration.ofSeconds(Long.MAX_VALUE)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
        assertThat(ok().eventTimeMillis(Ev::ts).alsoWindow(Duration.ofMillis(1500)).build()).isNotNull();
    }

    @Test
    void badScalars() {
        assertThatThrownBy(() -> ok().allowedLateness(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> ok().idleFlush(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> ok().maxFutureSkew(Duration.ofSeconds(-2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-2S");
        assertThatThrownBy(() -> ok().partitionIdleTimeout(Duration.ofSeconds(-3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-3S");
        assertThatThrownBy(() -> ok().approximate(3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
        assertThatThrownBy(() -> ok().approximate(22))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("22");
        assertThatThrownBy(() -> ok().prefetch(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> ok().name(" ").meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' '");
        assertThatThrownBy(() -> LatePolicy.update(Duration.ofSeconds(-4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-4S");
        assertThatThrownBy(() -> LatePolicy.sideOutput(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> UniqueSketch.fromByteArray(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 bytes");
    }

    @Test
    void missingUserIdOrEventTime() {
        assertThatThrownBy(() -> UniqueUsers.<Ev>perWindow(Duration.ofMinutes(1)).eventTimeSeconds(Ev::ts).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId");
        assertThatThrownBy(() -> UniqueUsers.<Ev>perWindow(Duration.ofMinutes(1)).userId(Ev::uid).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventTime");
    }

    @Test
    void defaults() {
        assertThat(UniqueUsers.DEFAULT_ALLOWED_LATENESS).isEqualTo(Duration.ZERO);
        assertThat(UniqueUsers.DEFAULT_PREFETCH).isEqualTo(256);
        assertThat(UniqueUsers.DEFAULT_LG_K).isEqualTo(12);
        assertThat(LatePolicy.drop().kind()).isEqualTo(LatePolicy.Kind.DROP);
        assertThat(ok().build().toString()).contains("exact").contains("DROP");
    }
}
