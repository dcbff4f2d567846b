package io.fluxgate.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CheckpointCodecTest {

    @Test
    void roundTrip() {
        Map<Duration, Long> upTo = new LinkedHashMap<>();
        upTo.put(Duration.ofMinutes(1), 1_700_000_100L);
        upTo.put(Duration.ofHours(1), -3_600L);
        String m = CheckpointCodec.encode(1_700_000_123L, upTo);
        assertThat(m).isEqualTo("fg1;1700000123;PT1M=1700000100,PT1H=-3600");
        assertThat(CheckpointCodec.decode(m)).isEqualTo(new CheckpointCodec.State(1_700_000_123L, upTo));
    }

    @Test
    void noneValuesRoundTrip() {
        String m = CheckpointCodec.encode(Long.MIN_VALUE, Map.of());
        assertThat(m).isEqualTo("fg1;;");
        assertThat(CheckpointCodec.decode(m)).isEqualTo(new CheckpointCodec.State(Long.MIN_VALUE, Map.of()));
    }

    @Test
    void foreignOrBrokenMetadataIsNoState() {
        assertThat(CheckpointCodec.decode(null)).isNull();
        assertThat(CheckpointCodec.decode("")).isNull();
        assertThat(CheckpointCodec.decode("written by another tool")).isNull();
        assertThat(CheckpointCodec.decode("fg1;x;")).isNull();
        assertThat(CheckpointCodec.decode("fg1;1;PT1M")).isNull();
        assertThat(CheckpointCodec.decode("fg1;1;XX=3")).isNull();
        assertThat(CheckpointCodec.decode("fg1;1")).isNull();
    }
}
