package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.fluxgate.jdbc.PgType;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/** What input text means for each column type; the database round trip is in FileIngestAppTest. */
class ColumnTypeTest {

    private static ColumnType type(String name) {
        return TableSchema.typeOf(name, "b", -1, Set.of(), ZoneId.of("Europe/Berlin"));
    }

    private static Object text(String type, String text) throws BadValue {
        return type(type).fromText(text);
    }

    /** The value of field "v" of a one-field JSON object. */
    private static Object json(ColumnType type, String value) throws BadValue {
        byte[] line = ("{\"v\": " + value + "}").getBytes(StandardCharsets.UTF_8);
        try (JsonParser p = JsonMapper.shared().createParser(line)) {
            p.nextToken();
            p.nextName();
            p.nextToken();
            Object v = type.fromJson(p, line);
            assertThat(p.nextToken()).as("parser left after the value").isEqualTo(JsonToken.END_OBJECT);
            return v;
        }
    }

    @Test
    void integersAreDecimalAndRangeChecked() throws BadValue {
        assertThat(text("int2", " -32768 ")).isEqualTo((short) -32768);
        assertThat(text("int4", "+42")).isEqualTo(42);
        assertThat(text("int8", "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> text("int2", "32768")).hasMessageContaining("out of range for int2");
        assertThatThrownBy(() -> text("int8", "9223372036854775808")).hasMessageContaining("out of range");
        for (String bad : List.of("", "1.0", "1e3", "0x10", "12a", "--1", "+")) {
            assertThatThrownBy(() -> text("int4", bad)).as(bad).isInstanceOf(BadValue.class);
        }
        assertThat(json(type("int4"), "7")).isEqualTo(7);
        assertThat(json(type("int4"), "\"7\"")).isEqualTo(7);
        assertThatThrownBy(() -> json(type("int4"), "1.5")).hasMessageContaining("expected an integer, found 1.5");
        assertThatThrownBy(() -> json(type("int4"), "true")).hasMessageContaining("found true");
    }

    @Test
    void floatsFollowPostgresRules() throws BadValue {
        assertThat(text("float8", "1.5e3")).isEqualTo(1500.0);
        assertThat(text("float8", "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) text("float8", "NaN")).isNaN();
        assertThat(text("float4", ".5")).isEqualTo(0.5f);
        assertThat(text("float8", "0")).isEqualTo(0.0);
        assertThatThrownBy(() -> text("float4", "1e39")).hasMessageContaining("out of range for float4");
        assertThatThrownBy(() -> text("float8", "1e-400")).hasMessageContaining("out of range for float8");
        for (String bad : List.of("0x1p3", "1d", "1f", "abc", "1e", ".", "")) {
            assertThatThrownBy(() -> text("float8", bad)).as(bad).isInstanceOf(BadValue.class);
        }
    }

    @Test
    void numericsAreExact() throws BadValue {
        assertThat(text("numeric", "1.50")).isEqualTo(new BigDecimal("1.50"));
        assertThat(json(type("numeric"), "0.10")).isEqualTo(new BigDecimal("0.10"));
        assertThatThrownBy(() -> text("numeric", "NaN")).hasMessageContaining("NaN/infinity have no exact form");
        assertThatThrownBy(() -> text("numeric", "1,5")).hasMessageContaining("not a number");
    }

    @Test
    void booleansInEveryUsualSpelling() throws BadValue {
        for (String t : List.of("t", "TRUE", "yes", "y", "on", "1")) {
            assertThat(text("bool", t)).as(t).isEqualTo(true);
        }
        for (String f : List.of("f", "False", "no", "n", "off", "0")) {
            assertThat(text("bool", f)).as(f).isEqualTo(false);
        }
        assertThatThrownBy(() -> text("bool", "maybe")).hasMessageContaining("not a boolean");
        assertThat(json(type("bool"), "false")).isEqualTo(false);
    }

    @Test
    void uuidsAreStrict() throws BadValue {
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(text("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).isEqualTo(u);
        assertThat(text("uuid", "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}")).isEqualTo(u);
        for (String bad : List.of("1-1-1-1-1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")) {
            assertThatThrownBy(() -> text("uuid", bad)).as(bad).hasMessageContaining("not a UUID");
        }
    }

    @Test
    void datesAndTimestamps() throws BadValue {
        assertThat(text("date", "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(text("date", "-infinity")).isEqualTo(LocalDate.MIN);
        assertThatThrownBy(() -> text("date", "2023-02-29")).hasMessageContaining("not a date");
        assertThat(text("timestamp", "2024-01-02 03:04:05.123456"))
                .isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
        assertThat(text("timestamp", "2024-01-02T03:04")).isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4));
        assertThat(text("timestamp", "2024-01-02")).isEqualTo(LocalDateTime.of(2024, 1, 2, 0, 0));
        assertThatThrownBy(() -> text("timestamp", "2024-01-02 03:04:05+02"))
                .hasMessageContaining("has a time-zone offset");
        assertThat(text("timestamptz", "2024-01-02 03:04:05Z")).isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(text("timestamptz", "2024-01-02 03:04:05+02")).isEqualTo(Instant.parse("2024-01-02T01:04:05Z"));
        assertThat(text("timestamptz", "2024-01-02 03:04:05+0530")).isEqualTo(Instant.parse("2024-01-01T21:34:05Z"));
        assertThat(text("timestamptz", "2024-01-02T03:04:05.5-01:00")).isEqualTo(Instant.parse("2024-01-02T04:04:05.5Z"));
        // no offset: the --time-zone (Berlin here, UTC+1 in winter)
        assertThat(text("timestamptz", "2024-01-02 03:04:05")).isEqualTo(Instant.parse("2024-01-02T02:04:05Z"));
        assertThat(text("timestamptz", "infinity")).isEqualTo(Instant.MAX);
        assertThatThrownBy(() -> text("timestamptz", "yesterday")).hasMessageContaining("not a timestamp");
        // shapes beside the hand-written fast path: java.time's parser, or an error either way
        assertThat(text("timestamptz", "2024-01-02 03:04+02:00")).isEqualTo(Instant.parse("2024-01-02T01:04:00Z"));
        assertThat(text("timestamptz", "2024-01-02t03:04:05z")).isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(text("timestamp", "+12024-01-02T03:04:05")).isEqualTo(LocalDateTime.of(12024, 1, 2, 3, 4, 5));
        assertThat(text("date", "+12024-01-02")).isEqualTo(LocalDate.of(12024, 1, 2));
        assertThat(text("timestamp", "2024-01-02 03:04:05.")).isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5));
        assertThat(text("timestamp", "2024-01-02 03:04:05.1234567891"))
                .isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_789));
        for (String bad : List.of("2024-01-02 25:00", "2024-01-02 03:04:05+19", "2024-01-02 03:04:05+02:", "2024-01-02 03:04:05+02:60",
                "2024-01-02 03:04:05 UTC", "2024-1-2 03:04", "2024-01-02 3:04")) {
            assertThatThrownBy(() -> text("timestamptz", bad)).as(bad).hasMessageContaining("not a timestamp");
        }
    }

    @Test
    void byteaIsHex() throws BadValue {
        assertThat((byte[]) text("bytea", "\\xDEadbe00")).containsExactly(0xDE, 0xAD, 0xBE, 0x00);
        assertThatThrownBy(() -> text("bytea", "\\xabc")).hasMessageContaining("even number of hex digits");
        assertThatThrownBy(() -> text("bytea", "abcd")).hasMessageContaining("\\x");
        assertThatThrownBy(() -> text("bytea", "\\xzz")).hasMessageContaining("non-hex");
    }

    @Test
    void textTakesJsonScalarsAsTheirText() throws BadValue {
        ColumnType t = type("text");
        assertThat(json(t, "\"a\\nb\"")).isEqualTo("a\nb");
        assertThat(json(t, "12.50")).isEqualTo("12.50");
        assertThat(json(t, "true")).isEqualTo("true");
        assertThatThrownBy(() -> json(t, "{\"a\": 1}")).hasMessageContaining("expected a string, found an object");
    }

    @Test
    void jsonColumnsTakeAnyJsonValueVerbatim() throws BadValue {
        ColumnType t = type("jsonb");
        assertThat(json(t, "{\"a\": [1, {\"b\": null}]}")).isEqualTo("{\"a\": [1, {\"b\": null}]}");
        assertThat(json(t, "[ 1,2 ]")).isEqualTo("[ 1,2 ]");
        assertThat(json(t, "\"é \\\" x\"")).isEqualTo("\"é \\\" x\"");
        assertThat(json(t, "1.0e3")).isEqualTo("1.0e3");
        assertThat(t.fromText("{\"csv\": true}")).isEqualTo("{\"csv\": true}");
    }

    @Test
    void enumsCheckTheirLabels() throws BadValue {
        ColumnType mood = TableSchema.typeOf("mood", "e", -1, Set.of("happy", "sad"), ZoneId.of("UTC"));
        assertThat(mood.fromText("sad")).isEqualTo("sad");
        assertThatThrownBy(() -> mood.fromText("Sad")).hasMessageContaining("is not a label of enum mood [happy, sad]");
    }

    @Test
    void arraysFromLiteralsAndJson() throws BadValue {
        ColumnType ints = new ColumnType.Array(type("int4"));
        ColumnType texts = new ColumnType.Array(type("text"));
        assertThat(ints.fromText("{1, 2 ,NULL,-3}")).isEqualTo(Arrays.asList(1, 2, null, -3));
        assertThat(ints.fromText("{}")).isEqualTo(List.of());
        assertThat(texts.fromText("{a,\"b,c\",\"d\\\"e\",\"NULL\", f g }")).isEqualTo(List.of("a", "b,c", "d\"e", "NULL", "f g"));
        assertThatThrownBy(() -> ints.fromText("{1,x}")).hasMessageContaining("array element 1: not an integer");
        assertThatThrownBy(() -> ints.fromText("{{1},{2}}")).hasMessageContaining("multi-dimensional");
        assertThatThrownBy(() -> ints.fromText("1,2")).hasMessageContaining("not an array literal");
        assertThat(json(ints, "[1, null, 3]")).isEqualTo(Arrays.asList(1, null, 3));
        assertThat(json(texts, "[\"x\", 2]")).isEqualTo(List.of("x", "2"));
        assertThatThrownBy(() -> json(ints, "[1, \"a\", 3]")).hasMessageContaining("array element 1: not an integer");
        assertThatThrownBy(() -> json(ints, "[1, [2], 3]")).hasMessageContaining("nested arrays are not supported");
    }

    @Test
    void catalogTypesMapToTheSinksTypes() {
        assertThat(TableSchema.typeOf("varchar", "b", 14, Set.of(), ZoneId.of("UTC")).pgType().sqlName())
                .isEqualTo("varchar(10)");
        assertThat(TableSchema.typeOf("numeric", "b", (12 << 16 | 2) + 4, Set.of(), ZoneId.of("UTC")).pgType()
                .sqlName()).isEqualTo("numeric(12,2)");
        assertThat(TableSchema.typeOf("bpchar", "b", 7, Set.of(), ZoneId.of("UTC")).pgType()).isNotEqualTo(PgType.TEXT);
        assertThat(TableSchema.typeOf("inet", "b", -1, Set.of(), ZoneId.of("UTC"))).isNull();
    }
}
