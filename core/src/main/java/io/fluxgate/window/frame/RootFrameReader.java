package io.fluxgate.window.frame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.fluxgate.window.frame.internal.FieldNames;
import io.fluxgate.window.frame.internal.FrameScanner;
import org.jspecify.annotations.Nullable;

/**
 * Reads the two root-level fields of a JSON frame such as {@code {"uid": "a1b2", "ts": 1700000000, ...}} with a
 * hand-written scanner over the UTF-8 bytes, without building a tree or tokens: the root-level names are compared
 * as raw bytes, other values are skipped (strings eight bytes at a time, nested objects and arrays with a stack of
 * container kinds), so a field named {@code uid} or {@code ts} inside them is never mistaken for the root one. The
 * whole value is still checked to be JSON, as a strict parser (Jackson with default settings) would check it.
 *
 * <p>Validity rules, exactly:
 * <ul>
 *   <li>the whole value is one JSON object, optionally surrounded by JSON whitespace; anything after the closing
 *       brace (another value, garbage) makes it malformed;</li>
 *   <li>the root field {@code uid} is a non-empty JSON string;</li>
 *   <li>the root field {@code ts} is a JSON integer literal (not {@code 1.5}, not
 *       {@code 1e3}, not {@code "123"}, not {@code true}, not {@code null}) within
 *       [{@value #MIN_TS}, {@value #MAX_TS}] = [-2^62, 2^62];</li>
 *   <li>every other root field is ignored, whatever its value (but it must be valid JSON);</li>
 *   <li>a value of only JSON whitespace (space, tab, CR, LF), or empty, is {@link FrameResult.Blank}, not
 *       malformed, so line-oriented callers can skip it;</li>
 *   <li>names and strings may use any JSON escape: <code>"u&#92;u0069d"</code> is the field {@code uid}, and the
 *       {@code uid} value is decoded exactly;</li>
 *   <li>bytes must be strict UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, nothing above U+10FFFF);
 *       a text given as a {@code String} must not hold a lone surrogate; a UTF-8 byte order mark is skipped at
 *       the start of bytes (not of a {@code String}); no other encoding is detected;</li>
 *   <li>grammar exactly as RFC 8259: no comments, no single quotes or unquoted names, no trailing commas, no
 *       leading zeros, {@code +1}, {@code .5}, {@code 1.}, {@code NaN}; control characters in strings must be
 *       escaped; whitespace is space, tab, CR and LF only;</li>
 *   <li>the limits of Jackson's default read constraints: nesting depth 500 (the root object counts one), numbers
 *       of at most 1000 digits, property names of at most 50,000 UTF-8 bytes.</li>
 * </ul>
 * A repeated root {@code uid} or {@code ts} counts with its last value, as in most languages' JSON parsers.
 *
 * <p>Errors: no {@code read} method throws for bad input (only for an array range outside its array); every value
 * gets a {@link FrameResult}, so a caller counts or dead-letters a {@link FrameResult.Malformed} with its reason
 * instead of losing it. A {@code null} value (a Kafka tombstone, say) is malformed with the reason
 * {@code "null value"}.
 *
 * <p>Instances are immutable and thread-safe; share one.
 */
public final class RootFrameReader {

    /** Smallest accepted {@code ts}: -2^62. */
    public static final long MIN_TS = -(1L << 62);
    /** Largest accepted {@code ts}: 2^62. */
    public static final long MAX_TS = 1L << 62;
    /** Default name of the user-id field. */
    public static final String DEFAULT_UID_FIELD = "uid";
    /** Default name of the timestamp field. */
    public static final String DEFAULT_TS_FIELD = "ts";

    private static final RootFrameReader DEFAULTS = new RootFrameReader(DEFAULT_UID_FIELD, DEFAULT_TS_FIELD);

    private final FieldNames names;

    private RootFrameReader(String uidField, String tsField) {
        this.names = new FieldNames(uidField, tsField);
    }

    /**
     * A reader of the {@code uid} and {@code ts} fields.
     *
     * @return a reader of {@code uid} and {@code ts}; thread-safe and stateless, so it may be shared
     */
    public static RootFrameReader ofDefaults() {
        return DEFAULTS;
    }

    /**
     * A reader of other field names, with the same rules.
     *
     * @param uidField the root-level name of the user id, not empty
     * @param tsField the root-level name of the integer timestamp, not empty and not {@code uidField}
     * @return a reader; thread-safe and stateless
     * @throws IllegalArgumentException if a name is empty or both are equal
     */
    public static RootFrameReader of(String uidField, String tsField) {
        Objects.requireNonNull(uidField, "uidField");
        Objects.requireNonNull(tsField, "tsField");
        if (uidField.isEmpty() || tsField.isEmpty()) {
            throw new IllegalArgumentException("field names must not be empty: uid='" + uidField + "', ts='" + tsField + "'");
        }
        if (uidField.equals(tsField)) {
            throw new IllegalArgumentException("uid and ts fields must differ: '" + uidField + "'");
        }
        return new RootFrameReader(uidField, tsField);
    }

    /**
     * Reads a UTF-8 encoded value; a {@code null} value (a Kafka tombstone) is malformed.
     *
     * @param utf8 the value, or {@code null}
     * @return the frame, {@link FrameResult.Blank} or {@link FrameResult.Malformed}; never throws for bad input
     */
    public FrameResult read(byte @Nullable [] utf8) {
        if (utf8 == null) {
            return new FrameResult.Malformed("null value");
        }
        return read(utf8, 0, utf8.length);
    }

    /**
     * Reads {@code len} UTF-8 bytes of {@code utf8} from {@code off}.
     *
     * @param utf8 the array holding the value
     * @param off where the value starts
     * @param len the value's length in bytes
     * @return the frame, {@link FrameResult.Blank} or {@link FrameResult.Malformed}
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public FrameResult read(byte[] utf8, int off, int len) {
        Objects.checkFromIndexSize(off, len, utf8.length);
        int from = off;
        if (len >= 3 && utf8[off] == (byte) 0xEF && utf8[off + 1] == (byte) 0xBB && utf8[off + 2] == (byte) 0xBF) {
            from += 3;
        }
        return new FrameScanner(names, utf8, from, off + len, off).frame();
    }

    /**
     * Reads the remaining bytes of {@code utf8} (UTF-8) without moving its position: a heap buffer in place, a
     * direct one through a copy. With Kafka's {@code ByteBufferDeserializer} a record's value is a view of the
     * fetched batch, so reading it here, on a thread of the pipeline, costs the consumer's thread neither a copy
     * nor the parse (see {@code CrashSafeWindows} in fluxgate-kafka). A {@code null} value (a tombstone) is
     * malformed.
     *
     * @param utf8 the value, or {@code null}
     * @return the frame, {@link FrameResult.Blank} or {@link FrameResult.Malformed}
     */
    public FrameResult read(@Nullable ByteBuffer utf8) {
        if (utf8 == null) {
            return new FrameResult.Malformed("null value");
        }
        if (utf8.hasArray()) {
            return read(utf8.array(), utf8.arrayOffset() + utf8.position(), utf8.remaining());
        }
        byte[] copy = new byte[utf8.remaining()];
        utf8.get(utf8.position(), copy);
        return read(copy, 0, copy.length);
    }

    /**
     * Reads a value given as text (e.g. one line of a JSON-lines file); {@code null} is malformed.
     *
     * @param text the value, or {@code null}
     * @return the frame, {@link FrameResult.Blank} or {@link FrameResult.Malformed}
     */
    public FrameResult read(@Nullable String text) {
        if (text == null) {
            return new FrameResult.Malformed("null value");
        }
        int lone = FieldNames.loneSurrogate(text);
        if (lone >= 0) {
            // not Unicode, so it has no UTF-8 form: the bytes path could never be given this value
            return new FrameResult.Malformed(String.format("invalid JSON: lone surrogate U+%04X at char %d", (int) text.charAt(lone), lone));
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            return new FrameResult.Malformed("invalid JSON: unexpected byte order mark U+FEFF at char 0");
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return new FrameScanner(names, utf8, 0, utf8.length, 0).frame();
    }
}
