package io.fluxgate.aggregate;

import org.jspecify.annotations.Nullable;

/** A part arrived twice for one open group under {@link DuplicatePolicy#ERROR}; the message names key and part. */
public class DuplicatePartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    // transient: keys are rarely serializable; a deserialized exception keeps the part and the message
    private final transient @Nullable Object key;
    /** The duplicated part name. */
    private final String part;

    /**
     * Creates the exception.
     *
     * @param key  the key of the group
     * @param part the part name that arrived twice
     */
    public DuplicatePartException(Object key, String part) {
        super("part '" + part + "' arrived twice for key " + key);
        this.key = key;
        this.part = part;
    }

    /**
     * The key of the group.
     *
     * @return the key, or null in an exception that was serialized and read back (the message still names it)
     */
    public @Nullable Object key() {
        return key;
    }

    /**
     * The duplicated part name.
     *
     * @return the part name
     */
    public String part() {
        return part;
    }
}
