package io.fluxgate.window.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.fluxgate.window.frame.FrameResult.Frame;
import io.fluxgate.window.frame.FrameResult.Malformed;
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
    void aFrameCutOffWhereItsSeparatorShouldBeIsMalformedWhateverItsLastByteOrTheNextByteInTheBuffer() {
        assertThat(reason("{\"uid\":\"u\",\"ts\":1,\"x\":{\"y\":1}"))
                .isEqualTo("invalid JSON: unexpected end of input at byte 29");
        assertThat(reason("{\"uid\":\"u\",\"ts\":1,\"x\":\"}\"")).startsWith("invalid JSON: unexpected end of input");
        assertThat(reason("{\"uid\":\"u\",\"ts\":1 ")).startsWith("invalid JSON: unexpected end of input");
        // the byte after the slice would close the object: it is not part of the value
        byte[] buf = "{\"uid\":\"u\",\"ts\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(reader.read(buf, 0, buf.length - 1)).isInstanceOf(Malformed.class);
        assertThat(reader.read(buf, 0, buf.length)).isEqualTo(new Frame("u", 1));
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

    // ---------------------------------------------------------------- edge cases of the hand-written scanner

    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                for (int b : (int[]) p) {
                    out.write(b);
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void escapedNamesMatchInEveryForm() {
        assertThat(read("{\"u\\u0069d\":\"a\",\"t\\u0073\":1}")).isEqualTo(new Frame("a", 1));
        assertThat(read("{\"\\u0075\\u0069\\u0064\":\"a\",\"\\u0074\\u0073\":1}")).isEqualTo(new Frame("a", 1));
        assertThat(read("{\"\\u0055ID\":\"a\",\"uid\":\"b\",\"ts\":1}")).isEqualTo(new Frame("b", 1));
        // a nested escaped uid is still nested
        assertThat(reason("{\"o\":{\"u\\u0069d\":\"a\"},\"ts\":1}")).isEqualTo("missing uid");
        // names that only look alike
        assertThat(reason("{\"uid \":\"a\",\"UID\":\"b\",\"ui\":\"c\",\"uidd\":\"d\",\"ts\":1}")).isEqualTo("missing uid");
        assertThat(reason("{\"uid\\u0000\":\"a\",\"ts\":1}")).isEqualTo("missing uid");
    }

    @Test
    void nonAsciiFieldNamesMatchRawAndEscaped() {
        RootFrameReader r = RootFrameReader.of("ユーザー", "時刻");
        assertThat(r.read("{\"ユーザー\":\"a\",\"時刻\":2}".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Frame("a", 2));
        assertThat(r.read("{\"\\u30e6\\u30fc\\u30b6\\u30fc\":\"a\",\"\\u6642\\u523B\":2}")).isEqualTo(new Frame("a", 2));
        RootFrameReader emoji = RootFrameReader.of("\uD83D\uDE00", "ts");
        assertThat(emoji.read("{\"\\ud83d\\ude00\":\"a\",\"ts\":2}")).isEqualTo(new Frame("a", 2));
        assertThat(emoji.read("{\"\uD83D\uDE00\":\"a\",\"ts\":2}")).isEqualTo(new Frame("a", 2));
    }

    @Test
    void uidEscapesDecodeExactly() {
        assertThat(read("{\"uid\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"ts\":1}")).isEqualTo(new Frame("\"\\/\b\f\n\r\t", 1));
        assertThat(read("{\"uid\":\"\\u0041\\u00e9\\u00E9\\u20ac\\u0000\",\"ts\":1}")).isEqualTo(new Frame("Aéé€\0", 1));
        assertThat(read("{\"uid\":\"\\ud83d\\ude00 \uD83D\uDE00\",\"ts\":1}")).isEqualTo(new Frame("\uD83D\uDE00 \uD83D\uDE00", 1));
        assertThat(read("{\"uid\":\"x\\u00e9y\u00e9z\\n\",\"ts\":1}")).isEqualTo(new Frame("xéyéz\n", 1));
        // half a surrogate pair in a value is kept, as Jackson keeps it (only names refuse it)
        assertThat(reader.read(bytes("{\"uid\":\"a\\ud800\",\"ts\":1}"))).isEqualTo(new Frame("a\uD800", 1));
    }

    @Test
    void multiByteUtf8DecodesInEveryLengthAndAlignment() {
        String[] chars = {"é", "€", "\uD83D\uDE00", "\u07ff", "\u0800", "\uffff", "\uD800\uDC00", "\uDBFF\uDFFF"};
        for (String c : chars) {
            for (int pad = 0; pad < 17; pad++) {
                String uid = "x".repeat(pad) + c + "y".repeat(16 - pad);
                assertThat(read("{\"uid\":\"" + uid + "\",\"ts\":1}")).as("%s at %d", c, pad).isEqualTo(new Frame(uid, 1));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "C0 80", "C1 BF",             // overlong 2-byte
            "E0 80 80", "E0 9F BF",       // overlong 3-byte
            "F0 80 80 80", "F0 8F BF BF", // overlong 4-byte
            "ED A0 80", "ED BF BF",       // UTF-16 surrogates encoded
            "F4 90 80 80", "F5 80 80 80", "F7 BF BF BF", // above U+10FFFF
            "F8 88 80 80 80", "FC 84 80 80 80 80", "FE", "FF", // never in UTF-8
            "80", "BF",                   // continuation without a start
            "C3 28", "E2 82 28", "F0 9F 98 28", // start without enough continuations
            "C3", "E2 82", "F0 9F 98",    // cut short by the closing quote
    })
    void invalidUtf8AnywhereIsMalformed(String hex) {
        int[] seq = java.util.Arrays.stream(hex.split(" ")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
        // the previous Jackson-based reader accepted the overlong, surrogate and above-U+10FFFF forms in strings
        // (and decoded such a uid to garbage): invalid UTF-8 is malformed wherever it is
        assertThat(reader.read(bytes("{\"uid\":\"a", seq, "\",\"ts\":1}"))).as("in uid").isInstanceOf(Malformed.class);
        assertThat(reader.read(bytes("{\"uid\":\"a\",\"x\":\"", seq, "\",\"ts\":1}"))).as("in a skipped string").isInstanceOf(Malformed.class);
        assertThat(reader.read(bytes("{\"uid\":\"a\",\"x\":[{\"y\":\"12345678", seq, "\"}],\"ts\":1}"))).as("nested").isInstanceOf(Malformed.class);
        assertThat(reader.read(bytes("{\"", seq, "\":1,\"uid\":\"a\",\"ts\":1}"))).as("in a name").isInstanceOf(Malformed.class);
        assertThat(reader.read(bytes("{\"uid\":\"a\",\"ts\":1}", seq))).as("after the object").isInstanceOf(Malformed.class);
        assertThat(reader.read(bytes("{\"uid\":\"a\",\"ts\":1", seq, "}"))).as("between tokens").isInstanceOf(Malformed.class);
    }

    @Test
    void validUtf8OfEveryLengthIsAccepted() {
        // the boundaries of the strict ranges: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF
        String[] ok = {"C2 80", "DF BF", "E0 A0 80", "ED 9F BF", "EE 80 80", "EF BF BF", "F0 90 80 80", "F4 8F BF BF"};
        for (String hex : ok) {
            int[] seq = java.util.Arrays.stream(hex.split(" ")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
            byte[] raw = bytes("", seq);
            String text = new String(raw, StandardCharsets.UTF_8);
            assertThat(reader.read(bytes("{\"uid\":\"", seq, "\",\"x\":\"", seq, "\",\"ts\":1}"))).as(hex).isEqualTo(new Frame(text, 1));
        }
    }

    @Test
    void rawControlCharactersInStringsAndNamesAreMalformedButDelIsNot() {
        for (char c = 0; c < 0x20; c++) {
            assertThat(read("{\"uid\":\"a" + c + "\",\"ts\":1}")).as("uid with %02x", (int) c).isInstanceOf(Malformed.class);
            assertThat(read("{\"uid\":\"a\",\"x\":\"" + c + "\",\"ts\":1}")).as("string with %02x", (int) c).isInstanceOf(Malformed.class);
            assertThat(read("{\"a" + c + "\":1,\"uid\":\"a\",\"ts\":1}")).as("name with %02x", (int) c).isInstanceOf(Malformed.class);
        }
        assertThat(read("{\"uid\":\"a\u007f\",\"\u007f\":\"\u007f\",\"ts\":1}")).isEqualTo(new Frame("a\u007f", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\x", "\\U0041", "\\u12", "\\u12G4", "\\u-123", "\\'", "\\ ", "\\0", "\\"})
    void badEscapesAreMalformed(String escape) {
        assertThat(read("{\"uid\":\"a" + escape + "\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{\"uid\":\"a\",\"x\":\"" + escape + "\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{\"" + escape + "\":1,\"uid\":\"a\",\"ts\":1}")).isInstanceOf(Malformed.class);
    }

    @Test
    void aHexDigitOfAnEscapeMustBeAsciiInTextToo() {
        // the Jackson reader's char parser took any char whose low byte is a hex digit for that digit: it read
        // this uid (U+5732 in place of the fourth digit) as U+6EA2
        assertThat(reader.read("{\"uid\":\"\\u6EA\u5732\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(reader.read("{\"\\u006\u5739\":1,\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "\\udc00", "\\ud800x", "\\ud800\\n", "\\ud800\\u0041", "\\udc00\\ud800"})
    void halfASurrogatePairInANameIsMalformedAsJacksonSaid(String name) {
        assertThat(reason("{\"" + name + "\":1,\"uid\":\"a\",\"ts\":1}")).startsWith("invalid JSON: ");
        assertThat(read("{\"x\":{\"" + name + "\":1},\"uid\":\"a\",\"ts\":1}")).isInstanceOf(Malformed.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-01", "00", "-00", "00.5", "1.", "-", "--1", "+1", ".5", "1.e5", "1e", "1e+", "1E-",
            "0x10", "1.5.3", "1e5e3", "Infinity", "-Infinity", "NaN", "tru", "nul", "fals", "truex", "nulll", "True", "NULL"})
    void badNumbersAndLiteralsAnywhereAreMalformed(String bad) {
        assertThat(read("{\"uid\":\"a\",\"ts\":" + bad + "}")).as("ts").isInstanceOf(Malformed.class);
        assertThat(read("{\"uid\":\"a\",\"ts\":1,\"x\":" + bad + "}")).as("root").isInstanceOf(Malformed.class);
        assertThat(read("{\"uid\":\"a\",\"ts\":1,\"x\":[0," + bad + "]}")).as("nested").isInstanceOf(Malformed.class);
        assertThat(read("{\"uid\":\"a\",\"ts\":1,\"x\":{\"y\":" + bad + "}}")).as("in a nested object").isInstanceOf(Malformed.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "7", "-7", "0.0", "-0.0", "0e0", "0E+0", "1e-0", "-1.25e+300", "123456789012345678901234567890",
            "1.7976931348623157E309", "4.9e-400"})
    void goodNumbersAreSkipped(String good) {
        assertThat(read("{\"uid\":\"a\",\"ts\":1,\"x\":" + good + ",\"y\":[" + good + "," + good + "]}")).isEqualTo(new Frame("a", 1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0e0     | ts is a float, not an integer",
            "1E+2    | ts is a float, not an integer",
            "-0.0    | ts is a float, not an integer",
            "2e-1    | ts is a float, not an integer",
            "1.0e0   | ts is a float, not an integer",
            "4611686018427387905  | ts is out of range [-2^62, 2^62]",
            "9223372036854775808  | ts is out of range [-2^62, 2^62]",
            "18446744073709551617 | ts is out of range [-2^62, 2^62]",
            "-9223372036854775809 | ts is out of range [-2^62, 2^62]",
    })
    void tsReasons(String ts, String expected) {
        assertThat(reason("{\"uid\":\"u\",\"ts\":" + ts + "}")).isEqualTo(expected);
    }

    @Test
    void tsOfNineteenDigitsIsParsedExactlyNearTheBound() {
        assertThat(read("{\"uid\":\"u\",\"ts\":4611686018427387903}")).isEqualTo(new Frame("u", (1L << 62) - 1));
        assertThat(read("{\"uid\":\"u\",\"ts\":-4611686018427387903}")).isEqualTo(new Frame("u", -(1L << 62) + 1));
        assertThat(read("{\"uid\":\"u\",\"ts\":1000000000000000000}")).isEqualTo(new Frame("u", 1_000_000_000_000_000_000L));
        assertThat(read("{\"uid\":\"u\",\"ts\":-1700000000}")).isEqualTo(new Frame("u", -1_700_000_000L));
    }

    @Test
    void limitsAreJacksonsDefaults() {
        // nesting: the root object counts one, 500 is allowed
        String ok = "[".repeat(499) + "]".repeat(499);
        String deep = "[".repeat(500) + "]".repeat(500);
        assertThat(read("{\"x\":" + ok + ",\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
        assertThat(reason("{\"x\":" + deep + ",\"uid\":\"u\",\"ts\":1}")).startsWith("invalid JSON: nesting depth 501");
        assertThat(read("{\"x\":" + "{\"a\":".repeat(499) + "1" + "}".repeat(499) + ",\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
        assertThat(read("{\"x\":" + "{\"a\":[".repeat(250) + "]}".repeat(250) + ",\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        // numbers: 1000 digits (integer, fraction and exponent digits together)
        assertThat(read("{\"x\":1" + "0".repeat(999) + ",\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
        assertThat(read("{\"x\":-1" + "0".repeat(999) + ",\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
        assertThat(read("{\"x\":1" + "0".repeat(1000) + ",\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{\"x\":1." + "0".repeat(499) + "e+" + "0".repeat(500) + ",\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
        assertThat(read("{\"x\":1." + "0".repeat(500) + "e+" + "0".repeat(500) + ",\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(reason("{\"uid\":\"u\",\"ts\":1" + "0".repeat(999) + "}")).isEqualTo("ts is out of range [-2^62, 2^62]");
        assertThat(reason("{\"uid\":\"u\",\"ts\":1" + "0".repeat(1000) + "}")).startsWith("invalid JSON: ");
        // names: 50,000 UTF-8 bytes, however written
        assertThat(read("{\"" + "k".repeat(50_000) + "\":1,\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
        assertThat(read("{\"" + "k".repeat(50_001) + "\":1,\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{\"o\":{\"" + "é".repeat(25_001) + "\":1},\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{\"" + "\\u0041".repeat(50_000) + "\":1,\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
        assertThat(read("{\"" + "\\u0041".repeat(50_001) + "\":1,\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        // values are not limited
        assertThat(read("{\"x\":\"" + "v".repeat(200_000) + "\",\"uid\":\"u\",\"ts\":1}")).isEqualTo(new Frame("u", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u000b", "\f", "\u00a0", "\u2028", "\u0000", "\u001c"})
    void onlySpaceTabCrLfAreWhitespace(String ws) {
        assertThat(read(ws + "{\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{" + ws + "\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{\"uid\":\"u\"," + ws + "\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(read("{\"uid\":\"u\",\"ts\":1}" + ws)).isInstanceOf(Malformed.class);
        assertThat(read(ws)).isInstanceOf(Malformed.class);
    }

    @Test
    void aByteOrderMarkIsSkippedBeforeBytesButNotText() {
        int[] bom = {0xEF, 0xBB, 0xBF};
        assertThat(reader.read(bytes("", bom, "{\"uid\":\"u\",\"ts\":1}"))).isEqualTo(new Frame("u", 1));
        assertThat(reader.read(bytes("", bom, " "))).isSameAs(FrameResult.blank());
        assertThat(reader.read(bytes(" ", bom, "{\"uid\":\"u\",\"ts\":1}"))).isInstanceOf(Malformed.class);
        assertThat(reader.read(bytes("", bom, bom, "{\"uid\":\"u\",\"ts\":1}"))).isInstanceOf(Malformed.class);
        // the Jackson reader's char parser did not skip one either
        assertThat(reader.read("\uFEFF{\"uid\":\"u\",\"ts\":1}")).isInstanceOf(Malformed.class);
    }

    @Test
    void onlyUtf8IsRead() {
        // the Jackson reader detected UTF-16 and UTF-32 by their byte order marks or zero bytes and read them
        assertThat(reader.read("{\"uid\":\"u\",\"ts\":1}".getBytes(StandardCharsets.UTF_16BE))).isInstanceOf(Malformed.class);
        assertThat(reader.read("{\"uid\":\"u\",\"ts\":1}".getBytes(StandardCharsets.UTF_16))).isInstanceOf(Malformed.class);
        assertThat(reader.read("{\"uid\":\"u\",\"ts\":1}".getBytes(StandardCharsets.UTF_16LE))).isInstanceOf(Malformed.class);
    }

    @Test
    void aLoneSurrogateInTextIsMalformed() {
        // such a String has no UTF-8 form (the bytes entry point can never see it); the Jackson reader passed the
        // lone char through into the uid
        assertThat(reader.read("{\"uid\":\"a\uD800\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(reader.read("{\"uid\":\"a\",\"x\":\"\uDC00\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(reader.read("{\"uid\":\"a\",\"x\":\"\uDC00\uD800\",\"ts\":1}")).isInstanceOf(Malformed.class);
        assertThat(reader.read("{\"uid\":\"a\uD800\uDC00\",\"ts\":1}")).isEqualTo(new Frame("a\uD800\uDC00", 1));
    }

    @Test
    void everySpecialByteAtEveryAlignmentOfALongString() {
        // the scanner skips strings eight bytes at a time, the first 24 bytes in one loop, then two words in
        // another, then 32 bytes per step with the flags of four words ORed: put what stops it at every offset of
        // every word of those, and of the blocks after them
        JacksonFrameReader jackson = new JacksonFrameReader();
        String[] specials = {"\\\"", "\\\\", "\\n", "\\u0041", "é", "€", "\uD83D\uDE00", "\"", "\\", "\u0001", "\u007f"};
        for (String special : specials) {
            for (int pad = 0; pad < 136; pad++) {
                String padded = "p".repeat(pad) + special + "q".repeat(135 - pad);
                for (String json : new String[]{
                        "{\"uid\":\"" + padded + "\",\"ts\":1}",
                        "{\"" + padded + "\":0,\"uid\":\"u\",\"ts\":1}",
                        "{\"x\":\"" + padded + "\",\"uid\":\"u\",\"ts\":1}",
                        "{\"x\":[\"" + padded + "\"],\"uid\":\"u\",\"ts\":1}"}) {
                    byte[] b = json.getBytes(StandardCharsets.UTF_8);
                    RootFrameReaderPropertiesTest.assertAgrees(b, jackson.read(b), reader.read(b));
                }
            }
        }
    }

    @Test
    void aStringEndingAtEveryDistanceFromTheEndOfInputIsRead() {
        // the word and block loops stop eight and 32 bytes before the end of the input: strings that end just
        // before, at and after those points, read from a slice of a larger buffer whose bytes after the slice (a
        // quote and a brace, which would end the string and the object) must never be read
        String[][] around = {{"{\"uid\":\"u\",\"ts\":1,\"x\":\"", "\"}"}, {"{\"uid\":\"u\",\"ts\":1,\"", "\":0}"}, {"{\"ts\":1,\"uid\":\"", "\"}"}};
        for (int n = 0; n < 120; n++) {
            String body = "a".repeat(n);
            for (String[] a : around) {
                String json = a[0] + body + a[1];
                byte[] b = json.getBytes(StandardCharsets.UTF_8);
                byte[] buffer = java.util.Arrays.copyOf(b, b.length + 40);
                java.util.Arrays.fill(buffer, b.length, buffer.length, (byte) '"');
                boolean isUid = a[0].endsWith("\"uid\":\"");
                FrameResult expected = !isUid ? new Frame("u", 1) : n == 0 ? new Malformed("uid is empty") : new Frame(body, 1);
                assertThat(reader.read(buffer, 0, b.length)).as(json).isEqualTo(expected);
                // cut inside the string: the quote after the slice must not close it
                int cut = a[0].length() + n;
                assertThat(reader.read(buffer, 0, cut)).as("%s cut at %d", json, cut).isInstanceOf(Malformed.class);
            }
        }
    }

    @Test
    void aStringRunningToTheEndOfInputIsMalformedAtEveryLength() {
        for (int n = 0; n < 20; n++) {
            String body = "a".repeat(n);
            assertThat(read("{\"uid\":\"u\",\"ts\":1,\"x\":\"" + body)).as("value of %d", n).isInstanceOf(Malformed.class);
            assertThat(read("{\"uid\":\"" + body)).as("uid of %d", n).isInstanceOf(Malformed.class);
            assertThat(read("{\"uid\":\"u\",\"ts\":1,\"" + body)).as("name of %d", n).isInstanceOf(Malformed.class);
            assertThat(read("{\"uid\":\"u\",\"ts\":1,\"x\":\"" + body + "\\")).as("escape at the end, %d", n).isInstanceOf(Malformed.class);
        }
    }

    @Test
    void malformedReasonsAreOneLineAndSayWhere() {
        assertThat(reason("{\"uid\":\"u\",\"ts\":1,\"x\":[1,2}")).isEqualTo("invalid JSON: unexpected character '}', expected ',' or ']' after an array element at byte 26");
        assertThat(reason("{\"uid\":\"u\n\",\"ts\":1}")).isEqualTo("invalid JSON: control character 0x0a in a string must be escaped at byte 9");
        assertThat(reason("{\"uid\":\"u\",\"ts\":01}")).isEqualTo("invalid JSON: leading zeroes are not allowed in a number at byte 17");
    }

    @Test
    void readsABuffersRemainingBytesWithoutMovingIt() {
        ByteBuffer value = ByteBuffer.wrap("xx{\"uid\":\"c\",\"ts\":2}yy".getBytes(StandardCharsets.UTF_8), 2, 18).slice();
        assertThat(reader.read(value)).isEqualTo(new Frame("c", 2));
        assertThat(value.position()).isZero();
        assertThat(reader.read((ByteBuffer) null)).isEqualTo(new Malformed("null value"));
        ByteBuffer direct = ByteBuffer.allocateDirect(30).put("   {\"uid\":\"d\",\"ts\":3}".getBytes(StandardCharsets.UTF_8)).flip();
        direct.position(3);
        assertThat(reader.read(direct)).isEqualTo(new Frame("d", 3));
        assertThat(direct.position()).isEqualTo(3);
    }
}
