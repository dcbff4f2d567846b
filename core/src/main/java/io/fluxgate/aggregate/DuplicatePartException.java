package io.fluxgate.aggregate;

/** A part arrived twice for one open group under {@link DuplicatePolicy#ERROR}; the message names key and part. */
public class DuplicatePartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Object key;
    private final String part;

    public DuplicatePartException(Object key, String part) {
        super("part '" + part + "' arrived twice for key " + key);
        this.key = key;
        this.part = part;
    }

    /** The key of the group. */
    public Object key() {
        return key;
    }

    /** The duplicated part name. */
    public String part() {
        return part;
    }
}
