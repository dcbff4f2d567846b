package io.fluxgate.jdbc;

import io.fluxgate.jdbc.internal.CopyColumn;
import io.netty.buffer.ByteBuf;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Columns whose getter returns a Java primitive: the value goes from the getter into the buffer without a box
 * (a {@code Function} getter of a {@code long} allocates a {@code Long} per row beyond the small-value cache).
 * Never SQL NULL; every value of the primitive type can be stored, so there is nothing to check.
 */
final class PrimitiveColumns {

    private PrimitiveColumns() {
    }

    private abstract static class Named<T> implements CopyColumn<T> {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** {@code int8} from a {@code long}. */
    static final class Int8<T> extends Named<T> {
        private final ToLongFunction<? super T> getter;

        Int8(String name, ToLongFunction<? super T> getter) {
            super(name);
            this.getter = getter;
        }

        @Override
        public void write(ByteBuf out, T row) {
            long v = getter.applyAsLong(row);
            out.writeInt(8);
            out.writeLong(v);
        }
    }

    /** {@code int4} from an {@code int}. */
    static final class Int4<T> extends Named<T> {
        private final ToIntFunction<? super T> getter;

        Int4(String name, ToIntFunction<? super T> getter) {
            super(name);
            this.getter = getter;
        }

        @Override
        public void write(ByteBuf out, T row) {
            int v = getter.applyAsInt(row);
            out.writeInt(4);
            out.writeInt(v);
        }
    }

    /** {@code float8} from a {@code double}; NaN and infinities are stored as such. */
    static final class Float8<T> extends Named<T> {
        private final ToDoubleFunction<? super T> getter;

        Float8(String name, ToDoubleFunction<? super T> getter) {
            super(name);
            this.getter = getter;
        }

        @Override
        public void write(ByteBuf out, T row) {
            double v = getter.applyAsDouble(row);
            out.writeInt(8);
            out.writeLong(Double.doubleToLongBits(v)); // as PgType.FLOAT8: one NaN
        }
    }
}
