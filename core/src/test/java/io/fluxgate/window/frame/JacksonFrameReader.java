package io.fluxgate.window.frame;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The previous, Jackson-based {@link RootFrameReader}: a streaming parse that skips nested values token by token.
 * Kept as the reference model the scanner is compared with ({@code RootFrameReaderPropertiesTest}) and as the
 * baseline of the parse benchmark (from this module's test jar). Its verdicts differ from the scanner's where it
 * was wrong or lax: it accepted some invalid UTF-8 inside strings (overlong forms, encoded surrogates, code points
 * above U+10FFFF; a {@code uid} so written decoded to garbage), read UTF-16 and UTF-32 input (detected by a byte
 * order mark or zero bytes), passed a lone surrogate of a {@code String} through, and its char parser took any
 * char whose low byte is a hex digit for that digit in a backslash-u escape. The wording of syntax errors
 * differs too.
 */
public final class JacksonFrameReader {

    private static final long MIN_TS = RootFrameReader.MIN_TS;
    private static final long MAX_TS = RootFrameReader.MAX_TS;

    private final JsonFactory factory = new JsonFactory();
    private final String uidField;
    private final String tsField;

    /** A reader of the {@code uid} and {@code ts} fields. */
    public JacksonFrameReader() {
        this(RootFrameReader.DEFAULT_UID_FIELD, RootFrameReader.DEFAULT_TS_FIELD);
    }

    /** A reader of other field names (not checked: this is a test model). */
    public JacksonFrameReader(String uidField, String tsField) {
        this.uidField = uidField;
        this.tsField = tsField;
    }

    /** Reads UTF-8 bytes (the models are never given null). */
    public FrameResult read(byte[] utf8) {
        return read(utf8, 0, utf8.length);
    }

    public FrameResult read(byte[] utf8, int off, int len) {
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), utf8, off, len)) {
            return read(p);
        } catch (JacksonException e) {
            return invalidJson(e);
        }
    }

    /** Reads text with Jackson's char parser. */
    public FrameResult read(String text) {
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), text)) {
            return read(p);
        } catch (JacksonException e) {
            return invalidJson(e);
        }
    }

    private FrameResult read(JsonParser p) {
        JsonToken t = p.nextToken();
        if (t == null) {
            return FrameResult.blank();
        }
        if (t != JsonToken.START_OBJECT) {
            return new FrameResult.Malformed("not a JSON object but " + describe(t));
        }
        // A repeated field counts with its last value, as in the JSON parsers of most languages (JavaScript,
        // Python, Go, Jackson's tree model), so the app agrees with a reference written with any of them.
        String uid = null;
        String uidProblem = "missing " + uidField;
        long ts = 0;
        String tsProblem = "missing " + tsField;
        while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            t = p.nextToken();
            if (name.equals(uidField)) {
                if (t != JsonToken.VALUE_STRING) {
                    uidProblem = uidField + " is " + describe(t) + ", not a string";
                    p.skipChildren();
                } else {
                    uid = p.getString();
                    uidProblem = uid.isEmpty() ? uidField + " is empty" : null;
                }
            } else if (name.equals(tsField)) {
                if (t != JsonToken.VALUE_NUMBER_INT) {
                    tsProblem = tsField + " is " + describe(t) + ", not an integer";
                    p.skipChildren();
                } else if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        || p.getLongValue() < MIN_TS || p.getLongValue() > MAX_TS) {
                    tsProblem = tsField + " is out of range [-2^62, 2^62]";
                } else {
                    ts = p.getLongValue();
                    tsProblem = null;
                }
            } else {
                p.skipChildren();
            }
        }
        // t is END_OBJECT here: the parser rejects anything else inside an object
        if (p.nextToken() != null) {
            return new FrameResult.Malformed("trailing content after the object");
        }
        if (uidProblem != null) {
            return new FrameResult.Malformed(uidProblem);
        }
        if (tsProblem != null) {
            return new FrameResult.Malformed(tsProblem);
        }
        return new FrameResult.Frame(uid, ts);
    }

    private static FrameResult invalidJson(JacksonException e) {
        String msg = e.getOriginalMessage();
        if (msg != null) {
            int nl = msg.indexOf('\n');
            if (nl >= 0) {
                msg = msg.substring(0, nl);
            }
            if (msg.length() > 200) {
                msg = msg.substring(0, 200) + "...";
            }
        }
        return new FrameResult.Malformed("invalid JSON: " + msg);
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
                return "an integer";
            case VALUE_NUMBER_FLOAT:
                return "a float";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.name();
        }
    }
}
