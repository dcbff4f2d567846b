package io.fluxgate.jdbc;

import io.fluxgate.jdbc.internal.CopyColumn;
import io.netty.buffer.ByteBuf;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** A column of the DSL: name, type and getter; bridges {@link PgType}'s package-private codec to the encoder. */
final class TypedColumn<T, V> implements CopyColumn<T> {

    private final String name;
    private final PgType<V> type;
    private final Function<? super T, ? extends @Nullable V> getter;

    TypedColumn(String name, PgType<V> type, Function<? super T, ? extends @Nullable V> getter) {
        this.name = name;
        this.type = type;
        this.getter = getter;
    }

    @Override
    public String name() {
        return name;
    }

    PgType<V> type() {
        return type;
    }

    @Override
    public void write(ByteBuf out, T row) {
        V v = getter.apply(row);
        if (v == null) {
            out.writeInt(-1);
        } else {
            type.checkAndWrite(out, v);
        }
    }
}
