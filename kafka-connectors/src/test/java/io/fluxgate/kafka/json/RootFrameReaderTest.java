package io.fluxgate.kafka.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import io.fluxgate.kafka.json.FrameResult.Frame;
import io.fluxgate.kafka.json.FrameResult.Malformed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RootFrameReaderTest {

    private final RootFrameReader reader = RootFrameReader.ofDefaults();

    /** Reads through both entry points (bytes and text) and checks they agree. */
    private FrameResult read(String json) {
        FrameResult fromBytes = reader.read(json.getBytes(StandardCharsets.UTF_8));
        FrameResult fromText = reader.read(json);
        // the byte and char parsers word syntax errors differently; everything else must match exactly
        if (fromBytes instanceof Malformed m && m.reason().startsWith("invalid JSON: ")) {
            assertThat(((Malformed) fromText).reason()).startsWith("invalid JSON: ");
        } else {
            assertThat(fromText).isEqualTo(fromBytes);
        }
        return fromBytes;
    }

    private String reason(String json) {
        FrameResult r = read(json);
        assertThat(r).isInstanceOf(Malformed.class);
        return ((Malformed) r).reason();
    }

    @Test
    void validFrame() {
        assertThat(read("{\"uid\":\"a1b2c3d4e5f60718293\",\"ts\":1700000000}"))
                .isEqualTo(new Frame("a1b2c3d4e5f60718293", 1700000000L));
    }

    @Test
    void fieldOrderAndWhitespaceDoNotMatter() {
        assertThat(read(" \t{ \"ts\" : -5 ,\r\n \"uid\" : \"u\" }\n ")).isEqualTo(new Frame("u", -5));
    }

    @Test
    void otherFieldsOfAnyKindAreIgnored() {
        assertThat(read("{\"a\":[1,2,{\"x\":null}],\"uid\":\"u\",\"b\":{\"c\":1.5e9},\"ts\":7,\"d\":true,\"e\":null,\"f\":\"s\",\"g\":-0.5}"))
                .isEqualTo(new Frame("u", 7));
    }

    @Test
    void nestedFieldsWithTheSameNamesAreNotRootFields() {
        assertThat(read("{\"meta\":{\"uid\":\"nested\",\"ts\":1},\"uid\":\"root\",\"ts\":2,\"list\":[{\"uid\":\"n2\",\"ts\":3}]}"))
                .isEqualTo(new Frame("root", 2));
        assertThat(reason("{\"meta\":{\"uid\":\"nested\",\"ts\":1}}")).isEqualTo("missing uid");
        assertThat(reason("{\"uid\":\"root\",\"meta\":{\"deeper\":{\"ts\":1}}}")).isEqualTo("missing ts");
        assertThat(reason("{\"ts\":1,\"a\":[[{\"uid\":\"x\"}]]}")).isEqualTo("missing uid");
    }

    @Test
    void fieldNameAsAStringValueIsNotAField() {
        assertThat(reason("{\"x\":\"uid\",\"ts\":1}")).isEqualTo("missing uid");
    }

    @Test
    void escapedAndUnicodeUidIsDecoded() {
        assertThat(read("{\"uid\":\"a\\\"b\\u00e9\",\"ts\":1}")).isEqualTo(new Frame("a\"bé", 1));
        assertThat(read("{\"uid\":\"日本\",\"ts\":1}")).isEqualTo(new Frame("日本", 1));
    }

    @Test
    void escapedFieldNameMatches() {
        assertThat(read("{\"\\u0075id\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   \t\r\n  ", "\n"})
    void blankValueIsBlankNotMalformed(String blank) {
        assertThat(read(blank)).isSameAs(FrameResult.blank());
    }

    @Test
    void nullValueIsMalformed() {
        assertThat(reader.read((byte[]) null)).isEqualTo(new Malformed("null value"));
        assertThat(reader.read((String) null)).isEqualTo(new Malformed("null value"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[1,2]                     | not a JSON object but an array",
            "\"str\"                   | not a JSON object but a string",
            "42                        | not a JSON object but an integer",
            "null                      | not a JSON object but null",
            "true                      | not a JSON object but a boolean",
    })
    void nonObjectIsMalformed(String json, String expected) {
        assertThat(reason(json)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"uid\":5,\"ts\":1}          | uid is an integer, not a string",
            "{\"uid\":null,\"ts\":1}       | uid is null, not a string",
            "{\"uid\":true,\"ts\":1}       | uid is a boolean, not a string",
            "{\"uid\":{\"a\":1},\"ts\":1}  | uid is an object, not a string",
            "{\"uid\":[\"a\"],\"ts\":1}    | uid is an array, not a string",
            "{\"uid\":\"\",\"ts\":1}       | uid is empty",
            "{\"ts\":1}                    | missing uid",
            "{}                            | missing uid",
    })
    void uidRules(String json, String expected) {
        assertThat(reason(json)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"uid\":\"u\",\"ts\":1.5}     | ts is a float, not an integer",
            "{\"uid\":\"u\",\"ts\":1e3}     | ts is a float, not an integer",
            "{\"uid\":\"u\",\"ts\":1E3}     | ts is a float, not an integer",
            "{\"uid\":\"u\",\"ts\":1.0}     | ts is a float, not an integer",
            "{\"uid\":\"u\",\"ts\":\"123\"} | ts is a string, not an integer",
            "{\"uid\":\"u\",\"ts\":true}    | ts is a boolean, not an integer",
            "{\"uid\":\"u\",\"ts\":false}   | ts is a boolean, not an integer",
            "{\"uid\":\"u\",\"ts\":null}    | ts is null, not an integer",
            "{\"uid\":\"u\",\"ts\":[1]}     | ts is an array, not an integer",
            "{\"uid\":\"u\",\"ts\":{}}      | ts is an object, not an integer",
            "{\"uid\":\"u\"}                | missing ts",
    })
    void tsMustBeAnInteger(String json, String expected) {
        assertThat(reason(json)).isEqualTo(expected);
    }

    @Test
    void tsRangeIsInclusiveMinusTwoToTheSixtySecondToTwoToTheSixtySecond() {
        long max = 1L << 62;
        assertThat(read("{\"uid\":\"u\",\"ts\":" + max + "}")).isEqualTo(new Frame("u", max));
        assertThat(read("{\"uid\":\"u\",\"ts\":" + (-max) + "}")).isEqualTo(new Frame("u", -max));
        assertThat(read("{\"uid\":\"u\",\"ts\":0}")).isEqualTo(new Frame("u", 0));
        assertThat(read("{\"uid\":\"u\",\"ts\":-0}")).isEqualTo(new Frame("u", 0));
        assertThat(reason("{\"uid\":\"u\",\"ts\":" + (max + 1) + "}")).isEqualTo("ts is out of range [-2^62, 2^62]");
        assertThat(reason("{\"uid\":\"u\",\"ts\":" + (-max - 1) + "}")).isEqualTo("ts is out of range [-2^62, 2^62]");
        assertThat(reason("{\"uid\":\"u\",\"ts\":" + Long.MAX_VALUE + "}")).isEqualTo("ts is out of range [-2^62, 2^62]");
        assertThat(reason("{\"uid\":\"u\",\"ts\":99999999999999999999999999}")).isEqualTo("ts is out of range [-2^62, 2^62]");
        assertThat(reason("{\"uid\":\"u\",\"ts\":-99999999999999999999999999}")).isEqualTo("ts is out of range [-2^62, 2^62]");
    }

    @Test
    void aRepeatedRootFieldCountsWithItsLastValue() {
        assertThat(read("{\"uid\":\"a\",\"uid\":\"b\",\"ts\":1}")).isEqualTo(new Frame("b", 1));
        assertThat(read("{\"uid\":\"a\",\"ts\":1,\"ts\":2}")).isEqualTo(new Frame("a", 2));
        assertThat(read("{\"uid\":5,\"uid\":\"b\",\"ts\":\"x\",\"ts\":3}")).isEqualTo(new Frame("b", 3));
        assertThat(reason("{\"uid\":\"a\",\"uid\":\"\",\"ts\":1}")).isEqualTo("uid is empty");
        assertThat(reason("{\"uid\":\"a\",\"ts\":1,\"ts\":1.5}")).isEqualTo("ts is a float, not an integer");
        assertThat(reason("{\"uid\":\"a\",\"ts\":1,\"ts\":[1]}")).isEqualTo("ts is an array, not an integer");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"uid\":\"u\",\"ts\":1}x",
            "{\"uid\":\"u\",\"ts\":1}}",
            "{\"uid\":\"u\",\"ts\":1} {\"uid\":\"v\",\"ts\":2}",
            "{\"uid\":\"u\",\"ts\":1}\n{}",
            "{\"uid\":\"u\",\"ts\":1} 5",
            "{\"uid\":\"u\",\"ts\":1},",
    })
    void trailingContentIsMalformed(String json) {
        assertThat(read(json)).isInstanceOf(Malformed.class);
    }

    @Test
    void trailingValueHasItsOwnReason() {
        assertThat(reason("{\"uid\":\"u\",\"ts\":1} {}")).isEqualTo("trailing content after the object");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{",
            "{\"uid\":\"u\",\"ts\":1",
            "{\"uid\":\"u\",\"ts\":1,}",
            "{\"uid\":\"u\" \"ts\":1}",
            "{uid:\"u\",\"ts\":1}",
            "{'uid':'u','ts':1}",
            "{\"uid\":\"u\",\"ts\":01}",
            "{\"uid\":\"u\",\"ts\":+1}",
            "{\"uid\":\"u\",\"ts\":NaN}",
            "{\"uid\":\"u\",\"ts\":1,\"x\":{\"y\":[1,2}}",
            "{\"uid\":\"u\",\"ts\":1,\"x\":\"unterminated}",
            "{\"uid\":\"u\",\"ts\":1 /* c */}",
            "not json",
    })
    void invalidJsonIsMalformedNeverAnException(String json) {
        FrameResult r = read(json);
        assertThat(r).isInstanceOf(Malformed.class);
        assertThat(((Malformed) r).reason()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void invalidJsonReasonSaysSo() {
        assertThat(reason("{\"uid\":\"u\",\"ts\":1,\"x\":[1,2}")).startsWith("invalid JSON: ");
    }

    @Test
    void invalidUtf8IsMalformed() {
        byte[] bad = {'{', '"', 'u', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', ',', '"', 't', 's', '"', ':', '1', '}'};
        assertThat(reader.read(bad)).isInstanceOf(Malformed.class);
    }

    @Test
    void readsASliceOfALargerBuffer() {
        byte[] buf = "xx{\"uid\":\"u\",\"ts\":3}yy".getBytes(StandardCharsets.UTF_8);
        assertThat(reader.read(buf, 2, buf.length - 4)).isEqualTo(new Frame("u", 3));
        assertThatThrownBy(() -> reader.read(buf, 2, buf.length)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void customFieldNames() {
        RootFrameReader r = RootFrameReader.of("user", "time");
        assertThat(r.read("{\"user\":\"a\",\"time\":9,\"uid\":5}")).isEqualTo(new Frame("a", 9));
        assertThatThrownBy(() -> RootFrameReader.of("x", "x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> RootFrameReader.of("", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deeplyNestedOtherFieldIsSkipped() {
        String deep = "[".repeat(200) + "]".repeat(200);
        assertThat(read("{\"x\":" + deep + ",\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
    }
}
