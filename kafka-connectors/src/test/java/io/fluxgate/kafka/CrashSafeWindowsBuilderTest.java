package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.fluxgate.window.UniqueUsers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class CrashSafeWindowsBuilderTest {

    private static CrashSafeWindows.Builder<String, String, String> builder() {
        KafkaSourceOptions<String, String> source = KafkaSourceOptions.builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers("127.0.0.1:9").topics("in").groupId("g").build();
        return CrashSafeWindows.builder(source, KafkaRecord::value, CrashSafeWindows.tracking(() ->
                UniqueUsers.<KafkaRecord<String, String>>perWindow(Duration.ofMinutes(1))
                        .userId(KafkaRecord::value).eventTimeSeconds(r -> 0)));
    }

    @Test
    void settersNameTheBadValueInCoresFormat() {
        assertThatThrownBy(() -> builder().parseParallelism(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parseParallelism must be in 1..256, was 0");
        assertThatThrownBy(() -> builder().parseParallelism(257))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parseParallelism must be in 1..256, was 257");
        assertThatThrownBy(() -> builder().commitInterval(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("commitInterval must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> builder().commitInterval(null))
                .isInstanceOf(NullPointerException.class).hasMessage("commitInterval");
        assertThatThrownBy(() -> builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessage("a sink is required");
    }
}
