package io.fluxgate.window.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import io.fluxgate.window.frame.FrameResult.Frame;
import io.fluxgate.window.frame.FrameResult.Malformed;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The scanner ({@link RootFrameReader}) against the previous Jackson-based reader ({@link JacksonFrameReader}) as
 * the reference model: on generated frames (nested objects holding {@code uid}/{@code ts} of their own, escapes in
 * names and values, every Unicode range, numbers of every shape, whitespace everywhere, repeated and wrongly typed
 * root fields) and on mutated ones (bytes replaced, bit-flipped, deleted, inserted; truncation), both give the same
 * verdict and the same {@code uid} and {@code ts}, and the same reason whenever the reason is about the fields
 * rather than the syntax.
 *
 * <p>jqwik's edge-case generation is off: combining the edge cases of these nested generators costs more than
 * the tries themselves, and the edges that matter (zero, {@code -0}, 2^62 +- 1, the longs' bounds, empty and
 * escaped strings, surrogates) are drawn by the generators on purpose and pinned by {@code RootFrameReaderTest}.
 *
 * <p>One deliberate difference, which the model accounts for: the Jackson reader accepted some invalid UTF-8
 * inside strings (overlong forms, encoded surrogates, code points above U+10FFFF); the scanner rejects all invalid
 * UTF-8, so the model is "strict UTF-8 and Jackson accepts".
 */
class RootFrameReaderPropertiesTest {

    private static final RootFrameReader SCANNER = RootFrameReader.ofDefaults();
    private static final JacksonFrameReader JACKSON = new JacksonFrameReader();
    /** Stands for "malformed, because not UTF-8" in the model; the reason is not compared. */
    private static final Malformed NOT_UTF8 = new Malformed("invalid JSON: not UTF-8");

    @Property(tries = 700, edgeCases = EdgeCasesMode.NONE)
    void generatedFramesReadAsJacksonReadsThem(@ForAll("frames") String frame) {
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        FrameResult fromBytes = SCANNER.read(bytes);
        assertAgrees(bytes, model(bytes), fromBytes);
        // the text entry point: same as Jackson's char parser, and the same result as the bytes
        assertAgrees(bytes, JACKSON.read(frame), SCANNER.read(frame));
        assertThat(SCANNER.read(frame)).isEqualTo(fromBytes);
    }

    @Example
    void theGeneratorMakesMostlyValidFramesAndSomeMalformedOnes() {
        // a check of the generator, not of the scanner: the properties above must see both kinds
        Map<String, Long> kinds = frames().sampleStream().limit(400)
                .collect(Collectors.groupingBy(f -> SCANNER.read(f).getClass().getSimpleName(), Collectors.counting()));
        assertThat(kinds.getOrDefault("Frame", 0L)).as(kinds.toString()).isGreaterThan(150);
        assertThat(kinds.getOrDefault("Malformed", 0L)).isGreaterThan(20);
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.NONE)
    void mutatedFramesGetJacksonsVerdict(@ForAll("frames") String frame, @ForAll("mutations") List<Mutation> mutations) {
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        FrameResult fromBytes = SCANNER.read(bytes);
        assertAgrees(bytes, model(bytes), fromBytes);
        // The text entry point reads the text's UTF-8, so it gives the same result. (The model here is the bytes
        // model, not Jackson's char parser: in an escape that parser takes any char whose low byte is a hex digit
        // for that digit, so it read the escape "backslash u 6 E A" followed by U+5732 as U+6EA2.)
        String text = utf8(bytes);
        if (text != null && !text.startsWith("\uFEFF")) {
            assertThat(SCANNER.read(text)).as(show(bytes)).isEqualTo(fromBytes);
        }
    }

    @Property(tries = 60, edgeCases = EdgeCasesMode.NONE)
    void everyTruncationGetsJacksonsVerdict(@ForAll("frames") String frame) {
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        for (int len = 0; len <= bytes.length; len++) {
            byte[] prefix = Arrays.copyOf(bytes, len);
            assertAgrees(prefix, model(prefix), SCANNER.read(prefix));
        }
    }

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void aSliceOfALargerBufferReadsAsTheValueAlone(@ForAll("frames") String frame,
                                                    @ForAll @IntRange(max = 17) int before, @ForAll @IntRange(max = 17) int after,
                                                    @ForAll("fillers") byte filler) {
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        // the filler (a quote, a backslash, a brace, a high byte...) around the slice must never be read
        byte[] buffer = new byte[before + bytes.length + after];
        Arrays.fill(buffer, filler);
        System.arraycopy(bytes, 0, buffer, before, bytes.length);
        assertThat(SCANNER.read(buffer, before, bytes.length)).isEqualTo(SCANNER.read(bytes));
        int cut = bytes.length / 2;
        assertThat(SCANNER.read(buffer, before, cut)).isEqualTo(SCANNER.read(Arrays.copyOf(bytes, cut)));
    }

    // ---------------------------------------------------------------- model and comparison

    /** The reference verdict for bytes: malformed if not strict UTF-8, else what the Jackson reader says. */
    static FrameResult model(byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] == 0 || bytes[1] == 0)) {
            // Jackson reads such bytes as UTF-16 or UTF-32 (its encoding detection); in UTF-8 a zero byte there is
            // always malformed (outside a string, or raw in one)
            return NOT_UTF8;
        }
        return utf8(bytes) == null ? NOT_UTF8 : JACKSON.read(bytes);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static void assertAgrees(byte[] input, FrameResult expected, FrameResult actual) {
        String shown = "input " + show(input) + "\nexpected " + expected + "\nactual   " + actual;
        if (!(expected instanceof Malformed m)) {
            assertThat(actual).as(shown).isEqualTo(expected);
            return;
        }
        assertThat(actual).as(shown).isInstanceOf(Malformed.class);
        if (expected == NOT_UTF8) {
            return;
        }
        String reason = ((Malformed) actual).reason();
        if (isSyntax(m.reason())) {
            assertThat(isSyntax(reason)).as(shown).isTrue();
        } else {
            assertThat(reason).as(shown).isEqualTo(m.reason());
        }
    }

    /** A reason about the JSON text itself (the wording differs between the readers) rather than the fields. */
    private static boolean isSyntax(String reason) {
        return reason.startsWith("invalid JSON: ") || reason.equals("trailing content after the object");
    }

    private static String show(byte[] b) {
        String text = new String(b, StandardCharsets.UTF_8);
        return text.length() > 600 ? text.substring(0, 600) + "... (" + b.length + " bytes)"
                : text + " [" + HexFormat.of().formatHex(b) + "]";
    }

    // ---------------------------------------------------------------- mutations

    /** One edit of the bytes, at a relative position so that it applies to any length. */
    record Mutation(int kind, double where, int value) {
        static final byte[] SPECIAL = {'"', '\\', '{', '}', '[', ']', ',', ':', '0', '1', '-', '+', '.', 'e', 'E', 'u',
                't', 'n', 'f', ' ', '\n', 0x00, 0x1F, 0x7F, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC2,
                (byte) 0xE0, (byte) 0xED, (byte) 0xF0, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF};

        byte[] apply(byte[] b) {
            int at = (int) (where * b.length);
            switch (kind) {
                case 0: // replace a byte by any byte
                    return b.length == 0 ? b : with(b, Math.min(at, b.length - 1), (byte) value);
                case 1: // flip one bit
                    return b.length == 0 ? b : with(b, Math.min(at, b.length - 1), (byte) (b[Math.min(at, b.length - 1)] ^ (1 << (value & 7))));
                case 2: // delete a byte
                    return b.length == 0 ? b : delete(b, Math.min(at, b.length - 1));
                case 3: // insert any byte
                    return insert(b, at, (byte) value);
                case 4: // insert a byte that means something to JSON or UTF-8
                    return insert(b, at, SPECIAL[value % SPECIAL.length]);
                case 5: // replace a byte by one that means something
                    return b.length == 0 ? b : with(b, Math.min(at, b.length - 1), SPECIAL[value % SPECIAL.length]);
                default: // truncate
                    return Arrays.copyOf(b, at);
            }
        }

        private static byte[] with(byte[] b, int i, byte v) {
            byte[] c = b.clone();
            c[i] = v;
            return c;
        }

        private static byte[] delete(byte[] b, int i) {
            byte[] c = new byte[b.length - 1];
            System.arraycopy(b, 0, c, 0, i);
            System.arraycopy(b, i + 1, c, i, b.length - i - 1);
            return c;
        }

        private static byte[] insert(byte[] b, int i, byte v) {
            byte[] c = new byte[b.length + 1];
            System.arraycopy(b, 0, c, 0, i);
            c[i] = v;
            System.arraycopy(b, i, c, i + 1, b.length - i);
            return c;
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.doubles().between(0, 1),
                        Arbitraries.integers().between(0, 255))
                .as(Mutation::new).list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Byte> fillers() {
        return Arbitraries.of((byte) '"', (byte) '\\', (byte) '}', (byte) ' ', (byte) '0', (byte) 0x80, (byte) 0x00, (byte) 'x');
    }

    // ---------------------------------------------------------------- frames

    /** A root object: zero to two {@code uid} and {@code ts} entries (mostly one each) among other entries. */
    @Provide
    Arbitrary<String> frames() {
        Arbitrary<List<String>> uids = uidEntry().list().ofMaxSize(2);
        Arbitrary<List<String>> rootFields = Arbitraries.frequencyOf(
                Tuple.of(12, Combinators.combine(uidEntry(), tsEntry()).as(List::of)),
                Tuple.of(1, uids),
                Tuple.of(1, Combinators.combine(uidEntry(), tsEntry(), uidEntry(), tsEntry()).as(List::of)),
                Tuple.of(1, tsEntry().list().ofMaxSize(2)));
        // other root entries never use the names uid/ts (the root fields above do that, repeated on purpose);
        // nested ones do
        Arbitrary<List<String>> others = entryOf(Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("\"meta\"", "\"pad\"", "\"\"", "\"UID\"", "\"uid \"", "\"t\"", "\"tss\"")),
                Tuple.of(2, name())), value(3)).list().ofMaxSize(5);
        return Combinators.combine(rootFields, others, ws(), ws(), Arbitraries.longs())
                .as((root, other, lead, tail, seed) -> {
                    List<String> all = new ArrayList<>(root);
                    all.addAll(other);
                    Collections.shuffle(all, new Random(seed));
                    return lead + "{" + String.join(",", all) + "}" + tail;
                });
    }

    /** An object of the given entries (each carrying whitespace around it), or an empty one. */
    private Arbitrary<String> object(Arbitrary<List<String>> entries) {
        return Combinators.combine(entries, ws())
                .as((list, w) -> list.isEmpty() ? "{" + w + "}" : "{" + String.join(",", list) + "}");
    }

    private Arbitrary<String> uidEntry() {
        Arbitrary<String> value = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.strings().withCharRange('0', '9').withCharRange('a', 'f').ofLength(19).map(s -> '"' + s + '"')),
                Tuple.of(5, jsonString()),
                Tuple.of(1, Arbitraries.just("\"\"")),
                Tuple.of(2, value(2)));
        return entryOf(Arbitraries.of("\"uid\"", "\"u\\u0069d\"", "\"\\u0075\\u0069\\u0064\"", "\"\\u0075id\"", "\"ui\\u0064\""), value);
    }

    private Arbitrary<String> tsEntry() {
        Arbitrary<String> value = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.longs().between(1_600_000_000L, 1_800_000_000L).map(Object::toString)),
                Tuple.of(5, number()),
                Tuple.of(2, value(2)));
        return entryOf(Arbitraries.of("\"ts\"", "\"t\\u0073\"", "\"\\u0074s\"", "\"\\u0074\\u0073\""), value);
    }

    private Arbitrary<String> entry(int depth) {
        Arbitrary<String> key = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("\"uid\"", "\"ts\"", "\"u\\u0069d\"", "\"meta\"", "\"pad\"", "\"\"", "\"UID\"", "\"uid \"", "\"t\"")),
                Tuple.of(2, name()));
        return entryOf(key, value(depth));
    }

    private Arbitrary<String> entryOf(Arbitrary<String> key, Arbitrary<String> value) {
        return Combinators.combine(ws(), key, ws(), ws(), value, ws())
                .as((w0, k, w1, w2, v, w3) -> w0 + k + w1 + ":" + w2 + v + w3);
    }

    private Arbitrary<String> value(int depth) {
        Arbitrary<String> scalar = Arbitraries.frequencyOf(
                Tuple.of(4, jsonString()),
                Tuple.of(4, number()),
                Tuple.of(1, Arbitraries.of("true", "false", "null")),
                // a long plain string, as the padding of real frames: what the eight-bytes-at-a-time skip is for
                Tuple.of(1, Combinators.combine(Arbitraries.integers().between(20, 1600), Arbitraries.chars().range('a', 'z'))
                        .as((n, c) -> '"' + String.valueOf(c).repeat(n) + '"')));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> array = Combinators.combine(value(depth - 1).list().ofMaxSize(4), ws())
                .as((items, w) -> "[" + w + String.join(w + "," + w, items) + "]");
        Arbitrary<String> object = object(entry(depth - 1).list().ofMaxSize(4));
        return Arbitraries.frequencyOf(
                Tuple.of(6, scalar),
                Tuple.of(1, Arbitraries.lazy(() -> array)),
                Tuple.of(2, Arbitraries.lazy(() -> object)));
    }

    private Arbitrary<String> ws() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just("")),
                Tuple.of(2, Arbitraries.just(" ")),
                Tuple.of(1, Arbitraries.of("\t", "\n", "\r\n", "  \t ", "\r")));
    }

    /** Numbers of every shape JSON allows: signs, zero, exponents, fractions, beyond 2^62 and beyond long. */
    private Arbitrary<String> number() {
        Arbitrary<String> ints = Arbitraries.oneOf(
                Arbitraries.longs().map(Object::toString),
                Arbitraries.integers().between(-1000, 1000).map(Object::toString),
                Arbitraries.of("0", "-0", "4611686018427387904", "-4611686018427387904", "4611686018427387905",
                        "-4611686018427387905", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                        "9999999999999999999", "18446744073709551616", "123456789012345678901234567890"));
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(12).map(d -> "." + d);
        Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(4)).as((e, s, d) -> e + s + d);
        Arbitrary<String> floats = Combinators.combine(ints, fraction.injectNull(0.4), exponent.injectNull(0.5))
                .as((i, f, e) -> i + (f == null ? "" : f) + (e == null && f == null ? ".5" : e == null ? "" : e));
        return Arbitraries.frequencyOf(Tuple.of(3, ints), Tuple.of(2, floats));
    }

    /** A property name: a string, with half a surrogate pair (which makes it invalid) only now and then. */
    private Arbitrary<String> name() {
        return Arbitraries.frequencyOf(Tuple.of(20, jsonString(false)), Tuple.of(1, jsonString(true)));
    }

    private Arbitrary<String> jsonString() {
        return jsonString(true);
    }

    /** A JSON string literal over all of Unicode, each character written raw or escaped in one of its forms. */
    private Arbitrary<String> jsonString(boolean halfPairs) {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(30, Arbitraries.chars().range(' ', '~').map(c -> c == '"' || c == '\\' ? "\\" + c : String.valueOf(c))),
                Tuple.of(4, Arbitraries.chars().range('\u0080', '\u07ff').map(String::valueOf)),
                Tuple.of(4, Arbitraries.chars().range('\u0800', '\ud7ff').map(String::valueOf)),
                Tuple.of(2, Arbitraries.chars().range('\ue000', '\uffff').map(String::valueOf)),
                Tuple.of(3, Arbitraries.integers().between(0x10000, 0x10ffff).map(Character::toString)),
                Tuple.of(1, Arbitraries.chars().range('\u007f', '\u007f').map(String::valueOf)),
                Tuple.of(4, Arbitraries.of("\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t")),
                Tuple.of(4, Combinators.combine(Arbitraries.chars().range('\u0000', '\ud7ff'), Arbitraries.of(true, false))
                        .as((c, upper) -> escape(c, upper))),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10ffff)
                        .map(cp -> escape(Character.highSurrogate(cp), false) + escape(Character.lowSurrogate(cp), true))),
                // half a pair: fine in a value (Jackson keeps the lone char), refused in a name
                Tuple.of(halfPairs ? 1 : 0, Arbitraries.chars().range('\ud800', '\udfff').map(c -> escape(c, false))));
        return piece.list().ofMaxSize(24).map(p -> '"' + String.join("", p) + '"');
    }

    private static String escape(char c, boolean upper) {
        String hex = String.format("%04x", (int) c);
        return "\\u" + (upper ? hex.toUpperCase() : hex);
    }
}
