package io.fluxgate.benchmarks.jdbc;

import io.fluxgate.jdbc.NumericEncoders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of the binary COPY encoding of one {@code numeric} value, in ns per value: the arithmetic encoder
 * ({@code PgType.NUMERIC}) against the previous string-based one ({@link NumericEncoders#writeViaStrings}, from
 * the jdbc-connectors test jar). Each invocation writes 1024 distinct values into one pooled direct buffer, as the
 * sink does: {@code amount}, numeric(12,2)-like amounts (the file-ingestion benchmark's column), or {@code wide},
 * 40-digit values with 10 fraction digits (beyond a long, so the BigInteger path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class NumericEncodeBenchmark {

    private static final int VALUES = 1024;

    @Param({"amount", "wide"})
    public String values;

    private BigDecimal[] decimals;
    private ByteBuf out;

    @Setup
    public void setup() {
        Random rnd = new Random(1);
        decimals = new BigDecimal[VALUES];
        for (int i = 0; i < VALUES; i++) {
            decimals[i] = switch (values) {
                // up to 10 integer digits, 2 fraction digits, some negative, some small
                case "amount" -> BigDecimal.valueOf((rnd.nextBoolean() ? rnd.nextLong() % 1_000_000_000_000L
                        : rnd.nextInt(100_000)) * (rnd.nextInt(10) == 0 ? -1 : 1), 2);
                case "wide" -> new BigDecimal(new BigInteger(132, rnd).add(BigInteger.TEN.pow(39)), 10);
                default -> throw new IllegalArgumentException("values: amount or wide, was " + values);
            };
        }
        out = PooledByteBufAllocator.DEFAULT.directBuffer(VALUES * 64);
        // both must write the same bytes
        for (BigDecimal d : decimals) {
            out.clear();
            NumericEncoders.write(out, d);
            String current = ByteBufUtil.hexDump(out);
            out.clear();
            NumericEncoders.writeViaStrings(out, d);
            if (!current.equals(ByteBufUtil.hexDump(out))) {
                throw new IllegalStateException("encoders disagree on " + d);
            }
        }
    }

    @TearDown
    public void release() {
        out.release();
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public int arithmetic() {
        out.clear();
        for (BigDecimal d : decimals) {
            NumericEncoders.write(out, d);
        }
        return out.writerIndex();
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public int strings() {
        out.clear();
        for (BigDecimal d : decimals) {
            NumericEncoders.writeViaStrings(out, d);
        }
        return out.writerIndex();
    }
}
