package io.fluxgate.jdbc.internal;

/**
 * A strict RFC 8259 syntax check with PostgreSQL's extra refusals ({@code \u0000} and unpaired surrogate escapes),
 * so that invalid JSON is rejected per row before a COPY rather than failing the COPY on the server. Iterative, so
 * deep nesting cannot overflow the stack.
 */
public final class JsonSyntax {

    private JsonSyntax() {
    }

    /** {@code null} when {@code s} is one valid JSON value, else what is wrong and where. */
    public static String check(String s) {
        Parser p = new Parser(s);
        try {
            p.document();
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static final class Parser {
        private final String s;
        private int i;
        /** Open containers: '{' or '['. */
        private char[] stack = new char[16];
        private int depth;

        Parser(String s) {
            this.s = s;
        }

        void document() {
            ws();
            // a container's first element is parsed by this loop, not by recursion, so depth costs no stack
            boolean first = value();
            while (depth > 0) {
                ws();
                char open = stack[depth - 1];
                if (first) {
                    first = open == '{' ? member() : value();
                    continue;
                }
                char c = peek();
                if (c == ',') {
                    i++;
                    ws();
                    first = open == '{' ? member() : value();
                } else if (open == '{' && c == '}' || open == '[' && c == ']') {
                    i++;
                    depth--;
                } else {
                    throw fail("expected ',' or '" + (open == '{' ? '}' : ']') + "'");
                }
            }
            ws();
            if (i != s.length()) {
                throw fail("unexpected trailing content");
            }
        }

        /** One value; returns true when it opened a non-empty container whose first element comes next. */
        private boolean value() {
            char c = peek();
            switch (c) {
                case '{', '[' -> {
                    i++;
                    ws();
                    char close = c == '{' ? '}' : ']';
                    if (peek() == close) {
                        i++;
                        return false;
                    }
                    push(c);
                    return true;
                }
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> {
                    if (c == '-' || c >= '0' && c <= '9') {
                        number();
                    } else {
                        throw fail("unexpected character");
                    }
                }
            }
            return false;
        }

        private boolean member() {
            if (peek() != '"') {
                throw fail("expected a string key");
            }
            string();
            ws();
            if (peek() != ':') {
                throw fail("expected ':'");
            }
            i++;
            ws();
            return value();
        }

        private void push(char c) {
            if (depth == stack.length) {
                stack = java.util.Arrays.copyOf(stack, depth * 2);
            }
            stack[depth++] = c;
        }

        private void string() {
            i++; // opening quote
            while (true) {
                if (i >= s.length()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return;
                }
                if (c < 0x20) {
                    throw fail("control character in string");
                }
                if (c == '\\') {
                    if (i >= s.length()) {
                        throw fail("unterminated escape");
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
                        case 'u' -> unicodeEscape();
                        default -> throw fail("invalid escape '\\" + e + "'");
                    }
                }
            }
        }

        private void unicodeEscape() {
            int cp = hex4();
            if (cp == 0) {
                throw fail("\\u0000 cannot be stored by PostgreSQL");
            }
            if (Character.isHighSurrogate((char) cp)) {
                if (i + 6 <= s.length() && s.charAt(i) == '\\' && s.charAt(i + 1) == 'u') {
                    i += 2;
                    if (!Character.isLowSurrogate((char) hex4())) {
                        throw fail("high surrogate escape not followed by a low surrogate");
                    }
                } else {
                    throw fail("high surrogate escape not followed by a low surrogate");
                }
            } else if (Character.isLowSurrogate((char) cp)) {
                throw fail("low surrogate escape without a high surrogate");
            }
        }

        private int hex4() {
            if (i + 4 > s.length()) {
                throw fail("short \\u escape");
            }
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int d = Character.digit(s.charAt(i++), 16);
                if (d < 0) {
                    throw fail("bad hex digit in \\u escape");
                }
                v = v * 16 + d;
            }
            return v;
        }

        private void number() {
            if (peek() == '-') {
                i++;
            }
            if (peek() == '0') {
                i++;
            } else if (digits() == 0) {
                throw fail("expected a digit");
            }
            if (peek() == '.') {
                i++;
                if (digits() == 0) {
                    throw fail("expected a digit after '.'");
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                i++;
                if (peek() == '+' || peek() == '-') {
                    i++;
                }
                if (digits() == 0) {
                    throw fail("expected a digit in the exponent");
                }
            }
        }

        private int digits() {
            int start = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            return i - start;
        }

        private void literal(String word) {
            if (!s.startsWith(word, i)) {
                throw fail("expected '" + word + "'");
            }
            i += word.length();
        }

        private void ws() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                i++;
            }
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\uFFFF';
        }

        private IllegalStateException fail(String what) {
            return new IllegalStateException(what + " at offset " + Math.min(i, s.length()));
        }
    }
}
