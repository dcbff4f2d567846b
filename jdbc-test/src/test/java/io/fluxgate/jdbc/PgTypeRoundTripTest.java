package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.r2dbc.pool.ConnectionPool;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/**
 * Every column type through the binary COPY encoder and back. Each value is written twice in one row: binary, by
 * the sink, and as text, which the server parses with its own input function; the server then compares the two
 * ({@code IS DISTINCT FROM}), so the reference is PostgreSQL itself. Floats, bytes and strings are also read back
 * through the driver, where SQL equality is too lenient (-0.0 = 0.0).
 */
@ExtendWith(PostgresExtension.class)
class PgTypeRoundTripTest {

    record Cell<V>(int id, V value, String text) {
    }

    private static ConnectionPool pool;
    private static int tables;

    @BeforeAll
    static void pool(PostgresTestSchema db) {
        pool = db.pool(2);
    }

    @AfterAll
    static void done() {
        pool = null;
    }

    private <V> List<Cell<V>> roundTrip(PostgresTestSchema db, String sqlType, PgType<V> type, List<V> values,
            Function<V, String> text) {
        String table = "rt_" + (++tables);
        db.execute("CREATE TABLE " + table + " (id int4 PRIMARY KEY, v " + sqlType + ", t text)");
        List<Cell<V>> cells = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            V v = values.get(i);
            cells.add(new Cell<>(i, v, v == null ? null : text.apply(v)));
        }
        PostgresCopySink<Cell<V>> sink = PostgresCopySink.<Cell<V>>builder(pool)
                .table(table)
                .column("id", PgType.INT4, Cell::id)
                .column("v", type, Cell::value)
                .column("t", PgType.TEXT, Cell::text)
                .batchSize(3) // several COPYs, and rows split across them
                .build();
        CopySummary summary = sink.write(Flux.fromIterable(cells)).block(Duration.ofSeconds(30));
        assertThat(summary.rowsCopied()).isEqualTo(values.size());
        assertThat(summary.rowsRejected()).isZero();
        // json has no equality operator: compare it as jsonb
        String compareAs = sqlType.equals("json") ? "jsonb" : sqlType;
        List<String> mismatches = db.query("SELECT id, v::text, t FROM " + table + " WHERE v::" + compareAs
                + " IS DISTINCT FROM t::" + compareAs + " ORDER BY id", row -> row.get(0, Integer.class) + ": binary " + row.get(1, String.class)
                + " vs text " + row.get(2, String.class));
        assertThat(mismatches).as(sqlType).isEmpty();
        assertThat(db.queryLong("SELECT count(*) FROM " + table)).isEqualTo(values.size());
        return cells;
    }

    private static <V> List<V> readBack(PostgresTestSchema db, Class<V> as) {
        return db.query("SELECT v FROM rt_" + tables + " ORDER BY id", row -> row.get(0, as));
    }

    @Test
    void integers(PostgresTestSchema db) {
        List<Short> shorts = Arrays.asList(Short.MIN_VALUE, (short) -1, (short) 0, (short) 1, Short.MAX_VALUE, null);
        roundTrip(db, "int2", PgType.INT2, shorts, String::valueOf);
        assertThat(readBack(db, Short.class)).isEqualTo(shorts);
        List<Integer> ints = Arrays.asList(Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, null);
        roundTrip(db, "int4", PgType.INT4, ints, String::valueOf);
        assertThat(readBack(db, Integer.class)).isEqualTo(ints);
        List<Long> longs = Arrays.asList(Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE, null);
        roundTrip(db, "int8", PgType.INT8, longs, String::valueOf);
        assertThat(readBack(db, Long.class)).isEqualTo(longs);
    }

    @Test
    void floatsKeepNaNInfinitiesSignedZeroAndExtremes(PostgresTestSchema db) {
        List<Float> floats = Arrays.asList(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0.0f,
                Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1.1f, (float) Math.PI, null);
        roundTrip(db, "float4", PgType.FLOAT4, floats, String::valueOf);
        assertThat(readBack(db, Float.class)).isEqualTo(floats); // Float.equals: NaN == NaN, -0.0 != 0.0
        List<Double> doubles = Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
                0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE, 0.1, Math.E, null);
        roundTrip(db, "float8", PgType.FLOAT8, doubles, String::valueOf);
        assertThat(readBack(db, Double.class)).isEqualTo(doubles);
    }

    @Test
    void numericKeepsEveryDigitAndTheScale(PostgresTestSchema db) {
        List<BigDecimal> values = Arrays.asList(BigDecimal.ZERO, new BigDecimal("0.00"), BigDecimal.ONE,
                new BigDecimal("-1"), new BigDecimal("10000"), new BigDecimal("0.0001"), new BigDecimal("0.00001"),
                new BigDecimal("-99999.99990"), new BigDecimal("12345678.87654321"),
                new BigDecimal("123456789012345678901234567890.123456789012345678901234567890"),
                new BigDecimal("1E+20"), new BigDecimal("-7.5E-30"), new BigDecimal("9".repeat(1000) + "." + "1".repeat(300)),
                new BigDecimal("1E-16383"), null);
        roundTrip(db, "numeric", PgType.NUMERIC, values, BigDecimal::toPlainString);
        List<BigDecimal> back = readBack(db, BigDecimal.class);
        for (int i = 0; i < values.size(); i++) {
            BigDecimal v = values.get(i);
            // PostgreSQL keeps the display scale; a negative Java scale becomes 0
            BigDecimal expected = v == null ? null : v.scale() < 0 ? v.setScale(0) : v;
            assertThat(back.get(i)).as("numeric #" + i).isEqualTo(expected);
        }
        roundTrip(db, "numeric(7,2)", PgType.numeric(7, 2),
                Arrays.asList(new BigDecimal("12345.67"), new BigDecimal("-99999.994"), new BigDecimal("0.005"), null),
                BigDecimal::toPlainString);
    }

    @Test
    void numericSeamsAndRandomValuesReadBackAsTheirPlainText(PostgresTestSchema db) {
        List<BigDecimal> values = new ArrayList<>(NumericEncodingPropertiesTest.edgeCases());
        Random rnd = new Random(20_261_121);
        for (int i = 0; i < 300; i++) {
            BigInteger unscaled = switch (rnd.nextInt(4)) {
                case 0 -> BigInteger.valueOf(rnd.nextInt(2_000_001) - 1_000_000);
                case 1 -> BigInteger.valueOf(rnd.nextLong());
                case 2 -> new BigInteger(NumericEncodingPropertiesTest.randomDigits(rnd, 1 + rnd.nextInt(200)));
                default -> BigInteger.valueOf(rnd.nextInt(100_000)).multiply(BigInteger.TEN.pow(rnd.nextInt(40)));
            };
            values.add(new BigDecimal(rnd.nextBoolean() ? unscaled : unscaled.negate(), rnd.nextInt(61) - 20));
        }
        roundTrip(db, "numeric", PgType.NUMERIC, values, BigDecimal::toPlainString);
        // numeric equality ignores the scale: the text shows it, and a negative Java scale becomes 0
        List<String> back = db.query("SELECT v::text FROM rt_" + tables + " ORDER BY id", row -> row.get(0, String.class));
        assertThat(back).isEqualTo(values.stream().map(v -> (v.scale() < 0 ? v.setScale(0) : v).toPlainString())
                .toList());
    }

    @Test
    void boolAndUuid(PostgresTestSchema db) {
        roundTrip(db, "bool", PgType.BOOL, Arrays.asList(true, false, null), String::valueOf);
        List<UUID> uuids = Arrays.asList(UUID.randomUUID(), new UUID(0, 0), new UUID(-1, -1),
                UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"), null);
        roundTrip(db, "uuid", PgType.UUID, uuids, UUID::toString);
        assertThat(readBack(db, UUID.class)).isEqualTo(uuids);
    }

    @Test
    void textUnicodeEscapesAndChunkSpanningValues(PostgresTestSchema db) {
        String big = IntStream.range(0, 30_000).mapToObj(i -> "é✓" + (char) ('a' + i % 26)).collect(Collectors.joining());
        List<String> values = Arrays.asList("", "plain", "héllo wörld ✓ 日本語 🎉 \uD83D\uDE00",
                "tab\tnew\nline\r\\back\"quote'comma,semi;", "NULL", "\\N", " leading and trailing ", big, null);
        roundTrip(db, "text", PgType.TEXT, values, s -> s);
        assertThat(readBack(db, String.class)).isEqualTo(values);
        roundTrip(db, "varchar", PgType.VARCHAR, values, s -> s);
        roundTrip(db, "varchar(5)", PgType.varchar(5), Arrays.asList("", "abcde", "日本語🎉✓", "ab   ", null), s -> s);
        assertThat(readBack(db, String.class)).containsExactly("", "abcde", "日本語🎉✓", "ab   ", null);
    }

    @Test
    void bytea(PostgresTestSchema db) {
        byte[] random = new byte[150_000];
        new Random(42).nextBytes(random);
        List<byte[]> values = Arrays.asList(new byte[0], new byte[] {0, -1, 127, -128}, random, null);
        roundTrip(db, "bytea", PgType.BYTEA, values, b -> "\\x" + HexFormat.of().formatHex(b));
        List<byte[]> back = readBack(db, byte[].class);
        for (int i = 0; i < values.size(); i++) {
            assertThat(back.get(i)).isEqualTo(values.get(i));
        }
    }

    @Test
    void datesAcrossTheWholeRangeAndInfinity(PostgresTestSchema db) {
        List<LocalDate> dates = Arrays.asList(LocalDate.of(2000, 1, 1), LocalDate.of(1999, 12, 31),
                LocalDate.of(1970, 1, 1), LocalDate.of(1, 1, 1), LocalDate.of(0, 12, 31), LocalDate.of(2024, 2, 29),
                PgType.MIN_DATE, PgType.MAX_DATE, LocalDate.MIN, LocalDate.MAX, null);
        roundTrip(db, "date", PgType.DATE, dates, PgTypeRoundTripTest::dateText);
    }

    @Test
    void timestampsToTheMicrosecond(PostgresTestSchema db) {
        List<LocalDateTime> values = Arrays.asList(LocalDateTime.of(2000, 1, 1, 0, 0),
                LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1_000), LocalDateTime.of(2026, 11, 21, 2, 18, 3, 123_456_000),
                LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_000), LocalDateTime.of(-4713, 11, 24, 0, 0),
                LocalDateTime.of(294_276, 12, 31, 23, 59, 59, 999_999_000), LocalDateTime.of(1, 1, 1, 12, 0),
                LocalDateTime.of(2020, 1, 1, 0, 0, 0, 999_999_500), // rounds up into the next second
                LocalDateTime.MIN, LocalDateTime.MAX, null);
        roundTrip(db, "timestamp", PgType.TIMESTAMP, values, PgTypeRoundTripTest::timestampText);
    }

    @Test
    void timestamptzIsTheInstantWhateverTheOffsetAndSessionZone(PostgresTestSchema db) {
        List<Instant> instants = Arrays.asList(Instant.EPOCH, Instant.parse("2026-11-21T02:18:03.123456Z"),
                Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("1900-03-04T05:06:07.000008Z"),
                Instant.parse("+294276-12-31T23:59:59.999999Z"), Instant.MIN, Instant.MAX, null);
        roundTrip(db, "timestamptz", PgType.TIMESTAMPTZ, instants,
                i -> i == Instant.MIN ? "-infinity" : i == Instant.MAX ? "infinity"
                        : timestampText(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "+00");
        List<OffsetDateTime> offsets = Arrays.asList(OffsetDateTime.parse("2026-11-21T16:18:03.5+14:00"),
                OffsetDateTime.parse("2026-11-20T14:18:03.5-12:00"), OffsetDateTime.parse("2026-11-21T07:48:03.5+05:30"),
                OffsetDateTime.parse("2026-11-21T02:18:03.5Z"), null);
        roundTrip(db, "timestamptz", PgType.TIMESTAMPTZ_OFFSET, offsets, o -> o.toString().replace('T', ' '));
        // four offsets, one instant
        assertThat(db.queryLong("SELECT count(DISTINCT v) FROM rt_" + tables + " WHERE v IS NOT NULL")).isEqualTo(1);
        List<OffsetDateTime> back = readBack(db, OffsetDateTime.class);
        assertThat(back.get(0).toInstant()).isEqualTo(offsets.get(0).toInstant());
    }

    @Test
    void jsonAndJsonb(PostgresTestSchema db) {
        String deep = "[".repeat(2_000) + "1" + "]".repeat(2_000);
        List<String> docs = Arrays.asList("{\"a\": 1, \"b\": [true, null, \"x\"], \"a\": 2}", "[]", "{}", "\"str\"",
                "-123.456e10", "0", "null", "{\"unicode\": \"é ✓ 🎉\", \"escaped\": \"\\ud83c\\udf89 \\u00e9 \\n\"}",
                " \t\n{ \"spaces\" : [ 1 , 2 ] } ", deep, null);
        roundTrip(db, "jsonb", PgType.JSONB, docs, s -> s);
        roundTrip(db, "json", PgType.JSON, docs, s -> s);
        // json keeps the text verbatim
        assertThat(readBack(db, String.class)).isEqualTo(docs);
    }

    @Test
    void arraysWithNullsAndEmpty(PostgresTestSchema db) {
        List<List<String>> texts = Arrays.asList(List.of(), List.of("a"), Arrays.asList("x", null, "", "q\"uote",
                "back\\slash", "com,ma", "{brace}", "NULL", "日本🎉"), null);
        roundTrip(db, "text[]", PgType.TEXT_ARRAY, texts, PgTypeRoundTripTest::arrayText);
        assertThat(db.queryList("SELECT cardinality(v) FROM rt_" + tables + " ORDER BY id", Integer.class))
                .containsExactly(0, 1, 9, null);
        roundTrip(db, "int8[]", PgType.INT8_ARRAY, Arrays.asList(List.of(Long.MIN_VALUE, 0L, Long.MAX_VALUE), List.of(),
                Arrays.asList(1L, null)), PgTypeRoundTripTest::arrayText);
        roundTrip(db, "int4[]", PgType.INT4_ARRAY, List.of(List.of(1, 2, 3)), PgTypeRoundTripTest::arrayText);
        roundTrip(db, "varchar[]", PgType.array(PgType.VARCHAR), List.of(List.of("v", "w")),
                PgTypeRoundTripTest::arrayText);
        roundTrip(db, "uuid[]", PgType.array(PgType.UUID), List.of(List.of(new UUID(1, 2))),
                PgTypeRoundTripTest::arrayText);
        roundTrip(db, "timestamptz[]", PgType.array(PgType.TIMESTAMPTZ), List.of(List.of(Instant.EPOCH)),
                l -> "{\"1970-01-01 00:00:00+00\"}");
    }

    static String arrayText(List<?> values) {
        return values.stream().map(v -> v == null ? "NULL"
                        : "\"" + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    static String dateText(LocalDate d) {
        if (d == LocalDate.MIN) {
            return "-infinity";
        }
        if (d == LocalDate.MAX) {
            return "infinity";
        }
        int y = d.getYear();
        return String.format("%04d-%02d-%02d%s", y > 0 ? y : 1 - y, d.getMonthValue(), d.getDayOfMonth(),
                y > 0 ? "" : " BC");
    }

    static String timestampText(LocalDateTime t) {
        if (t == LocalDateTime.MIN) {
            return "-infinity";
        }
        if (t == LocalDateTime.MAX) {
            return "infinity";
        }
        LocalDateTime r = t.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
        int y = r.getYear();
        return String.format("%04d-%02d-%02d %02d:%02d:%02d.%06d%s", y > 0 ? y : 1 - y, r.getMonthValue(),
                r.getDayOfMonth(), r.getHour(), r.getMinute(), r.getSecond(), r.getNano() / 1000, y > 0 ? "" : " BC");
    }
}
