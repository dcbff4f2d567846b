package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * A CSV field read from its bytes ({@link ColumnType#fromBytes}, the fast paths) means exactly what the same field
 * read as text means ({@link ColumnType#fromText}, the reference): the same value (a numeric's scale included) or
 * the same rejection message.
 */
class ColumnTypeBytesTest {

    private static final List<String> TYPES = List.of("int2", "int4", "int8", "numeric", "bool", "uuid", "timestamp",
            "timestamptz", "date", "text", "float8");

    private static final List<String> CASES = List.of("", " ", "0", "-0", "+0", "7", "-7", "+42", " 42", "42 ", "12a",
            "--1", "+", "-", "32767", "32768", "-32768", "-32769", "2147483647", "2147483648", "-2147483649",
            "999999999999999999", "-999999999999999999", "1000000000000000000", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "00012", "1.5", "-12.30", "+0.05", ".5", "5.", "1.2.3",
            "1e3", "12345678901234567.8", "1234567890123456789.5", "0.000000000000000001", "NaN", "Infinity",
            "t", "f", "T", "F", "y", "n", "1", "true", "FALSE", "on", "x", "tt",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
            "3f2504e04f8911d39a0c0305e82c3301", "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}",
            "3f2504e0-4f89-11d3-9a0c-0305e82c330g", "3f2504e0x4f89-11d3-9a0c-0305e82c3301",
            "3f2504e0-4f89-11d3-9a0c-0305e82c33é",
            "2024-01-31", "2024-01-31 12:34", "2024-01-31 12:34:56", "2024-01-31T12:34:56.123456789",
            "2024-01-31t12:34:56.1234567891", "2024-01-31 12:34:56.", "2024-01-31 12:34:56Z", "2024-01-31 12:34:56z",
            "2024-01-31 12:34:56+02", "2024-01-31 12:34:56-0230", "2024-01-31 12:34:56+02:30", "2024-01-31 12:34:56+19",
            "2024-01-31 12:34:56+02:61", "2024-02-30 12:00:00", "2024-01-31 25:00:00", "2024-01-31 12:34:56 ",
            " 2024-01-31 12:34:56", "+10000-01-01T00:00:00", "infinity", "-infinity", "2024-01-31 12:34:56+2",
            "2024-01-31 12:34:56+02:3", "2024-03-31 02:30:00", "é", "日本", "note 1, with comma");

    private static ColumnType type(String name) {
        return TableSchema.typeOf(name, "b", -1, Set.of(), ZoneId.of("Europe/Berlin"));
    }

    /** The value, or the rejection's message. */
    private static Object outcome(ThrowingSupplier f) {
        try {
            return f.get();
        } catch (BadValue e) {
            return "rejected: " + e.getMessage();
        }
    }

    private interface ThrowingSupplier {
        Object get() throws BadValue;
    }

    private static void check(ColumnType t, String name, String field) {
        byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
        byte[] record = new byte[utf8.length + 6]; // the field inside a record, as CsvReader holds it
        record[0] = 'x';
        record[1] = ',';
        System.arraycopy(utf8, 0, record, 2, utf8.length);
        record[utf8.length + 2] = ',';
        record[utf8.length + 3] = '9';
        Object expected = outcome(() -> t.fromText(field));
        Object actual = outcome(() -> t.fromBytes(record, 2, 2 + utf8.length));
        assertThat(actual).as(name + " of '" + field + "'").isEqualTo(expected);
        if (expected != null) {
            assertThat(actual.getClass()).as(name + " of '" + field + "'").isEqualTo(expected.getClass());
        }
    }

    @Test
    void bytesMeanWhatTheTextMeans() {
        for (String name : TYPES) {
            ColumnType t = type(name);
            for (String field : CASES) {
                check(t, name, field);
            }
        }
    }

    @Test
    void generatedFieldsMeanWhatTheirTextMeans() {
        Random random = new Random(20);
        String alphabet = "0123456789-+.: TtZzabcdefABCDEF{}xé";
        List<String> shapes = new ArrayList<>(CASES);
        for (int i = 0; i < 10_000; i++) {
            StringBuilder sb;
            if (random.nextBoolean()) {
                // a valid-looking value with a few characters changed
                sb = new StringBuilder(shapes.get(random.nextInt(shapes.size())));
                for (int k = random.nextInt(3); k >= 0 && !sb.isEmpty(); k--) {
                    sb.setCharAt(random.nextInt(sb.length()), alphabet.charAt(random.nextInt(alphabet.length())));
                }
            } else {
                sb = new StringBuilder();
                for (int k = random.nextInt(40); k > 0; k--) {
                    sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String field = sb.toString();
            for (String name : TYPES) {
                check(type(name), name, field);
            }
        }
    }
}
