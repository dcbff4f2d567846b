package io.fluxgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RejectedRecordTest {

    @Test
    void aBufferValueIsCopiedAsItsRemainingBytesAndLeftWhereItWas() {
        ByteBuffer batch = ByteBuffer.wrap("..bad value..".getBytes(StandardCharsets.UTF_8));
        ByteBuffer value = batch.position(2).slice().limit(9);
        KafkaRecord<String, ByteBuffer> r = new KafkaRecord<>("t", 3, 42L, 1000L, "k", value, offset -> { });

        RejectedRecord rejected = RejectedRecord.ofBuffer(r);

        assertThat(new String(rejected.value(), StandardCharsets.UTF_8)).isEqualTo("bad value");
        assertThat(rejected.key()).isNull();
        assertThat(rejected).hasToString("t-3@42");
        assertThat(rejected.timestamp()).isEqualTo(1000L);
        assertThat(value.position()).isZero();
        assertThat(value.remaining()).isEqualTo(9);
    }

    @Test
    void aTombstoneHasNoValue() {
        KafkaRecord<String, ByteBuffer> r = new KafkaRecord<>("t", 0, 1L, 0L, null, null, offset -> { });
        assertThat(RejectedRecord.ofBuffer(r).value()).isNull();
    }
}
