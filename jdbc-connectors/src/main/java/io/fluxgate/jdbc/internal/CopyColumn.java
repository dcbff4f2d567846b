package io.fluxgate.jdbc.internal;

import io.netty.buffer.ByteBuf;

/**
 * One column of a sink: reads its value from a row, checks it and writes it as one length-prefixed field, in one
 * call, so a primitive getter's value never needs a box and the encoder makes one call per field.
 */
public interface CopyColumn<T> {

    String name();

    /**
     * Writes the field of {@code row} (-1 for SQL NULL). Throws when the getter throws or the value cannot be stored
     * (the encoder then cuts the row out of the bytes and rejects it); what it wrote by then is discarded.
     */
    void write(ByteBuf out, T row);
}
