package io.fluxgate.jdbc.internal;

import io.netty.buffer.ByteBuf;

/** One column of a sink, erased to Object so the encoder loops over columns without generics. */
public interface CopyColumn<T> {

    String name();

    /** The column's value for {@code row}; may throw (the mapper's exception rejects the row). */
    Object get(T row);

    /** @throws IllegalArgumentException if the non-null value cannot be stored */
    void check(Object value);

    /** Writes the non-null, checked value as a length-prefixed field. */
    void write(ByteBuf out, Object value);
}
