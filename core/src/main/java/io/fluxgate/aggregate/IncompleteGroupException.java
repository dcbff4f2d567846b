package io.fluxgate.aggregate;

import java.util.List;
import java.util.Objects;

/**
 * A group was closed before its completion condition held under {@link IncompletePolicy#ERROR}. The message names
 * the key, the reason and the parts present.
 */
public class IncompleteGroupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Object key;
    private final List<String> present;
    private final Aggregated.Reason reason;

    public IncompleteGroupException(Object key, List<String> present, Aggregated.Reason reason) {
        super("group for key " + key + " closed incomplete (" + reason + ") with parts " + present);
        this.key = key;
        this.present = List.copyOf(present);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The key of the incomplete group. */
    public Object key() {
        return key;
    }

    /** The names of the parts that had arrived, in arrival order. */
    public List<String> present() {
        return present;
    }

    /** Why the group was closed. */
    public Aggregated.Reason reason() {
        return reason;
    }
}
