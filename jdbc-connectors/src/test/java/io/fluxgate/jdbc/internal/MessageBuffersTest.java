package io.fluxgate.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class MessageBuffersTest {

    @Test
    void aReleasedBuffersArrayIsReusedEmptyAndAStillReferencedOneIsNot() {
        MessageBuffers buffers = new MessageBuffers(64, 4);
        ByteBuf first = buffers.take();
        assertThat(first.readableBytes()).isZero();
        assertThat(first.capacity()).isEqualTo(64);
        first.writeLong(42);
        byte[] array = first.array();
        ByteBuf view = first.retainedDuplicate(); // the driver's reference
        first.release();
        assertThat(buffers.spareCount()).isZero();
        assertThat(view.readLong()).isEqualTo(42); // still readable: not handed out again
        view.release();
        assertThat(buffers.spareCount()).isEqualTo(1);

        ByteBuf second = buffers.take();
        assertThat(second.array()).isSameAs(array);
        assertThat(second.readableBytes()).isZero();
        assertThat(second.writerIndex()).isZero();
        second.release();
    }

    @Test
    void aGrownBuffersArrayIsNotKeptAndAtMostMaxRetainedArraysAre() {
        MessageBuffers buffers = new MessageBuffers(16, 2);
        ByteBuf grown = buffers.take();
        grown.writeBytes(new byte[40]); // past its capacity: a larger array, the old one comes back
        assertThat(grown.capacity()).isGreaterThanOrEqualTo(40);
        assertThat(buffers.spareCount()).isEqualTo(1);
        grown.release(); // its larger array is not one of the pool's size
        assertThat(buffers.spareCount()).isEqualTo(1);

        ByteBuf a = buffers.take();
        ByteBuf b = buffers.take();
        ByteBuf c = buffers.take();
        a.release();
        b.release();
        c.release();
        assertThat(buffers.spareCount()).isEqualTo(2);
    }
}
