package io.fluxgate.jdbc;

import io.fluxgate.jdbc.internal.JsonSyntax;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A PostgreSQL column type and how a Java value of type {@code V} is written in the binary COPY format. The column
 * DSL of {@link PostgresCopySink.Builder#column(String, PgType, java.util.function.Function)} pairs a column name, a
 * {@code PgType} and a getter.
 *
 * <p>Every type checks a value before anything is sent ({@link #check(Object)}): a value PostgreSQL would refuse
 * (text with a NUL character or broken UTF-16, a date or timestamp outside PostgreSQL's range, a numeric beyond its
 * precision, invalid JSON for jsonb, a varchar longer than its limit) rejects that one row, which is dead-lettered,
 * instead of failing the whole COPY on the server. Java {@code null} is SQL NULL for every type.
 *
 * <p>Mapping: {@code int2}/Short, {@code int4}/Integer, {@code int8}/Long, {@code float4}/Float,
 * {@code float8}/Double (NaN and infinities kept), {@code numeric}/BigDecimal, {@code bool}/Boolean,
 * {@code text}, {@code varchar}, {@code jsonb}, {@code json}/String, {@code bytea}/byte[], {@code uuid}/UUID,
 * {@code date}/LocalDate, {@code timestamp}/LocalDateTime, {@code timestamptz}/Instant or OffsetDateTime (stored as
 * the instant, as PostgreSQL does), arrays/List. {@code LocalDate.MIN/MAX}, {@code LocalDateTime.MIN/MAX},
 * {@code Instant.MIN/MAX} and {@code OffsetDateTime.MIN/MAX} map to {@code -infinity}/{@code infinity}. Times are
 * rounded to the microsecond (half up), as PostgreSQL rounds its text input.
 *
 * @param <V> the Java type of the values
 */
public abstract class PgType<V> {

    /** {@code int2} from a {@link Short}. */
    public static final PgType<Short> INT2 = new Fixed<>("int2", 21, 1005, 2) {
        @Override
        void writeValue(ByteBuf out, Short v) {
            out.writeShort(v);
        }
    };
    /** {@code int4} from an {@link Integer}. */
    public static final PgType<Integer> INT4 = new Fixed<>("int4", 23, 1007, 4) {
        @Override
        void writeValue(ByteBuf out, Integer v) {
            out.writeInt(v);
        }
    };
    /** {@code int8} from a {@link Long}. */
    public static final PgType<Long> INT8 = new Fixed<>("int8", 20, 1016, 8) {
        @Override
        void writeValue(ByteBuf out, Long v) {
            out.writeLong(v);
        }
    };
    /** {@code float4} from a {@link Float}; NaN and infinities are stored as such. */
    public static final PgType<Float> FLOAT4 = new Fixed<>("float4", 700, 1021, 4) {
        @Override
        void writeValue(ByteBuf out, Float v) {
            out.writeInt(Float.floatToIntBits(v));
        }
    };
    /** {@code float8} from a {@link Double}; NaN and infinities are stored as such. */
    public static final PgType<Double> FLOAT8 = new Fixed<>("float8", 701, 1022, 8) {
        @Override
        void writeValue(ByteBuf out, Double v) {
            out.writeLong(Double.doubleToLongBits(v));
        }
    };
    /** {@code bool} from a {@link Boolean}. */
    public static final PgType<Boolean> BOOL = new Fixed<>("bool", 16, 1000, 1) {
        @Override
        void writeValue(ByteBuf out, Boolean v) {
            out.writeByte(v ? 1 : 0);
        }
    };
    /** {@code uuid} from a {@link java.util.UUID}. */
    public static final PgType<UUID> UUID = new Fixed<>("uuid", 2950, 2951, 16) {
        @Override
        void writeValue(ByteBuf out, java.util.UUID v) {
            out.writeLong(v.getMostSignificantBits());
            out.writeLong(v.getLeastSignificantBits());
        }
    };
    /** {@code text}; rejects NUL characters and unpaired surrogates. */
    public static final PgType<String> TEXT = new Text("text", 25, 1009, -1);
    /** {@code varchar} without a length limit; see {@link #varchar(int)}. */
    public static final PgType<String> VARCHAR = new Text("varchar", 1043, 1015, -1);
    /** {@code jsonb} from JSON text; rejects what PostgreSQL's JSON parser rejects (syntax, {@code \u0000}). */
    public static final PgType<String> JSONB = new Json("jsonb", 3802, 3807);
    /** {@code json} from JSON text (stored verbatim by PostgreSQL). */
    public static final PgType<String> JSON = new Json("json", 114, 199);
    /** {@code bytea} from a byte array, stored as is. */
    public static final PgType<byte[]> BYTEA = new PgType<>("bytea", 17, 1001) {
        @Override
        void check(byte[] v) {
        }

        @Override
        void write(ByteBuf out, byte[] v) {
            out.writeInt(v.length);
            out.writeBytes(v);
        }
    };
    /** {@code numeric} of any precision PostgreSQL can hold; see {@link #numeric(int, int)}. */
    public static final PgType<BigDecimal> NUMERIC = new Numeric(-1, -1);
    /**
     * {@code date} from a {@link LocalDate}; rejects dates outside PostgreSQL's range.
     * {@code LocalDate.MIN}/{@code MAX} are stored as {@code -infinity}/{@code infinity}.
     */
    public static final PgType<LocalDate> DATE = new Fixed<>("date", 1082, 1182, 4) {
        @Override
        void check(LocalDate v) {
            if (v != LocalDate.MIN && v != LocalDate.MAX && (v.isBefore(MIN_DATE) || v.isAfter(MAX_DATE))) {
                throw new IllegalArgumentException("date " + v + " is out of PostgreSQL's range " + MIN_DATE
                        + " .. " + MAX_DATE);
            }
        }

        @Override
        void writeValue(ByteBuf out, LocalDate v) {
            out.writeInt(v == LocalDate.MAX ? Integer.MAX_VALUE
                    : v == LocalDate.MIN ? Integer.MIN_VALUE : (int) (v.toEpochDay() - PG_EPOCH_DAY));
        }
    };
    /**
     * {@code timestamp} from a {@link LocalDateTime}, at microsecond precision; rejects values outside PostgreSQL's
     * range.
     */
    public static final PgType<LocalDateTime> TIMESTAMP = new Fixed<>("timestamp", 1114, 1115, 8) {
        @Override
        void check(LocalDateTime v) {
            if (v != LocalDateTime.MIN && v != LocalDateTime.MAX) {
                checkMicros(v.toEpochSecond(ZoneOffset.UTC), v.getNano(), v);
            }
        }

        @Override
        void writeValue(ByteBuf out, LocalDateTime v) {
            out.writeLong(v == LocalDateTime.MAX ? Long.MAX_VALUE : v == LocalDateTime.MIN ? Long.MIN_VALUE
                    : micros(v.toEpochSecond(ZoneOffset.UTC), v.getNano()));
        }
    };
    /**
     * {@code timestamptz} from an {@link Instant}, at microsecond precision; rejects values outside PostgreSQL's
     * range.
     */
    public static final PgType<Instant> TIMESTAMPTZ = new Fixed<>("timestamptz", 1184, 1185, 8) {
        @Override
        void check(Instant v) {
            if (v != Instant.MIN && v != Instant.MAX) {
                checkMicros(v.getEpochSecond(), v.getNano(), v);
            }
        }

        @Override
        void writeValue(ByteBuf out, Instant v) {
            out.writeLong(v == Instant.MAX ? Long.MAX_VALUE : v == Instant.MIN ? Long.MIN_VALUE
                    : micros(v.getEpochSecond(), v.getNano()));
        }
    };
    /** {@code timestamptz} from an OffsetDateTime: the instant is stored, the offset is not (as in PostgreSQL). */
    public static final PgType<OffsetDateTime> TIMESTAMPTZ_OFFSET = new Fixed<>("timestamptz", 1184, 1185, 8) {
        @Override
        void check(OffsetDateTime v) {
            if (!v.equals(OffsetDateTime.MIN) && !v.equals(OffsetDateTime.MAX)) {
                checkMicros(v.toEpochSecond(), v.getNano(), v);
            }
        }

        @Override
        void writeValue(ByteBuf out, OffsetDateTime v) {
            out.writeLong(v.equals(OffsetDateTime.MAX) ? Long.MAX_VALUE : v.equals(OffsetDateTime.MIN)
                    ? Long.MIN_VALUE : micros(v.toEpochSecond(), v.getNano()));
        }
    };
    /** {@code text[]} from a list of strings; see {@link #array(PgType)}. */
    public static final PgType<List<String>> TEXT_ARRAY = array(TEXT);
    /** {@code int4[]} from a list of integers; see {@link #array(PgType)}. */
    public static final PgType<List<Integer>> INT4_ARRAY = array(INT4);
    /** {@code int8[]} from a list of longs; see {@link #array(PgType)}. */
    public static final PgType<List<Long>> INT8_ARRAY = array(INT8);

    /** 2000-01-01, PostgreSQL's epoch, in days since 1970-01-01. */
    static final long PG_EPOCH_DAY = 10_957L;
    static final long PG_EPOCH_SECOND = PG_EPOCH_DAY * 86_400L;
    /** 4714-11-24 BC (Julian day 0) and 5874897-12-31 AD: PostgreSQL's date range. */
    static final LocalDate MIN_DATE = LocalDate.of(-4713, 11, 24);
    static final LocalDate MAX_DATE = LocalDate.of(5_874_897, 12, 31);
    /** PostgreSQL's timestamp range in microseconds since its epoch: [4714-11-24 00:00 BC, 294277-01-01 00:00). */
    static final long MIN_TIMESTAMP = -211_813_488_000_000_000L;
    static final long END_TIMESTAMP = 9_223_371_331_200_000_000L;

    private final String sqlName;
    private final int oid;
    private final int arrayOid;

    PgType(String sqlName, int oid, int arrayOid) {
        this.sqlName = sqlName;
        this.oid = oid;
        this.arrayOid = arrayOid;
    }

    /**
     * {@code varchar(maxLength)}: longer values are rejected (PostgreSQL would fail the COPY), except that trailing
     * spaces beyond the limit are trimmed as PostgreSQL does.
     *
     * @param maxLength the length limit in characters, 1 to 10485760
     * @return the type
     * @throws IllegalArgumentException unless {@code 1 <= maxLength <= 10485760}
     */
    public static PgType<String> varchar(int maxLength) {
        if (maxLength < 1 || maxLength > 10_485_760) {
            throw new IllegalArgumentException("varchar length must be in 1..10485760, was " + maxLength);
        }
        return new Text("varchar(" + maxLength + ")", 1043, 1015, maxLength);
    }

    /**
     * {@code numeric(precision, scale)}: a value that does not fit after rounding to {@code scale} digits (half away
     * from zero, as PostgreSQL rounds) is rejected; the server does the rounding.
     *
     * @param precision total significant digits, 1 to 1000
     * @param scale digits after the decimal point
     * @return the type
     * @throws IllegalArgumentException unless {@code 1 <= precision <= 1000} and {@code 0 <= scale <= precision}
     */
    public static PgType<BigDecimal> numeric(int precision, int scale) {
        if (precision < 1 || precision > 1000 || scale < 0 || scale > precision) {
            throw new IllegalArgumentException("numeric(" + precision + ", " + scale + ") is not a valid type:"
                    + " need 1 <= precision <= 1000 and 0 <= scale <= precision");
        }
        return new Numeric(precision, scale);
    }

    /**
     * A one-dimensional array of {@code element} (lower bound 1); {@code null} elements are SQL NULLs and an empty
     * list is an empty array. The column must be of the element's array type (e.g. {@code text[]} for
     * {@link #TEXT}, {@code varchar[]} for {@link #VARCHAR}).
     *
     * @param <E> the element's Java type
     * @param element the element type; not itself an array
     * @return the array type
     */
    public static <E> PgType<List<E>> array(PgType<E> element) {
        Objects.requireNonNull(element, "element");
        if (element instanceof ArrayType) {
            throw new IllegalArgumentException("multi-dimensional arrays are not supported: " + element);
        }
        return new ArrayType<>(element);
    }

    /**
     * The type's SQL name, e.g. {@code int8} or {@code text[]}.
     *
     * @return the SQL name
     */
    public String sqlName() {
        return sqlName;
    }

    /**
     * The type's OID in {@code pg_type}.
     *
     * @return the OID
     */
    public int oid() {
        return oid;
    }

    /**
     * Checks that {@code value} (never null) can be written.
     *
     * @throws IllegalArgumentException saying why PostgreSQL would refuse it
     */
    abstract void check(V value);

    /** Writes the field (length word, then the bytes) for a non-null value that passed {@link #check}. */
    abstract void write(ByteBuf out, V value);

    /**
     * {@link #check} then {@link #write}, which a type may fuse into one pass over the value; on a refused value it
     * throws as {@code check} does, possibly after writing part of the field (the caller discards it).
     */
    void checkAndWrite(ByteBuf out, V value) {
        check(value);
        write(out, value);
    }

    @Override
    public String toString() {
        return sqlName;
    }

    static long micros(long epochSecond, int nano) {
        // half-up to the microsecond: 999_999_500 ns carries into the next second through the addition
        return (epochSecond - PG_EPOCH_SECOND) * 1_000_000L + (nano + 500) / 1_000;
    }

    static void checkMicros(long epochSecond, int nano, Object v) {
        long s = epochSecond - PG_EPOCH_SECOND;
        // bound the seconds first so the multiplication below cannot overflow
        if (s < MIN_TIMESTAMP / 1_000_000L - 1 || s > END_TIMESTAMP / 1_000_000L + 1) {
            throw new IllegalArgumentException("timestamp " + v + " is out of PostgreSQL's range");
        }
        long m = micros(epochSecond, nano);
        if (m < MIN_TIMESTAMP || m >= END_TIMESTAMP) {
            throw new IllegalArgumentException("timestamp " + v + " is out of PostgreSQL's range");
        }
    }

    /** Types whose binary form has a fixed length. */
    private abstract static class Fixed<V> extends PgType<V> {
        private final int length;

        Fixed(String sqlName, int oid, int arrayOid, int length) {
            super(sqlName, oid, arrayOid);
            this.length = length;
        }

        @Override
        void check(V value) {
        }

        @Override
        final void write(ByteBuf out, V value) {
            out.writeInt(length);
            writeValue(out, value);
        }

        abstract void writeValue(ByteBuf out, V value);
    }

    private static class Text extends PgType<String> {
        private final int maxLength;

        Text(String sqlName, int oid, int arrayOid, int maxLength) {
            super(sqlName, oid, arrayOid);
            this.maxLength = maxLength;
        }

        @Override
        void check(String v) {
            checkText(v);
            if (maxLength >= 0 && v.length() > maxLength) {
                int codePoints = v.codePointCount(0, v.length());
                if (codePoints > maxLength && !v.substring(v.offsetByCodePoints(0, maxLength)).isBlank()) {
                    throw new IllegalArgumentException("value of " + codePoints + " characters is too long for "
                            + sqlName());
                }
            }
        }

        @Override
        void write(ByteBuf out, String v) {
            writeUtf8(out, v);
        }

        /**
         * One pass for the common case, ASCII text without NUL into a heap buffer: checked and copied char by char
         * straight into the array (its length is its byte count, and within a varchar limit); anything else takes
         * the general check and UTF-8 encoding from the start.
         */
        @Override
        void checkAndWrite(ByteBuf out, String v) {
            int n = v.length();
            if ((maxLength < 0 || n <= maxLength) && out.ensureWritable(4 + n).hasArray()) {
                int start = out.writerIndex();
                byte[] a = out.array();
                int at = out.arrayOffset() + start + 4;
                int i = 0;
                while (i < n) {
                    char c = v.charAt(i);
                    if (c == 0 || c >= 0x80) {
                        break;
                    }
                    a[at + i++] = (byte) c;
                }
                if (i == n) {
                    out.writeInt(n);
                    out.writerIndex(start + 4 + n);
                    return;
                }
            }
            check(v);
            write(out, v);
        }
    }

    private static final class Json extends PgType<String> {
        private final boolean binary;

        Json(String sqlName, int oid, int arrayOid) {
            super(sqlName, oid, arrayOid);
            this.binary = sqlName.equals("jsonb");
        }

        @Override
        void check(String v) {
            checkText(v);
            String error = JsonSyntax.check(v);
            if (error != null) {
                throw new IllegalArgumentException("invalid " + sqlName() + ": " + error);
            }
        }

        @Override
        void write(ByteBuf out, String v) {
            if (!binary) {
                writeUtf8(out, v);
                return;
            }
            int lengthAt = out.writerIndex();
            out.writeInt(0);
            out.writeByte(1); // jsonb binary format version
            int n = ByteBufUtil.writeUtf8(out, v);
            out.setInt(lengthAt, n + 1);
        }
    }

    static void checkText(String v) {
        for (int i = 0, n = v.length(); i < n; i++) {
            char c = v.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("text contains a NUL character at index " + i
                        + "; PostgreSQL text cannot hold one");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(v.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException("text has an unpaired UTF-16 surrogate at index " + i
                            + "; it has no UTF-8 encoding");
                }
            }
        }
    }

    static void writeUtf8(ByteBuf out, String v) {
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        int n = ByteBufUtil.writeUtf8(out, v);
        out.setInt(lengthAt, n);
    }

    private static final class Numeric extends PgType<BigDecimal> {
        private static final int NUMERIC_POS = 0x0000;
        private static final int NUMERIC_NEG = 0x4000;
        private static final int MAX_DSCALE = 0x3FFF;
        private static final int MAX_INTEGER_DIGITS = 131_072;
        private static final long[] POW10 = {1, 10, 100, 1_000};
        /** The largest magnitude that may be multiplied by {@code POW10[i]} without overflow. */
        private static final long[] MAX_ALIGNABLE = {Long.MAX_VALUE, Long.MAX_VALUE / 10, Long.MAX_VALUE / 100,
            Long.MAX_VALUE / 1_000};
        /** Above this many groups the value is split in halves before its digits are cut. */
        private static final int SPLIT_GROUPS = 64;
        private static final BigInteger[] POW10000_2K = new BigInteger[32];
        private final int precision;
        private final int scale;

        Numeric(int precision, int scale) {
            super(precision < 0 ? "numeric" : "numeric(" + precision + "," + scale + ")", 1700, 1231);
            this.precision = precision;
            this.scale = scale;
        }

        @Override
        void check(BigDecimal v) {
            // in long: precision - scale overflows an int for scales near Integer.MIN_VALUE
            long integerDigits = v.signum() == 0 ? 0 : Math.max((long) v.precision() - v.scale(), 0);
            if (integerDigits > MAX_INTEGER_DIGITS || v.scale() > MAX_DSCALE) {
                throw new IllegalArgumentException("numeric value with " + integerDigits + " integer digits and scale "
                        + v.scale() + " is out of PostgreSQL's range (131072 digits before the point, 16383 after)");
            }
            if (precision > 0) {
                BigDecimal r = v.setScale(scale, RoundingMode.HALF_UP);
                if (r.signum() != 0 && r.precision() - r.scale() > precision - scale) {
                    throw new IllegalArgumentException("numeric field overflow: " + v.toPlainString()
                            + " does not fit " + sqlName());
                }
            }
        }

        @Override
        void write(ByteBuf out, BigDecimal v) {
            int scale = v.scale();
            int dscale = Math.max(scale, 0);
            int signum = v.signum();
            if (signum == 0) {
                out.writeInt(8);
                out.writeShort(0);
                out.writeShort(0);
                out.writeShort(NUMERIC_POS);
                out.writeShort(dscale);
                return;
            }
            int sign = signum < 0 ? NUMERIC_NEG : NUMERIC_POS;
            // Base-10000 digits need the point on a group boundary: a fraction is widened to whole groups by
            // multiplying by 10^align; a negative scale 4q + align becomes 10^align times q zero groups, which are
            // trailing zeros and never sent, so only the weight counts them (no multiplication by 10^-scale).
            int align;
            int fracGroups;
            if (scale >= 0) {
                align = -scale & 3;
                fracGroups = (scale + align) >> 2;
            } else {
                long up = -(long) scale;
                align = (int) (up & 3);
                fracGroups = (int) -(up >> 2);
            }
            BigInteger unscaled = v.unscaledValue();
            if (unscaled.bitLength() < 64) {
                long a = Math.abs(unscaled.longValue()); // Long.MIN_VALUE stays negative: general path
                if (a >= 0 && a <= MAX_ALIGNABLE[align]) {
                    writeGroups(out, a * POW10[align], fracGroups, sign, dscale);
                    return;
                }
            }
            BigInteger a = unscaled.abs();
            if (align > 0) {
                a = a.multiply(BigInteger.valueOf(POW10[align]));
            }
            // decimal digits <= floor(bits * 0.30103) + 1, as 0.30103 > log10(2); leading zero groups are skipped
            int length = (int) ((long) a.bitLength() * 30_103 / 100_000 / 4) + 1;
            short[] g = new short[length];
            groups(a, g, length, length);
            int first = 0;
            while (g[first] == 0) {
                first++;
            }
            int last = length - 1;
            while (g[last] == 0) {
                last--;
            }
            int ndigits = last - first + 1;
            out.writeInt(8 + 2 * ndigits);
            out.writeShort(ndigits);
            out.writeShort(length - 1 - first - fracGroups);
            out.writeShort(sign);
            out.writeShort(dscale);
            for (int i = first; i <= last; i++) {
                out.writeShort(g[i]);
            }
        }

        /** The common case: the aligned magnitude {@code a > 0} fits a long, so no array and no BigInteger. */
        private static void writeGroups(ByteBuf out, long a, int fracGroups, int sign, int dscale) {
            // only divisions by the constant 10000, which the JIT turns into multiplications
            int trailing = 0;
            while (a % 10_000 == 0) {
                a /= 10_000;
                trailing++;
            }
            int ndigits = a < 10_000L ? 1 : a < 100_000_000L ? 2 : a < 1_000_000_000_000L ? 3
                    : a < 10_000_000_000_000_000L ? 4 : 5;
            out.writeInt(8 + 2 * ndigits);
            out.writeShort(ndigits);
            out.writeShort(ndigits + trailing - 1 - fracGroups);
            out.writeShort(sign);
            out.writeShort(dscale);
            // the groups come out least significant first: fill their slots from the end
            int at = out.writerIndex();
            out.ensureWritable(2 * ndigits);
            out.writerIndex(at + 2 * ndigits);
            for (int i = at + 2 * (ndigits - 1); i >= at; i -= 2) {
                out.setShort(i, (int) (a % 10_000));
                a /= 10_000;
            }
        }

        /**
         * Writes the {@code count} base-10000 digits of {@code x} ({@code 0 <= x < 10000^count}), most significant
         * first, into {@code g[end - count, end)}, which must be zero. Large values are first split in halves by
         * 10000^(2^k) (cached) as BigInteger.toString does, so that the schoolbook part, quadratic in the length,
         * only ever sees short pieces.
         */
        private static void groups(BigInteger x, short[] g, int end, int count) {
            if (count > SPLIT_GROUPS) {
                int k = 31 - Integer.numberOfLeadingZeros(count - 1);
                BigInteger[] qr = x.divideAndRemainder(pow10000(k));
                groups(qr[1], g, end, 1 << k);
                groups(qr[0], g, end - (1 << k), count - (1 << k));
                return;
            }
            // Below the split size, schoolbook division of the magnitude's 32-bit words by 10^8 (two groups a
            // pass): a division by a constant per word, where BigInteger.divideAndRemainder allocates per call.
            byte[] bytes = x.toByteArray();
            int n = (bytes.length + 3) >> 2;
            int[] words = new int[n];
            for (int i = 0; i < bytes.length; i++) {
                words[n - 1 - (i >> 2)] |= (bytes[bytes.length - 1 - i] & 0xFF) << ((i & 3) << 3);
            }
            int top = 0;
            while (top < n && words[top] == 0) {
                top++;
            }
            // slots left when the words run out are zero groups, as g is new and each slot has one writer
            while (top < n) {
                long rem = 0;
                for (int i = top; i < n; i++) {
                    long cur = rem << 32 | (words[i] & 0xFFFF_FFFFL); // < 10^8 * 2^32: no overflow
                    long q = cur / 100_000_000;
                    words[i] = (int) q;
                    rem = cur - q * 100_000_000;
                }
                while (top < n && words[top] == 0) {
                    top++;
                }
                g[end - 1] = (short) (rem % 10_000);
                if (rem >= 10_000) { // else that slot may lie outside this call's range, and stays zero
                    g[end - 2] = (short) (rem / 10_000);
                }
                end -= 2;
            }
        }

        /** 10000^(2^k); racy but safe lazy initialisation, BigInteger being immutable. */
        private static BigInteger pow10000(int k) {
            BigInteger p = POW10000_2K[k];
            if (p == null) {
                p = BigInteger.TEN.pow(4 << k);
                POW10000_2K[k] = p;
            }
            return p;
        }
    }

    private static final class ArrayType<E> extends PgType<List<E>> {
        private final PgType<E> element;

        ArrayType(PgType<E> element) {
            super(element.sqlName() + "[]", element.arrayOid, 0);
            this.element = element;
        }

        @Override
        void check(List<E> values) {
            int i = 0;
            for (E e : values) {
                if (e != null) {
                    try {
                        element.check(e);
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException("array element " + i + ": " + ex.getMessage(), ex);
                    }
                }
                i++;
            }
        }

        @Override
        void write(ByteBuf out, List<E> values) {
            int lengthAt = out.writerIndex();
            out.writeInt(0);
            int start = out.writerIndex();
            boolean hasNull = false;
            for (E e : values) { // not List.contains(null): immutable lists throw on a null query
                if (e == null) {
                    hasNull = true;
                    break;
                }
            }
            out.writeInt(values.isEmpty() ? 0 : 1); // ndim; an empty array has none
            out.writeInt(hasNull ? 1 : 0);
            out.writeInt(element.oid());
            if (!values.isEmpty()) {
                out.writeInt(values.size());
                out.writeInt(1); // lower bound
                for (E e : values) {
                    if (e == null) {
                        out.writeInt(-1);
                    } else {
                        element.write(out, e);
                    }
                }
            }
            out.setInt(lengthAt, out.writerIndex() - start);
        }
    }
}
