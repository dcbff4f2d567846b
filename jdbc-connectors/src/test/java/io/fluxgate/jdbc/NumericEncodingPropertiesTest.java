package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The arithmetic {@code numeric} encoder against the previous string-based one
 * ({@link NumericEncoders#writeViaStrings}) as the reference model: the same bytes for every value. The generators
 * aim at the encoder's paths and seams: unscaled values that fit a long, that fit only before the scale is aligned
 * to whole base-10000 groups (near {@code Long.MIN_VALUE}/{@code MAX_VALUE}), that never fit (up to thousands of
 * digits, past the size where the value is split in halves), runs of zero groups at either end, negative scales,
 * and zero at any scale.
 */
class NumericEncodingPropertiesTest {

    /** Values at the seams, also sent through PostgreSQL by {@code PgTypeRoundTripTest}. */
    static List<BigDecimal> edgeCases() {
        List<BigDecimal> values = new ArrayList<>();
        long[] unscaled = {1, -1, 9_999, 10_000, 10_001, 99_999_999, 100_000_000, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MAX_VALUE / 10, Long.MAX_VALUE / 10 + 1, Long.MAX_VALUE / 100 + 1, Long.MAX_VALUE / 1_000,
            Long.MAX_VALUE / 1_000 + 1, Long.MIN_VALUE + 1, 1L << 62, -(1L << 62), 1_000_000_000_000_000_000L,
            10_000_000_000_000_000L, 123_456_789_012L};
        int[] scales = {0, 1, 2, 3, 4, 5, 8, 16, 17, 19, 20, 40, -1, -2, -3, -4, -5, -17, -20};
        for (long u : unscaled) {
            for (int s : scales) {
                values.add(BigDecimal.valueOf(u, s));
            }
        }
        for (int s : scales) {
            values.add(BigDecimal.valueOf(0, s));
        }
        values.add(new BigDecimal(BigInteger.TEN.pow(300).negate(), 7));
        values.add(new BigDecimal(BigInteger.TEN.pow(1_100).subtract(BigInteger.ONE), 3));
        return values;
    }

    @Property(tries = 3_000)
    void sameBytesAsTheStringBasedEncoder(@ForAll("decimals") BigDecimal v) {
        assertSameBytes(v);
    }

    @Example
    void sameBytesAtTheSeams() {
        edgeCases().forEach(NumericEncodingPropertiesTest::assertSameBytes);
        // every power of ten and its neighbours, at scales around the group boundaries
        for (int p = 0; p <= 45; p++) {
            BigInteger ten = BigInteger.TEN.pow(p);
            for (BigInteger u : List.of(ten, ten.subtract(BigInteger.ONE), ten.add(BigInteger.ONE), ten.negate())) {
                for (int s = -9; s <= 9; s++) {
                    assertSameBytes(new BigDecimal(u, s));
                }
            }
        }
    }

    @Example
    void sameBytesForTheLargestValuesPostgresqlHolds() {
        Random rnd = new Random(7);
        BigInteger integerPart = new BigInteger(randomDigits(rnd, 131_072));
        BigDecimal largest = new BigDecimal(integerPart.multiply(BigInteger.TEN.pow(16_383))
                .add(new BigInteger(randomDigits(rnd, 16_383))), 16_383);
        PgType.NUMERIC.check(largest);
        assertSameBytes(largest);
        assertSameBytes(largest.negate());
        assertSameBytes(new BigDecimal(integerPart, 0));
        assertSameBytes(new BigDecimal(BigInteger.TEN.pow(131_071), 0));
        assertSameBytes(new BigDecimal(BigInteger.ONE, 16_383));
    }

    @Example
    void aScaleNearIntegerMinValueIsRejectedNotWrapped() {
        // precision - scale overflows an int here; such a value must not reach the encoder
        for (int scale : new int[] {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -Integer.MAX_VALUE + 5}) {
            BigDecimal v = new BigDecimal(BigInteger.valueOf(123), scale);
            assertThatThrownBy(() -> PgType.NUMERIC.check(v)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("out of PostgreSQL's range");
        }
        PgType.NUMERIC.check(new BigDecimal(BigInteger.ONE, -131_071)); // 131072 integer digits: the limit
        assertThatThrownBy(() -> PgType.NUMERIC.check(new BigDecimal(BigInteger.ONE, -131_072)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static void assertSameBytes(BigDecimal v) {
        assertThat(hex(NumericEncoders::write, v)).as("%s (unscaled %s, scale %s)", v, v.unscaledValue(), v.scale())
                .isEqualTo(hex(NumericEncoders::writeViaStrings, v));
    }

    private static String hex(BiConsumer<ByteBuf, BigDecimal> encoder, BigDecimal v) {
        ByteBuf out = Unpooled.buffer();
        try {
            encoder.accept(out, v);
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }

    static String randomDigits(Random rnd, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ('0' + rnd.nextInt(10));
        }
        c[0] = (char) ('1' + rnd.nextInt(9));
        return new String(c);
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<Integer> scales = Arbitraries.integers().between(-20, 40);
        return Combinators.combine(unscaledValues(), scales).as(BigDecimal::new);
    }

    @SuppressWarnings("unchecked")
    static Arbitrary<BigInteger> unscaledValues() {
        Arbitrary<BigInteger> small = Arbitraries.longs().between(-1_000_000, 1_000_000).map(BigInteger::valueOf);
        Arbitrary<BigInteger> anyLong = Arbitraries.longs().map(BigInteger::valueOf);
        // on both sides of the long range and of the largest values that still fit after aligning the scale
        Arbitrary<BigInteger> nearBounds = Combinators.combine(
                Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 10, Long.MAX_VALUE / 100,
                        Long.MAX_VALUE / 1_000, 1L << 62, 1_000_000_000_000_000_000L, 10_000_000_000_000_000L),
                Arbitraries.integers().between(-1_000, 1_000), Arbitraries.of(1, -1))
                .as((base, delta, sign) -> BigInteger.valueOf(base).add(BigInteger.valueOf(delta))
                        .multiply(BigInteger.valueOf(sign)));
        Arbitrary<BigInteger> digits = Combinators.combine(
                Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(200), Arbitraries.of(1, -1))
                .as((s, sign) -> new BigInteger(s).multiply(BigInteger.valueOf(sign)));
        Arbitrary<BigInteger> manyDigits = Arbitraries.strings().withCharRange('0', '9').ofMinLength(200)
                .ofMaxLength(3_000).map(BigInteger::new);
        // runs of zero groups at the low end, and at the high end once a fraction is added
        Arbitrary<BigInteger> trailingZeros = Combinators.combine(small, Arbitraries.integers().between(0, 60))
                .as((u, p) -> u.multiply(BigInteger.TEN.pow(p)));
        Arbitrary<BigInteger> sparse = Combinators.combine(Arbitraries.integers().between(0, 120),
                Arbitraries.integers().between(0, 120), Arbitraries.longs().between(-99_999, 99_999))
                .as((hi, lo, u) -> BigInteger.TEN.pow(hi).add(BigInteger.valueOf(u)
                        .multiply(BigInteger.TEN.pow(lo))));
        return Arbitraries.frequencyOf(Tuple.of(4, small), Tuple.of(3, anyLong), Tuple.of(4, nearBounds),
                Tuple.of(3, digits), Tuple.of(1, manyDigits), Tuple.of(2, trailingZeros), Tuple.of(2, sparse),
                Tuple.of(1, Arbitraries.just(BigInteger.ZERO)));
    }
}
