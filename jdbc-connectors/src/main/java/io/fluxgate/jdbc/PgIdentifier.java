package io.fluxgate.jdbc;

import org.jspecify.annotations.Nullable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * PostgreSQL identifiers (table, column, schema names) as the connectors put them into SQL: validated, then always
 * double-quoted, so a name is taken literally (case-sensitive, exactly as stored in the catalog) and no name can
 * inject SQL.
 */
public final class PgIdentifier {

    /** PostgreSQL's NAMEDATALEN - 1: longer names would be silently truncated by the server. */
    public static final int MAX_BYTES = 63;

    private PgIdentifier() {
    }

    /**
     * Returns {@code name} if it is usable as an identifier.
     *
     * @param what what the name is, for the message (e.g. "column")
     * @param name the identifier, as stored in the catalog
     * @return {@code name}
     * @throws IllegalArgumentException if empty, longer than {@value #MAX_BYTES} UTF-8 bytes, or containing a NUL
     *     or another control character
     */
    public static String validate(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty()) {
            throw new IllegalArgumentException(what + " name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !validSurrogate(name, i)) {
                throw new IllegalArgumentException(what + " name '" + name.replace("\0", "\\0")
                        + "' contains a control character or malformed UTF-16 at index " + i);
            }
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(what + " name '" + name + "' is " + bytes
                    + " bytes long; PostgreSQL identifiers are at most " + MAX_BYTES + " bytes");
        }
        return name;
    }

    /**
     * {@code name} as a quoted identifier ({@code "} doubled inside). Validates first.
     *
     * @param name the identifier, as stored in the catalog
     * @return the quoted identifier
     * @throws IllegalArgumentException if {@code name} is not usable as an identifier
     */
    public static String quote(String name) {
        validate(name, "identifier");
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * {@code "schema"."name"}, or just {@code "name"} when {@code schema} is {@code null}.
     *
     * @param schema the schema, or {@code null}
     * @param name the identifier
     * @return the quoted, possibly qualified, identifier
     * @throws IllegalArgumentException if a name is not usable as an identifier
     */
    public static String qualified(@Nullable String schema, String name) {
        return schema == null ? quote(name) : quote(schema) + "." + quote(name);
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
