package io.fluxgate.jdbc;

import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;

/**
 * The binary {@code numeric} encoder ({@link PgType#NUMERIC}) and the one it replaced, which went through
 * {@code BigInteger.toString()} and parsed every base-10000 group back from the text. The old one is the reference
 * model of {@code NumericEncodingPropertiesTest} and the baseline of the benchmarks module's
 * {@code NumericEncodeBenchmark}; it is kept verbatim (apart from its constants).
 */
public final class NumericEncoders {

    private NumericEncoders() {
    }

    /** {@code PgType.NUMERIC.write}: the length word, then the value. */
    public static void write(ByteBuf out, BigDecimal v) {
        PgType.NUMERIC.write(out, v);
    }

    /** The previous, string-based encoder, byte for byte. */
    public static void writeViaStrings(ByteBuf out, BigDecimal v) {
        int dscale = Math.max(v.scale(), 0);
        if (v.signum() == 0) {
            out.writeInt(8);
            out.writeShort(0);
            out.writeShort(0);
            out.writeShort(0x0000);
            out.writeShort(dscale);
            return;
        }
        // base-10000 digits: pad the fraction to a multiple of 4 decimal digits, then cut groups of 4
        String digits = v.unscaledValue().abs().toString();
        int scale = v.scale();
        StringBuilder sb = new StringBuilder(digits);
        if (scale < 0) {
            sb.append("0".repeat(-scale));
            scale = 0;
        }
        int pad = (4 - scale % 4) % 4;
        sb.append("0".repeat(pad));
        int fracGroups = (scale + pad) / 4;
        int lead = (4 - sb.length() % 4) % 4;
        sb.insert(0, "0".repeat(lead));
        int groups = sb.length() / 4;
        short[] g = new short[groups];
        for (int i = 0; i < groups; i++) {
            g[i] = Short.parseShort(sb.substring(i * 4, i * 4 + 4));
        }
        int first = 0;
        while (first < groups && g[first] == 0) {
            first++;
        }
        int last = groups - 1;
        while (last > first && g[last] == 0) {
            last--;
        }
        int ndigits = last - first + 1;
        int weight = groups - fracGroups - 1 - first;
        out.writeInt(8 + 2 * ndigits);
        out.writeShort(ndigits);
        out.writeShort(weight);
        out.writeShort(v.signum() < 0 ? 0x4000 : 0x0000);
        out.writeShort(dscale);
        for (int i = first; i <= last; i++) {
            out.writeShort(g[i]);
        }
    }
}
