package io.fluxgate.window.frame.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.fluxgate.window.frame.FrameResult;
import io.fluxgate.window.frame.RootFrameReader;

/**
 * One pass of {@link RootFrameReader} over the UTF-8 bytes of one value: a hand-written validating scanner that
 * builds no tree and no tokens. Root-level property names are compared with the two wanted names as raw bytes;
 * the {@code uid} string is decoded and the {@code ts} integer converted; every other value is skipped but still
 * checked against the JSON grammar (RFC 8259) and strict UTF-8 (RFC 3629), because a frame that is not valid JSON
 * as a whole is malformed. Strings, the bulk of a frame, are skipped eight bytes at a time, and 32 at a time in a
 * long run of plain bytes: a word with no quote, backslash, control character or non-ASCII byte needs no closer
 * look.
 *
 * <p>Besides the grammar, the limits of Jackson's default {@code StreamReadConstraints} apply, so that the verdict
 * stays the one the previous Jackson-based reader gave: nesting depth {@value #MAX_DEPTH} (the root object counts
 * one), at most {@value #MAX_NUMBER_LENGTH} digits in a number (integer, fraction and exponent digits together),
 * property names of at most {@value #MAX_NAME_LENGTH} UTF-8 bytes.
 *
 * <p>Not thread-safe and single-use: one instance per value.
 */
public final class FrameScanner {

    static final int MAX_DEPTH = 500;
    static final int MAX_NUMBER_LENGTH = 1000;
    static final int MAX_NAME_LENGTH = 50_000;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * ' ';
    /** Strings up to this many bytes are found by {@link #stringEnd} itself, longer ones by {@link #longStringEnd}. */
    private static final int SHORT = 24;
    /** Bytes per step of {@link #longStringEnd} in a run of plain bytes: four words. */
    private static final int BLOCK = 32;

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    /** 1 for the first bytes of JSON values that are not numbers, 0 for '-' and digits. */
    private static final byte[] NOT_INTEGER = new byte[256];

    static {
        Arrays.fill(NOT_INTEGER, (byte) 1);
        NOT_INTEGER['-'] = 0;
        for (int d = '0'; d <= '9'; d++) {
            NOT_INTEGER[d] = 0;
        }
    }

    /** Not a valid {@code ts} (all lie within [-2^62, 2^62]): marks one out of range. */
    private static final long OUT = Long.MIN_VALUE;

    private static final int OTHER = 0;
    private static final int UID = 1;
    private static final int TS = 2;

    // what a root uid/ts field held; the last occurrence wins
    private static final int MISSING = 0;
    private static final int OK = 1;
    private static final int EMPTY = 2;
    private static final int OUT_OF_RANGE = 3;
    private static final int OBJECT = 4;
    private static final int ARRAY = 5;
    private static final int STRING = 6;
    private static final int INTEGER = 7;
    private static final int FLOAT = 8;
    private static final int BOOLEAN = 9;
    private static final int NULL_VALUE = 10;

    private static final FrameResult TRAILING = new FrameResult.Malformed("trailing content after the object");

    private final FieldNames names;
    private final byte[] b;
    /** Where the value starts in {@link #b} (positions in messages count from here). */
    private final int base;
    /** Where scanning starts: {@link #base}, or after a byte order mark. */
    private final int start;
    private final int end;
    /** Set by every string scan: whether it met a backslash (then the raw bytes are not the text). */
    private boolean escaped;
    /** Set by every number scan: 1 if it had a fraction or an exponent, else 0 (an int, to be ORed into a test). */
    private int isFloat;
    /** Set by {@link #property}: the field the name stands for ({@code UID}, {@code TS} or another). */
    private int property;
    /** Kinds of the open nested containers (bit set: object), levels 0-63; deeper levels in {@link #deep}. */
    private long kinds;
    private long[] deep;

    /**
     * A scan of {@code utf8[from, to)}; positions in messages count from {@code base} ({@code from} is past a byte
     * order mark when there was one).
     */
    public FrameScanner(FieldNames names, byte[] utf8, int from, int to, int base) {
        this.names = names;
        this.b = utf8;
        this.end = to;
        this.base = base;
        this.start = from;
    }

    /** The verdict on the value; call once. */
    public FrameResult frame() {
        try {
            int i = ws(start);
            if (i == end) {
                return FrameResult.blank();
            }
            if (b[i] != '{') {
                return notAnObject(i);
            }
            return rootObject(i + 1);
        } catch (Bad e) {
            return new FrameResult.Malformed("invalid JSON: " + e.getMessage());
        }
    }

    /**
     * The root object whose content starts at {@code i}. The hot path for the valid frames: every root value is
     * skipped with {@link #value} and the last {@code uid} and {@code ts} are only located; whether they (and the
     * object's end) are what a frame needs is one test at the end, on a sum of flags computed without branches.
     * Every malformed frame, whatever is wrong with it, takes that one branch to {@link #rootObjectSlowly}, which
     * scans it again and says why. So the JIT's profile of this method does not change when the first frames with
     * a string {@code ts}, a float {@code ts}, no {@code uid} or a cut-off end arrive: each such kind used to be
     * a branch never taken until then, compiled as an uncommon trap, and its first frame sent the method back to
     * the interpreter for another C2 compilation (JIT time, measured in BENCHMARKS.md).
     */
    private FrameResult rootObject(int i) {
        byte[] b = this.b;
        int end = this.end;
        int from = i;
        // where the last root uid and ts values lie; first bytes 0 while missing
        int uidAt = 0;
        int uidEnd = 0;
        byte uidFirst = 0;
        boolean uidEscaped = false;
        int tsAt = 0;
        int tsEnd = 0;
        byte tsFirst = 0;
        int tsFloat = 0;
        byte c;
        i = ws(i);
        if (at(i) == '}') {
            return rootObjectSlowly(from);
        }
        for (;;) {
            i = property(i);
            int field = property;
            int s = i;
            c = at(i);
            i = value(i, 1);
            if (field == UID) {
                uidAt = s;
                uidEnd = i;
                uidFirst = c;
                uidEscaped = escaped;
            } else if (field == TS) {
                tsAt = s;
                tsEnd = i;
                tsFirst = c;
                tsFloat = isFloat;
            }
            i = ws(i);
            // the separator, or 0 past the end: no branch of its own for a cut-off frame
            c = (byte) (b[Math.min(i, end - 1)] & (i - end) >> 31);
            if (c != ',') {
                break;
            }
            i = ws(i + 1);
        }
        // zero only for a closed object with nothing after it, a non-empty string uid and an integer ts
        int bad = (c ^ '}') | (ws(i + 1) ^ end) | (uidFirst ^ '"') | (uidEnd - uidAt - 3) >>> 31
                | NOT_INTEGER[tsFirst & 0xFF] | tsFloat;
        long ts;
        if (bad != 0 || (ts = ts(tsAt, tsEnd)) == OUT) {
            return rootObjectSlowly(from);
        }
        escaped = uidEscaped;
        return new FrameResult.Frame(decode(uidAt + 1, uidEnd - 1), ts);
    }

    /**
     * The verdict on a root object that {@link #rootObject} found not to be a valid frame, by a second scan that
     * tells what is wrong: the first value of {@code uid} or {@code ts} that is not what it should be, trailing
     * content, a bad separator. Only malformed frames come here, so their branches stay out of the hot method's
     * profile.
     */
    private FrameResult rootObjectSlowly(int i) {
        String uid = null;
        int uidKind = MISSING;
        long ts = 0;
        int tsKind = MISSING;
        i = ws(i);
        if (at(i) == '}') {
            i++;
        } else {
            for (;;) {
                i = property(i);
                int field = property;
                byte c = at(i);
                if (field == UID) {
                    if (c == '"') {
                        int s = i + 1;
                        i = string(s);
                        uid = decode(s, i - 1);
                        uidKind = uid.isEmpty() ? EMPTY : OK;
                    } else {
                        i = value(i, 1);
                        uidKind = kind(c);
                    }
                } else if (field == TS) {
                    if (c == '-' || isDigit(c)) {
                        int s = i;
                        i = number(i);
                        long v = isFloat != 0 ? OUT : ts(s, i);
                        tsKind = isFloat != 0 ? FLOAT : v == OUT ? OUT_OF_RANGE : OK;
                        if (tsKind == OK) {
                            ts = v;
                        }
                    } else {
                        i = value(i, 1);
                        tsKind = kind(c);
                    }
                } else {
                    i = value(i, 1);
                }
                i = ws(i);
                c = at(i);
                if (c == ',') {
                    i = ws(i + 1);
                } else if (c == '}') {
                    i++;
                    break;
                } else {
                    throw unexpected(i, "',' or '}' after an object entry");
                }
            }
        }
        if (ws(i) != end) {
            return TRAILING;
        }
        if (uidKind != OK) {
            String name = names.uidField;
            return new FrameResult.Malformed(switch (uidKind) {
                case MISSING -> "missing " + name;
                case EMPTY -> name + " is empty";
                default -> name + " is " + describe(uidKind) + ", not a string";
            });
        }
        if (tsKind != OK) {
            String name = names.tsField;
            return new FrameResult.Malformed(switch (tsKind) {
                case MISSING -> "missing " + name;
                case OUT_OF_RANGE -> name + " is out of range [-2^62, 2^62]";
                default -> name + " is " + describe(tsKind) + ", not an integer";
            });
        }
        return new FrameResult.Frame(uid, ts);
    }

    /** The reason for a root value that is not an object, as far as its first token tells. */
    private FrameResult notAnObject(int i) {
        byte c = b[i];
        String what;
        switch (c) {
            case '[' -> what = "an array";
            case '"' -> what = "a string";
            case 't' -> {
                rootLiteral(i, TRUE);
                what = "a boolean";
            }
            case 'f' -> {
                rootLiteral(i, FALSE);
                what = "a boolean";
            }
            case 'n' -> {
                rootLiteral(i, NULL);
                what = "null";
            }
            default -> {
                if (c != '-' && !isDigit(c)) {
                    throw unexpected(i, "a JSON object");
                }
                int e = number(i);
                if (e < end && !isWs(b[e])) {
                    throw unexpected(e, "a space after a root-level number");
                }
                what = isFloat != 0 ? "a float" : "an integer";
            }
        }
        return new FrameResult.Malformed("not a JSON object but " + what);
    }

    private void rootLiteral(int i, byte[] literal) {
        int e = literal(i, literal);
        if (e < end && (isDigit(b[e]) || Character.isLetter(b[e]) || b[e] == '_')) {
            throw unexpected(e, "the end of '" + new String(literal, StandardCharsets.US_ASCII) + "'");
        }
    }

    /** Skips the value starting at {@code i} (which is in range) inside a container at depth {@code depth}. */
    private int value(int i, int depth) {
        byte c = b[i];
        if (c == '{' || c == '[') {
            return container(i, depth);
        }
        return scalar(i);
    }

    private int scalar(int i) {
        switch (b[i]) {
            case '"':
                return string(i + 1);
            case 't':
                return literal(i, TRUE);
            case 'f':
                return literal(i, FALSE);
            case 'n':
                return literal(i, NULL);
            default:
                byte c = b[i];
                if (c == '-' || isDigit(c)) {
                    return number(i);
                }
                throw unexpected(i, "a value");
        }
    }

    /**
     * Skips the object or array opening at {@code i}, nested in a container at depth {@code depth}, with an explicit
     * stack of container kinds rather than recursion, so deep nesting costs no Java stack. Two loops rather than a
     * state variable: the outer one enters a container and reads its first element, the inner one reads what
     * follows a value (a comma and the next element, or a closing bracket) until a container opens or the
     * outermost one closes; the kind of the innermost open container is kept in a local.
     */
    private int container(int i, int depth) {
        int level = 0;
        for (;;) {
            if (depth + level + 1 > MAX_DEPTH) {
                throw bad(i, "nesting depth " + (depth + level + 1) + " exceeds " + MAX_DEPTH);
            }
            boolean object = b[i] == '{';
            push(level++, object);
            i = ws(i + 1);
            if (at(i) == (object ? '}' : ']')) {
                i++;
                if (--level > 0) {
                    object = isObject(level - 1);
                }
            } else {
                if (object) {
                    i = member(i);
                }
                byte c = at(i);
                if (c == '{' || c == '[') {
                    continue;
                }
                i = scalar(i);
            }
            for (;;) {
                if (level == 0) {
                    return i;
                }
                i = ws(i);
                byte c = at(i);
                if (c == ',') {
                    i = ws(i + 1);
                    if (object) {
                        i = member(i);
                    }
                    c = at(i);
                    if (c == '{' || c == '[') {
                        break;
                    }
                    i = scalar(i);
                } else if (c == (object ? '}' : ']')) {
                    i++;
                    if (--level > 0) {
                        object = isObject(level - 1);
                    }
                } else {
                    throw unexpected(i, object ? "',' or '}' after an object entry" : "',' or ']' after an array element");
                }
            }
        }
    }

    /** Checks the name and colon of an object entry at {@code i}; returns the index of its value. */
    private int member(int i) {
        if (at(i) != '"') {
            throw unexpected(i, "'\"' to start a property name");
        }
        i = ws(name(i + 1) + 1);
        if (at(i) != ':') {
            throw unexpected(i, "':' after a property name");
        }
        return ws(i + 1);
    }

    private void push(int level, boolean object) {
        if (level < 64) {
            long bit = 1L << level;
            kinds = object ? kinds | bit : kinds & ~bit;
            return;
        }
        if (deep == null) {
            deep = new long[(MAX_DEPTH + 63) / 64];
        }
        long bit = 1L << (level & 63);
        int w = level >>> 6;
        deep[w] = object ? deep[w] | bit : deep[w] & ~bit;
    }

    private boolean isObject(int level) {
        return level < 64 ? (kinds & (1L << level)) != 0 : (deep[level >>> 6] & (1L << (level & 63))) != 0;
    }

    /** Skips a string value whose content starts at {@code i}; returns the index after its closing quote. */
    private int string(int i) {
        escaped = false;
        return stringEnd(i, false) + 1;
    }

    /**
     * Reads a property's name and its colon, the name's opening quote at {@code i}; sets {@link #property} to the
     * field it names and returns the index of the value's first byte.
     */
    private int property(int i) {
        if (at(i) != '"') {
            throw unexpected(i, "'\"' to start a property name");
        }
        int nameStart = i + 1;
        int nameEnd = name(nameStart);
        property = field(nameStart, nameEnd);
        i = ws(nameEnd + 1);
        if (at(i) != ':') {
            throw unexpected(i, "':' after a property name");
        }
        return ws(i + 1);
    }

    /** Validates a property name whose content starts at {@code i}; returns the index of its closing quote. */
    private int name(int i) {
        escaped = false;
        int close = stringEnd(i, true);
        // an escape is longer than the UTF-8 it stands for, so only a long raw name can be too long
        if (close - i > MAX_NAME_LENGTH) {
            int length = escaped ? decode(i, close).getBytes(StandardCharsets.UTF_8).length : close - i;
            if (length > MAX_NAME_LENGTH) {
                throw bad(i, "property name of " + length + " bytes exceeds " + MAX_NAME_LENGTH);
            }
        }
        return close;
    }

    /**
     * Finds the closing quote of the string whose content starts at {@code i}, checking escapes, control
     * characters and UTF-8 on the way. Here only the common case: a string of up to {@value #SHORT} bytes with
     * nothing that needs a look, eight bytes at a time; everything else goes on in {@link #longStringEnd}. Kept
     * this small on purpose: the JIT then inlines it at every call site, and a frame has a few dozen short names
     * and values. With the long-string loop in the same method the JIT compiled it too big to inline, and every
     * short string paid a call.
     */
    private int stringEnd(int i, boolean name) {
        byte[] b = this.b;
        int last = Math.min(end - 8, i + SHORT - 8);
        int k = i;
        for (; k <= last; k += 8) {
            long m = special((long) LONGS.get(b, k));
            if (m != 0) {
                int q = k + (Long.numberOfTrailingZeros(m) >>> 3);
                if (b[q] == '"') {
                    return q;
                }
                break;
            }
        }
        // the bytes before k needed no look
        return longStringEnd(k, name);
    }

    /**
     * {@link #stringEnd} for the other strings: long ones, ones near the end of the input, ones with escapes or
     * non-ASCII bytes. Word by word, and after two plain words (a long run of plain bytes, such as a padding or a
     * text) {@value #BLOCK} bytes per step with the four words' flags ORed, so the loop's own overhead (the
     * bounds check, the branch) is paid once per four words; the word loop then finds the byte that stopped it.
     */
    private int longStringEnd(int i, boolean name) {
        byte[] b = this.b;
        int end = this.end;
        for (;;) {
            int plain = 0;
            while (i <= end - 8) {
                long m = special((long) LONGS.get(b, i));
                if (m != 0) {
                    i += Long.numberOfTrailingZeros(m) >>> 3;
                    break;
                }
                i += 8;
                if (++plain == 2) {
                    // once per run, so a run that ends soon costs one wasted block at most
                    while (i <= end - BLOCK && ((flags((long) LONGS.get(b, i)) | flags((long) LONGS.get(b, i + 8))
                            | flags((long) LONGS.get(b, i + 16)) | flags((long) LONGS.get(b, i + 24))) & HIGHS) == 0) {
                        i += BLOCK;
                    }
                }
            }
            if (i < end && b[i] == '"') {
                return i;
            }
            i = notQuote(i, name);
        }
    }

    /**
     * The byte at {@code i} inside a string is not its closing quote: checks it (and the rest of an escape or a
     * UTF-8 sequence); returns the index after. Kept out of {@link #longStringEnd} so that its loop stays small.
     */
    private int notQuote(int i, boolean name) {
        if (i >= end) {
            throw bad(end, "unexpected end of input in a string");
        }
        byte c = b[i];
        if (c == '\\') {
            escaped = true;
            return escape(i + 1, name);
        }
        if (c < 0) {
            return utf8(i);
        }
        if (c < 0x20) {
            throw bad(i, "control character " + hex(c) + " in a string must be escaped");
        }
        return i + 1;
    }

    /**
     * High bit set in the bytes of {@code w} (little-endian) that are a quote, a backslash, below 0x20 or above
     * 0x7F: a byte {@code x} gets it from {@code (x ^ '"') - 1} or {@code (x ^ '\\') - 1} when one of the two is
     * zero, from {@code x - 0x20} when it is below 0x20. A byte above 0x7F needs no term of its own: {@code x ^ '"'}
     * and {@code x ^ '\\'} keep its high bit, so minus one keeps it too, unless the difference was 0x80, which
     * happens for one of them at most (0xA2 and 0xDC respectively). A subtraction borrows across bytes, so a flag
     * above a special byte can be false, but a borrow starts only at a special byte: the lowest flag is always
     * right, and that is the only one used.
     */
    static long special(long w) {
        return flags(w) & HIGHS;
    }

    /** {@link #special} before the mask: several words' flags can be ORed first and masked once. */
    private static long flags(long w) {
        return (w ^ QUOTES) - ONES | (w ^ BACKSLASHES) - ONES | w - SPACES;
    }

    /** Checks the escape after a backslash at {@code i - 1}; returns the index after it. */
    private int escape(int i, boolean name) {
        switch (at(i)) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
                return i + 1;
            case 'u': {
                char ch = (char) hex4(i + 1);
                if (name && Character.isSurrogate(ch)) {
                    // Jackson decodes names eagerly and refuses half a surrogate pair there (not in values)
                    if (Character.isLowSurrogate(ch) || i + 11 > end || b[i + 5] != '\\' || b[i + 6] != 'u'
                            || !Character.isLowSurrogate((char) hex4(i + 7))) {
                        throw bad(i - 1, "broken surrogate pair in a property name");
                    }
                    return i + 11;
                }
                return i + 5;
            }
            default:
                throw bad(i - 1, "unrecognized escape: backslash followed by " + printable(b[i]));
        }
    }

    private int hex4(int i) {
        if (i + 4 > end) {
            throw bad(end, "unexpected end of input in a \\u escape");
        }
        int v = 0;
        for (int k = i; k < i + 4; k++) {
            int d = Character.digit(b[k], 16);
            if (d < 0 || b[k] < 0) {
                throw unexpected(k, "a hex digit in a \\u escape");
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** Checks the multi-byte UTF-8 sequence at {@code i} strictly (no overlongs, surrogates or > U+10FFFF). */
    private int utf8(int i) {
        int c = b[i] & 0xFF;
        if (c >= 0xC2 && c <= 0xDF) {
            continuation(i + 1, 0x80, 0xBF);
            return i + 2;
        }
        if (c >= 0xE0 && c <= 0xEF) {
            continuation(i + 1, c == 0xE0 ? 0xA0 : 0x80, c == 0xED ? 0x9F : 0xBF);
            continuation(i + 2, 0x80, 0xBF);
            return i + 3;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            continuation(i + 1, c == 0xF0 ? 0x90 : 0x80, c == 0xF4 ? 0x8F : 0xBF);
            continuation(i + 2, 0x80, 0xBF);
            continuation(i + 3, 0x80, 0xBF);
            return i + 4;
        }
        throw bad(i, "invalid UTF-8 start byte " + hex(b[i]));
    }

    private void continuation(int i, int min, int max) {
        if (i >= end) {
            throw bad(i, "unexpected end of input in a UTF-8 sequence");
        }
        int c = b[i] & 0xFF;
        if (c < min || c > max) {
            throw bad(i, "invalid UTF-8 byte " + hex(b[i]));
        }
    }

    /**
     * Checks the number at {@code i} (JSON grammar: no leading zeros, no '+', digits after '.' and 'e'); sets
     * {@link #isFloat}; returns the index after it.
     */
    private int number(int i) {
        if (b[i] == '-') {
            i++;
        }
        int digits = i;
        if (i < end && b[i] == '0') {
            i++;
            if (i < end && isDigit(b[i])) {
                throw bad(i, "leading zeroes are not allowed in a number");
            }
        } else if (i < end && isDigit(b[i])) {
            i = digits(i + 1);
        } else {
            throw unexpected(i, "a digit after '-'");
        }
        int length = i - digits;
        isFloat = 0;
        if (i < end && b[i] == '.') {
            int from = i + 1;
            i = digits(from);
            if (i == from) {
                throw unexpected(i, "a digit after the decimal point");
            }
            length += i - from;
            isFloat = 1;
        }
        if (i < end && (b[i] | 0x20) == 'e') {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int from = i;
            i = digits(from);
            if (i == from) {
                throw unexpected(i, "a digit in the exponent");
            }
            length += i - from;
            isFloat = 1;
        }
        if (length > MAX_NUMBER_LENGTH) {
            throw bad(digits, "number of " + length + " digits exceeds " + MAX_NUMBER_LENGTH);
        }
        return i;
    }

    private int digits(int i) {
        while (i < end && isDigit(b[i])) {
            i++;
        }
        return i;
    }

    /** The integer literal in [s, e), or {@link #OUT} if it lies outside [-2^62, 2^62]. */
    private long ts(int s, int e) {
        boolean negative = b[s] == '-';
        int from = negative ? s + 1 : s;
        // 2^62 has 19 digits, and 19 digits never overflow an unsigned long
        if (e - from > 19) {
            return OUT;
        }
        long magnitude = magnitude(from, e);
        if (Long.compareUnsigned(magnitude, RootFrameReader.MAX_TS) > 0) {
            return OUT;
        }
        return negative ? -magnitude : magnitude;
    }

    private long magnitude(int s, int e) {
        long v = 0;
        for (int k = s; k < e; k++) {
            v = v * 10 + (b[k] - '0');
        }
        return v;
    }

    private int literal(int i, byte[] literal) {
        int e = i + literal.length;
        if (e > end || !Arrays.equals(b, i, e, literal, 0, literal.length)) {
            throw bad(i, "unrecognized token (expected '" + new String(literal, StandardCharsets.US_ASCII) + "')");
        }
        return e;
    }

    /** Which wanted field the property name in [s, e) is; the last string scan was of that name. */
    private int field(int s, int e) {
        if (!escaped) {
            return matches(names.uidUtf8, s, e) ? UID : matches(names.tsUtf8, s, e) ? TS : OTHER;
        }
        String name = decode(s, e);
        return name.equals(names.uidField) ? UID : name.equals(names.tsField) ? TS : OTHER;
    }

    private boolean matches(byte[] name, int s, int e) {
        if (name == null || e - s != name.length) {
            return false;
        }
        // names are short: a plain loop beats the set-up of a vectorized compare
        for (int k = 0; k < name.length; k++) {
            if (b[s + k] != name[k]) {
                return false;
            }
        }
        return true;
    }

    /** The text of the checked string content in [s, e); {@link #escaped} tells whether it has escapes. */
    private String decode(int s, int e) {
        if (!escaped) {
            return new String(b, s, e - s, StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder(e - s);
        int run = s;
        int i = s;
        while (i < e) {
            if (b[i] != '\\') {
                // a backslash byte is never part of a multi-byte UTF-8 sequence, so runs split cleanly
                i++;
                continue;
            }
            if (i > run) {
                sb.append(new String(b, run, i - run, StandardCharsets.UTF_8));
            }
            byte c = b[i + 1];
            switch (c) {
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append((char) hex4(i + 2));
                default -> sb.append((char) c);
            }
            i += c == 'u' ? 6 : 2;
            run = i;
        }
        if (run < e) {
            sb.append(new String(b, run, e - run, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** The kind of the value that started with {@code first} and was just skipped. */
    private int kind(byte first) {
        return switch (first) {
            case '{' -> OBJECT;
            case '[' -> ARRAY;
            case '"' -> STRING;
            case 't', 'f' -> BOOLEAN;
            case 'n' -> NULL_VALUE;
            default -> isFloat != 0 ? FLOAT : INTEGER; // a number: anything else did not pass the skip
        };
    }

    private static String describe(int kind) {
        return switch (kind) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case INTEGER -> "an integer";
            case FLOAT -> "a float";
            case BOOLEAN -> "a boolean";
            case NULL_VALUE -> "null";
            default -> throw new IllegalStateException("kind " + kind);
        };
    }

    private int ws(int i) {
        // most tokens follow each other without whitespace: one comparison says so
        while (i < end && b[i] <= ' ' && isWs(b[i])) {
            i++;
        }
        return i;
    }

    private static boolean isWs(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private byte at(int i) {
        if (i >= end) {
            throw bad(i, "unexpected end of input");
        }
        return b[i];
    }

    private Bad unexpected(int i, String expected) {
        if (i >= end) {
            return bad(i, "unexpected end of input, expected " + expected);
        }
        return bad(i, "unexpected character " + printable(b[i]) + ", expected " + expected);
    }

    private Bad bad(int i, String what) {
        return new Bad(what + " at byte " + (i - base));
    }

    private static String printable(byte c) {
        return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : hex(c);
    }

    private static String hex(byte c) {
        return String.format("0x%02x", c & 0xFF);
    }

    /** Invalid JSON; thrown only on malformed input, so it carries no stack trace. */
    private static final class Bad extends RuntimeException {
        Bad(String message) {
            super(message, null, false, false);
        }
    }
}
