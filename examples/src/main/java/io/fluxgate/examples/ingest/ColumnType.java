package io.fluxgate.examples.ingest;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import io.fluxgate.jdbc.PgType;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * How the text of one input value becomes the Java value of a column's {@link PgType}: a CSV field, or a JSON-lines
 * root field (string, number, boolean, object or array). The checks PostgreSQL would make on the value itself
 * (length of a varchar, precision of a numeric, range of a date, validity of JSON) are left to the COPY sink's
 * {@code PgType}, which rejects such a row before the COPY; what is checked here is what the text means.
 *
 * <p>Accepted text, per type (surrounding whitespace is ignored for every type but the text types and enums):
 * integers in decimal ({@code int2}, {@code int4}, {@code int8}, range-checked); {@code float4}/{@code float8} in
 * decimal or scientific notation, {@code NaN}, {@code Infinity}/{@code inf} (values that overflow or underflow the
 * type are refused, as PostgreSQL does); {@code numeric} in decimal or scientific notation (no {@code NaN});
 * booleans as {@code true/false}, {@code t/f}, {@code yes/no}, {@code y/n}, {@code on/off}, {@code 1/0}; UUIDs as 32 hex
 * digits, hyphenated 8-4-4-4-12 or not, optionally in braces; dates {@code 2024-01-31}; timestamps
 * {@code 2024-01-31 12:34:56.789} ({@code T} or a space, seconds and fraction optional, a date alone is midnight),
 * with an offset ({@code Z}, {@code +02}, {@code +0200}, {@code +02:00}) for {@code timestamptz} (without one, the
 * zone of {@code --time-zone}) and none for {@code timestamp}; {@code infinity}/{@code -infinity} for dates and
 * timestamps; {@code bytea} as {@code \x} and hex digits; arrays as PostgreSQL array literals {@code {1,2,NULL}}
 * (CSV) or JSON arrays; json/jsonb as JSON text (CSV) or any JSON value (JSON lines).
 */
abstract class ColumnType {

    private final PgType<?> pgType;
    private final String expects;

    ColumnType(PgType<?> pgType, String expects) {
        this.pgType = pgType;
        this.expects = expects;
    }

    /** The sink's type for this column. */
    final PgType<?> pgType() {
        return pgType;
    }

    /** Whether an array of this type can be written with {@link PgType#array(PgType)}: the element OIDs must match. */
    boolean arrayable() {
        return true;
    }

    /** A CSV field, or a JSON string, for this column (never null). */
    abstract Object fromText(String text) throws BadValue;

    /**
     * A CSV field as its (valid) UTF-8 bytes {@code b[from, to)}: the same value, or the same rejection, as
     * {@link #fromText}. The types of the usual hot columns read the common shapes from the bytes directly (a String
     * per field was the largest allocation of a CSV load) and hand anything else to {@link #fromText}.
     */
    Object fromBytes(byte[] b, int from, int to) throws BadValue {
        return fromText(text(b, from, to));
    }

    static String text(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    /** Whether {@code b[from, to)} is not empty and has no whitespace (nor any non-ASCII byte) at either end. */
    private static boolean trimmed(byte[] b, int from, int to) {
        return to > from && b[from] > ' ' && b[to - 1] > ' ';
    }

    /** A JSON number, given as its literal text. */
    Object fromJsonNumber(String literal) throws BadValue {
        throw new BadValue("expected " + expects + ", found the number " + literal);
    }

    Object fromJsonBoolean(boolean value) throws BadValue {
        throw new BadValue("expected " + expects + ", found " + value);
    }

    Object fromJsonString(String value) throws BadValue {
        return fromText(value);
    }

    /** A JSON object or array; {@code p} is on its start token and must be left on its end token. */
    Object fromJsonContainer(JsonParser p, byte[] source) throws BadValue {
        String what = p.currentToken() == JsonToken.START_OBJECT ? "an object" : "an array";
        p.skipChildren();
        throw new BadValue("expected " + expects + ", found " + what);
    }

    /** The value whose first token {@code p} is on (not JSON null, which the caller maps to SQL NULL). */
    final Object fromJson(JsonParser p, byte[] source) throws BadValue {
        JsonToken t = p.currentToken();
        return switch (t) {
            case VALUE_STRING -> fromJsonString(p.getString());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> fromJsonNumber(p.getText());
            case VALUE_TRUE -> fromJsonBoolean(true);
            case VALUE_FALSE -> fromJsonBoolean(false);
            case START_OBJECT, START_ARRAY -> fromJsonContainer(p, source);
            default -> throw new BadValue("unexpected JSON token " + t);
        };
    }

    @Override
    public String toString() {
        return pgType.sqlName();
    }

    static String quoted(String text) {
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        return "'" + shown + "'";
    }

    // ---------------------------------------------------------------- integers

    static final class Int extends ColumnType {
        private final long min;
        private final long max;
        private final int bits;

        Int(PgType<?> pgType, int bits) {
            super(pgType, "an integer");
            this.bits = bits;
            this.min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
            this.max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        }

        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            if (!isInteger(s)) {
                throw new BadValue("not an integer: " + quoted(text));
            }
            long v;
            try {
                v = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new BadValue("integer " + quoted(s) + " is out of range for " + this);
            }
            if (v < min || v > max) {
                throw new BadValue("integer " + s + " is out of range for " + this);
            }
            return switch (bits) {
                case 16 -> (short) v;
                case 32 -> (int) v;
                default -> v;
            };
        }

        @Override
        Object fromBytes(byte[] b, int from, int to) throws BadValue {
            int i = from;
            boolean negative = false;
            if (i < to && (b[i] == '-' || b[i] == '+')) {
                negative = b[i++] == '-';
            }
            if (i == to || to - i > 18) { // 18 digits cannot overflow a long
                return fromText(text(b, from, to));
            }
            long v = 0;
            for (; i < to; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    return fromText(text(b, from, to));
                }
                v = v * 10 + d;
            }
            if (negative) {
                v = -v;
            }
            if (v < min || v > max) {
                return fromText(text(b, from, to)); // the message
            }
            return switch (bits) {
                case 16 -> (short) v;
                case 32 -> (int) v;
                default -> v;
            };
        }

        @Override
        Object fromJsonNumber(String literal) throws BadValue {
            if (!isInteger(literal)) {
                throw new BadValue("expected an integer, found " + literal);
            }
            return fromText(literal);
        }

        private static boolean isInteger(String s) {
            int i = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
            if (i == s.length()) {
                return false;
            }
            for (; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- floating point

    static final class Floating extends ColumnType {
        private final boolean single;

        Floating(PgType<?> pgType, boolean single) {
            super(pgType, "a number");
            this.single = single;
        }

        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            String special = s.toLowerCase(Locale.ROOT);
            double d;
            switch (special) {
                case "nan" -> d = Double.NaN;
                case "infinity", "+infinity", "inf", "+inf" -> d = Double.POSITIVE_INFINITY;
                case "-infinity", "-inf" -> d = Double.NEGATIVE_INFINITY;
                default -> {
                    int nonZeroDigits = decimalSyntax(s);
                    if (nonZeroDigits < 0) {
                        throw new BadValue("not a number: " + quoted(text));
                    }
                    d = single ? Float.parseFloat(s) : Double.parseDouble(s);
                    // PostgreSQL refuses what overflows to infinity or underflows to zero, rather than storing it
                    if (Double.isInfinite(d) || d == 0 && nonZeroDigits > 0) {
                        throw new BadValue("number " + quoted(s) + " is out of range for " + this);
                    }
                }
            }
            return single ? (Object) (float) d : (Object) d;
        }

        @Override
        Object fromJsonNumber(String literal) throws BadValue {
            return fromText(literal);
        }
    }

    /**
     * Checks {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?} and returns how many non-zero
     * mantissa digits it has, or -1 when {@code s} is not such a number. Java's own parsers accept more (hex
     * floats, {@code d}/{@code f} suffixes), which PostgreSQL does not.
     */
    static int decimalSyntax(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        int nonZero = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            nonZero += s.charAt(i) != '0' ? 1 : 0;
            digits++;
            i++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                nonZero += s.charAt(i) != '0' ? 1 : 0;
                digits++;
                i++;
            }
        }
        if (digits == 0) {
            return -1;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                expDigits++;
                i++;
            }
            if (expDigits == 0) {
                return -1;
            }
        }
        return i == n ? nonZero : -1;
    }

    // ---------------------------------------------------------------- numeric

    static final class Numeric extends ColumnType {
        Numeric(PgType<?> pgType) {
            super(pgType, "a number");
        }

        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            if (decimalSyntax(s) < 0) {
                String lower = s.toLowerCase(Locale.ROOT);
                if (lower.equals("nan") || lower.endsWith("infinity") || lower.endsWith("inf")) {
                    throw new BadValue(quoted(s) + " cannot be loaded into " + this
                            + " (numeric values are written exactly, and NaN/infinity have no exact form)");
                }
                throw new BadValue("not a number: " + quoted(text));
            }
            try {
                return new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw new BadValue("number " + quoted(s) + " is out of range for " + this);
            }
        }

        /** Plain decimals of up to 18 digits ({@code -12.30}) as BigDecimal's own parser reads them. */
        @Override
        Object fromBytes(byte[] b, int from, int to) throws BadValue {
            int i = from;
            boolean negative = false;
            if (i < to && (b[i] == '-' || b[i] == '+')) {
                negative = b[i++] == '-';
            }
            long unscaled = 0;
            int digits = 0;
            int point = -1;
            for (; i < to; i++) {
                int d = b[i] - '0';
                if (d >= 0 && d <= 9) {
                    unscaled = unscaled * 10 + d;
                    digits++;
                } else if (b[i] == '.' && point < 0 && digits > 0 && i + 1 < to) {
                    point = i;
                } else {
                    return fromText(text(b, from, to));
                }
            }
            if (digits == 0 || digits > 18) {
                return fromText(text(b, from, to));
            }
            return BigDecimal.valueOf(negative ? -unscaled : unscaled, point < 0 ? 0 : to - point - 1);
        }

        @Override
        Object fromJsonNumber(String literal) throws BadValue {
            return fromText(literal);
        }
    }

    // ---------------------------------------------------------------- boolean

    static final class Bool extends ColumnType {
        Bool() {
            super(PgType.BOOL, "a boolean");
        }

        @Override
        Object fromText(String text) throws BadValue {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "t", "true", "y", "yes", "on", "1" -> Boolean.TRUE;
                case "f", "false", "n", "no", "off", "0" -> Boolean.FALSE;
                default -> throw new BadValue("not a boolean: " + quoted(text)
                        + " (true/false, t/f, yes/no, y/n, on/off, 1/0)");
            };
        }

        @Override
        Object fromBytes(byte[] b, int from, int to) throws BadValue {
            if (to - from == 1) {
                switch (b[from]) {
                    case 't', 'T', 'y', 'Y', '1':
                        return Boolean.TRUE;
                    case 'f', 'F', 'n', 'N', '0':
                        return Boolean.FALSE;
                    default:
                        break;
                }
            }
            return fromText(text(b, from, to));
        }

        @Override
        Object fromJsonBoolean(boolean value) {
            return value;
        }
    }

    // ---------------------------------------------------------------- text

    /** Types whose value is the text itself: a JSON number or boolean becomes its JSON text. */
    abstract static class Textual extends ColumnType {
        Textual(PgType<String> pgType, String expects) {
            super(pgType, expects);
        }

        @Override
        Object fromText(String text) {
            return text;
        }

        /** What a person would type into the column: the number as written. */
        @Override
        Object fromJsonNumber(String literal) {
            return literal;
        }

        @Override
        Object fromJsonBoolean(boolean value) {
            return Boolean.toString(value);
        }
    }

    static final class Text extends Textual {
        private final boolean arrayable;

        /** @param arrayable false for a {@code char(n)} column written as varchar: its arrays have another OID */
        Text(PgType<String> pgType, boolean arrayable) {
            super(pgType, "a string");
            this.arrayable = arrayable;
        }

        @Override
        boolean arrayable() {
            return arrayable;
        }
    }

    /** An enum column: written as text (PostgreSQL's enum input reads it), checked against the labels first. */
    static final class Enum extends ColumnType {
        private final String typeName;
        private final Set<String> labels;

        Enum(String typeName, Set<String> labels) {
            super(PgType.TEXT, "a label of " + typeName);
            this.typeName = typeName;
            this.labels = Set.copyOf(labels);
        }

        @Override
        boolean arrayable() {
            return false;
        }

        @Override
        Object fromText(String text) throws BadValue {
            if (!labels.contains(text)) {
                List<String> some = labels.stream().sorted().limit(8).toList();
                throw new BadValue(quoted(text) + " is not a label of enum " + typeName + " " + some
                        + (labels.size() > some.size() ? " ..." : ""));
            }
            return text;
        }

        @Override
        public String toString() {
            return typeName;
        }
    }

    // ---------------------------------------------------------------- json

    /** json and jsonb: JSON text from CSV, checked by the sink (PostgreSQL's rules: syntax, no {@code \u0000}). */
    static final class Json extends Textual {
        Json(PgType<String> pgType) {
            super(pgType, "JSON");
        }

        /** A JSON-lines string is the JSON string itself, not JSON text inside a string. */
        @Override
        Object fromJsonString(String value) {
            StringBuilder sb = new StringBuilder(value.length() + 8).append('"');
            JsonStringEncoder.getInstance().quoteAsString(value, sb);
            return sb.append('"').toString();
        }

        /** The object or array exactly as written in the line (json keeps it verbatim; jsonb normalises it). */
        @Override
        Object fromJsonContainer(JsonParser p, byte[] source) {
            int start = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            int end = (int) p.currentLocation().getByteOffset();
            return new String(source, start, end - start, StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------- bytea

    static final class Bytea extends ColumnType {
        Bytea() {
            super(PgType.BYTEA, "\\x and hex digits");
        }

        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            if (!s.startsWith("\\x") || (s.length() & 1) != 0) {
                throw new BadValue("not bytea: expected \\x and an even number of hex digits, found " + quoted(text));
            }
            byte[] out = new byte[(s.length() - 2) / 2];
            for (int i = 0; i < out.length; i++) {
                int hi = Character.digit(s.charAt(2 + 2 * i), 16);
                int lo = Character.digit(s.charAt(3 + 2 * i), 16);
                if (hi < 0 || lo < 0) {
                    throw new BadValue("not bytea: " + quoted(text) + " has a non-hex digit");
                }
                out[i] = (byte) (hi << 4 | lo);
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- uuid

    /** Hex digit values of ASCII up to {@code f}; -1 for other characters. */
    private static final byte[] HEX = new byte['f' + 1];

    static {
        Arrays.fill(HEX, (byte) -1);
        for (int i = 0; i < 10; i++) {
            HEX['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            HEX['a' + i] = (byte) (10 + i);
            HEX['A' + i] = (byte) (10 + i);
        }
    }

    /** The value of each byte as a hex digit, or -1. */
    private static final int[] HEX_OF_BYTE = new int[256];

    static {
        Arrays.fill(HEX_OF_BYTE, -1);
        for (int c = 0; c < HEX.length; c++) {
            HEX_OF_BYTE[c] = HEX[c];
        }
    }

    static final class Uuid extends ColumnType {
        Uuid() {
            super(PgType.UUID, "a UUID");
        }

        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            int from = 0;
            int to = s.length();
            if (to >= 2 && s.charAt(0) == '{' && s.charAt(to - 1) == '}') {
                from++;
                to--;
            }
            int length = to - from;
            boolean hyphenated = length == 36 && s.charAt(from + 8) == '-' && s.charAt(from + 13) == '-'
                    && s.charAt(from + 18) == '-' && s.charAt(from + 23) == '-';
            if (!hyphenated && length != 32) {
                throw new BadValue("not a UUID: " + quoted(text));
            }
            long hi = 0;
            long lo = 0;
            int digit = 0;
            for (int i = from; i < to; i++) {
                int at = i - from;
                if (hyphenated && (at == 8 || at == 13 || at == 18 || at == 23)) {
                    continue;
                }
                char c = s.charAt(i);
                int d = c <= 'f' ? HEX[c] : -1;
                if (d < 0) {
                    throw new BadValue("not a UUID: " + quoted(text));
                }
                if (digit++ < 16) {
                    hi = hi << 4 | d;
                } else {
                    lo = lo << 4 | d;
                }
            }
            return new UUID(hi, lo);
        }

        /** The hyphenated form from the bytes; any other through {@link #fromText}. */
        @Override
        Object fromBytes(byte[] b, int from, int to) throws BadValue {
            if (to - from != 36 || b[from + 8] != '-' || b[from + 13] != '-' || b[from + 18] != '-'
                    || b[from + 23] != '-') {
                return fromText(text(b, from, to));
            }
            long g1 = hexGroup(b, from, 8);
            long g2 = hexGroup(b, from + 9, 4);
            long g3 = hexGroup(b, from + 14, 4);
            long g4 = hexGroup(b, from + 19, 4);
            long g5 = hexGroup(b, from + 24, 12);
            if ((g1 | g2 | g3 | g4 | g5) < 0) {
                return fromText(text(b, from, to)); // the message
            }
            long hi = g1 << 32 | g2 << 16 | g3;
            long lo = g4 << 48 | g5;
            return new UUID(hi, lo);
        }

        /** The value of {@code n <= 12} hex digits at {@code b[from..]}; negative when one of them is not a digit. */
        private static long hexGroup(byte[] b, int from, int n) {
            long v = 0;
            int bad = 0;
            for (int k = from; k < from + n; k++) {
                int d = HEX_OF_BYTE[b[k] & 0xFF];
                bad |= d;
                v = v << 4 | d;
            }
            return bad < 0 ? -1 : v;
        }
    }

    // ---------------------------------------------------------------- dates and times

    private static final DateTimeFormatter WITH_OPTIONAL_OFFSET = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendPattern("[XXX][XX][X]").optionalEnd()
            .toFormatter(Locale.ROOT);

    /** ISO date-time text with a space allowed for the {@code T}, and a lower-case {@code z} read as {@code Z}. */
    static String isoDateTime(String s) {
        if (s.length() > 10 && s.charAt(10) == ' ') {
            s = s.substring(0, 10) + 'T' + s.substring(11);
        }
        if (s.endsWith("z")) {
            s = s.substring(0, s.length() - 1) + 'Z';
        }
        return s;
    }

    /** PostgreSQL's special date and timestamp values: 1 for {@code infinity}, -1 for {@code -infinity}, else 0. */
    private static int infinity(String s) {
        if (s.length() < 8 || s.length() > 9) {
            return 0;
        }
        if (s.equalsIgnoreCase("infinity") || s.equalsIgnoreCase("+infinity")) {
            return 1;
        }
        return s.equalsIgnoreCase("-infinity") ? -1 : 0;
    }

    private static boolean digits(byte[] s, int o, int n, int from, int count) {
        if (from + count > n) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            char c = at(s, o, i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int number(byte[] s, int o, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            v = v * 10 + (at(s, o, i) - '0');
        }
        return v;
    }

    /** An ASCII byte as a char; any other byte as a char no check accepts. */
    private static char at(byte[] s, int o, int k) {
        return (char) (s[o + k] & 0xFF);
    }

    /** {@link #fastDateTime(byte[], int, int)} of a String (a JSON string, a date). */
    static Object fastDateTime(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1); // a char beyond Latin-1 becomes '?', which no check accepts
        return fastDateTime(b, 0, b.length);
    }

    /**
     * The usual shapes, parsed by hand: {@code yyyy-MM-dd}, then optionally {@code T} or a space, {@code HH:mm},
     * {@code :ss}, a fraction (any number of digits), and an offset {@code Z}, {@code ±HH}, {@code ±HHMM} or
     * {@code ±HH:MM}. (java.time's parser copies its field map at every optional section, which made it most of the
     * time spent parsing a file of timestamps.) Returns a LocalDateTime (no offset), an Instant (an offset), or
     * {@code null} for any other shape, which the caller hands to java.time's parser.
     *
     * @throws DateTimeException for a field out of range (February 30th, hour 25, offset +19)
     */
    static Object fastDateTime(byte[] s, int o, int n) {
        if (n < 10 || !digits(s, o, n, 0, 4) || at(s, o, 4) != '-' || !digits(s, o, n, 5, 2) || at(s, o, 7) != '-'
                || !digits(s, o, n, 8, 2)) {
            return null;
        }
        int year = number(s, o, 0, 4);
        int month = number(s, o, 5, 2);
        int day = number(s, o, 8, 2);
        if (n == 10) {
            return LocalDate.of(year, month, day).atStartOfDay();
        }
        char sep = at(s, o, 10);
        if (sep != 'T' && sep != 't' && sep != ' ' || !digits(s, o, n, 11, 2) || n < 16 || at(s, o, 13) != ':'
                || !digits(s, o, n, 14, 2)) {
            return null;
        }
        int second = 0;
        int nano = 0;
        int i = 16;
        if (i < n && at(s, o, i) == ':') {
            if (!digits(s, o, n, i + 1, 2)) {
                return null;
            }
            second = number(s, o, i + 1, 2);
            i += 3;
            if (i < n && at(s, o, i) == '.') {
                // as PostgreSQL: any number of digits, even none; beyond nanoseconds they cannot change the
                // microsecond the value is rounded to
                int start = ++i;
                while (i < n && at(s, o, i) >= '0' && at(s, o, i) <= '9') {
                    if (i - start < 9) {
                        nano = nano * 10 + (at(s, o, i) - '0');
                    }
                    i++;
                }
                for (int k = Math.min(i - start, 9); k < 9; k++) {
                    nano *= 10;
                }
            }
        }
        LocalDateTime local = LocalDateTime.of(year, month, day, number(s, o, 11, 2), number(s, o, 14, 2), second, nano);
        if (i == n) {
            return local;
        }
        char c = at(s, o, i);
        if ((c == 'Z' || c == 'z') && i == n - 1) {
            return local.toInstant(ZoneOffset.UTC);
        }
        if ((c != '+' && c != '-') || !digits(s, o, n, i + 1, 2)) {
            return null;
        }
        int seconds = number(s, o, i + 1, 2) * 3600;
        int j = i + 3;
        if (j < n) {
            if (at(s, o, j) == ':') {
                j++;
            }
            if (!digits(s, o, n, j, 2) || j + 2 != n) {
                return null;
            }
            int minutes = number(s, o, j, 2);
            if (minutes > 59) {
                throw new DateTimeException("offset minutes out of range: " + new String(s, o + i, n - i, StandardCharsets.ISO_8859_1));
            }
            seconds += minutes * 60;
        }
        if (seconds > 18 * 3600) {
            throw new DateTimeException("offset out of range: " + new String(s, o + i, n - i, StandardCharsets.ISO_8859_1));
        }
        // the instant directly: ZoneOffset.ofTotalSeconds looks each offset up in a concurrent cache
        return Instant.ofEpochSecond(local.toEpochSecond(ZoneOffset.UTC) - (c == '-' ? -seconds : seconds), nano);
    }

    static final class Date extends ColumnType {
        Date() {
            super(PgType.DATE, "a date");
        }

        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            int infinity = infinity(s);
            if (infinity != 0) {
                return infinity > 0 ? LocalDate.MAX : LocalDate.MIN;
            }
            try {
                return s.length() == 10 && fastDateTime(s) instanceof LocalDateTime t ? t.toLocalDate()
                        : LocalDate.parse(s);
            } catch (DateTimeException e) {
                throw new BadValue("not a date (like 2024-01-31): " + quoted(text));
            }
        }
    }

    /** {@code timestamp} (no zone) and {@code timestamptz} (a zone for values without an offset). */
    static final class DateTime extends ColumnType {
        private final ZoneId zone;

        /** @param zone {@code null} for timestamp without time zone */
        DateTime(ZoneId zone) {
            super(zone == null ? PgType.TIMESTAMP : PgType.TIMESTAMPTZ, "a timestamp");
            this.zone = zone;
        }

        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            int infinity = infinity(s);
            if (infinity != 0) {
                return zone != null ? (infinity > 0 ? Instant.MAX : Instant.MIN)
                        : infinity > 0 ? LocalDateTime.MAX : LocalDateTime.MIN;
            }
            Object t;
            try {
                t = fastDateTime(s);
                if (t == null) {
                    t = slowDateTime(isoDateTime(s));
                }
            } catch (DateTimeException e) {
                throw notATimestamp(text);
            }
            return value(t, text);
        }

        /** The common shapes from the bytes; any other through {@link #fromText}. */
        @Override
        Object fromBytes(byte[] b, int from, int to) throws BadValue {
            if (!trimmed(b, from, to)) {
                return fromText(text(b, from, to));
            }
            Object t;
            try {
                t = fastDateTime(b, from, to - from);
            } catch (DateTimeException e) {
                throw notATimestamp(text(b, from, to));
            }
            if (t == null || t instanceof Instant && zone == null) {
                return fromText(text(b, from, to)); // another shape, or the refusal's message
            }
            return value(t, null);
        }

        private BadValue notATimestamp(String text) {
            return new BadValue("not a timestamp (like 2024-01-31 12:34:56" + (zone == null ? "" : "+02")
                    + "): " + quoted(text));
        }

        /** The column's value of a parsed timestamp: an offset where none may be is refused. */
        private Object value(Object t, String text) throws BadValue {
            if (t instanceof Instant instant) {
                if (zone == null) {
                    // PostgreSQL would silently drop the offset; a value meant for another zone must not shift
                    throw new BadValue("timestamp " + quoted(text) + " has a time-zone offset, but the column is"
                            + " timestamp without time zone");
                }
                return instant;
            }
            LocalDateTime local = (LocalDateTime) t;
            return zone == null ? local : local.atZone(zone).toInstant();
        }

        /** Shapes the fast path does not take (e.g. years beyond 9999), through java.time. */
        private static Object slowDateTime(String s) {
            try {
                TemporalAccessor t = WITH_OPTIONAL_OFFSET.parseBest(s, OffsetDateTime::from, LocalDateTime::from);
                return t instanceof OffsetDateTime o ? o.toInstant() : (LocalDateTime) t;
            } catch (DateTimeException e) {
                return LocalDate.parse(s).atStartOfDay();
            }
        }
    }

    // ---------------------------------------------------------------- arrays

    static final class Array extends ColumnType {
        private final ColumnType element;

        Array(ColumnType element) {
            super(PgType.array(element.pgType()), "an array");
            this.element = element;
        }

        @Override
        boolean arrayable() {
            return false;
        }

        /** A one-dimensional PostgreSQL array literal: {@code {a,"b c",NULL}}. */
        @Override
        Object fromText(String text) throws BadValue {
            String s = text.strip();
            if (s.length() < 2 || s.charAt(0) != '{' || s.charAt(s.length() - 1) != '}') {
                throw new BadValue("not an array literal (like {1,2,3}): " + quoted(text));
            }
            List<Object> out = new ArrayList<>();
            int i = 1;
            int end = s.length() - 1;
            i = skipSpaces(s, i, end);
            if (i == end) {
                return out;
            }
            StringBuilder item = new StringBuilder();
            while (true) {
                i = skipSpaces(s, i, end);
                item.setLength(0);
                boolean quoted = false;
                boolean escaped = false;
                if (i < end && s.charAt(i) == '{') {
                    throw new BadValue("multi-dimensional arrays are not supported: " + quoted(text));
                }
                if (i < end && s.charAt(i) == '"') {
                    quoted = true;
                    i++;
                    while (i < end && s.charAt(i) != '"') {
                        if (s.charAt(i) == '\\' && i + 1 < end) {
                            i++;
                        }
                        item.append(s.charAt(i++));
                    }
                    if (i >= end) {
                        throw new BadValue("unterminated quoted element in array " + quoted(text));
                    }
                    i = skipSpaces(s, i + 1, end);
                } else {
                    int lastNonSpace = 0;
                    while (i < end && s.charAt(i) != ',') {
                        char c = s.charAt(i);
                        if (c == '"' || c == '{' || c == '}') {
                            throw new BadValue("unexpected " + c + " in array " + quoted(text));
                        }
                        if (c == '\\' && i + 1 < end) {
                            escaped = true;
                            c = s.charAt(++i);
                            item.append(c);
                            lastNonSpace = item.length();
                        } else {
                            item.append(c);
                            if (!Character.isWhitespace(c)) {
                                lastNonSpace = item.length();
                            }
                        }
                        i++;
                    }
                    item.setLength(lastNonSpace);
                    if (item.length() == 0) {
                        throw new BadValue("empty element in array " + quoted(text));
                    }
                }
                String value = item.toString();
                out.add(!quoted && !escaped && value.equalsIgnoreCase("NULL") ? null : elementFromText(value, out.size()));
                if (i == end) {
                    return out;
                }
                if (s.charAt(i) != ',') {
                    throw new BadValue("expected , in array " + quoted(text));
                }
                i++;
            }
        }

        private Object elementFromText(String value, int index) throws BadValue {
            try {
                return element.fromText(value);
            } catch (BadValue e) {
                throw new BadValue("array element " + index + ": " + e.getMessage());
            }
        }

        private static int skipSpaces(String s, int i, int end) {
            while (i < end && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i;
        }

        @Override
        Object fromJsonContainer(JsonParser p, byte[] source) throws BadValue {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                throw new BadValue("expected an array, found an object");
            }
            List<Object> out = new ArrayList<>();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == JsonToken.VALUE_NULL) {
                    out.add(null);
                } else if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                    // finish the outer array first, so the parser stands where the caller expects it
                    p.skipChildren();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                    }
                    throw new BadValue("array element " + out.size() + ": nested "
                            + (t == JsonToken.START_ARRAY ? "arrays are" : "objects are") + " not supported");
                } else {
                    try {
                        out.add(element.fromJson(p, source));
                    } catch (BadValue e) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            p.skipChildren();
                        }
                        throw new BadValue("array element " + out.size() + ": " + e.getMessage());
                    }
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return element + "[]";
        }
    }
}
