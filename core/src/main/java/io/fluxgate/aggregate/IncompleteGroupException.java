package io.fluxgate.aggregate;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A group was closed before its completion condition held under {@link IncompletePolicy#ERROR}. The message names
 * the key, the reason and the parts present.
 */
public class IncompleteGroupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    // transient: keys are rarely serializable; a deserialized exception keeps the rest and the message
    private final transient @Nullable Object key;
    /** The names of the parts that had arrived. */
    private final List<String> present;
    /** Why the group was closed. */
    private final Aggregated.Reason reason;

    /**
     * Creates the exception.
     *
     * @param key     the key of the incomplete group
     * @param present the names of the parts that had arrived, in arrival order (copied)
     * @param reason  why the group was closed
     * @throws NullPointerException if {@code present} or {@code reason} is null
     */
    public IncompleteGroupException(Object key, List<String> present, Aggregated.Reason reason) {
        super("group for key " + key + " closed incomplete (" + reason + ") with parts " + present);
        this.key = key;
        this.present = List.copyOf(present);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * The key of the incomplete group.
     *
     * @return the key, or null in an exception that was serialized and read back (the message still names it)
     */
    public @Nullable Object key() {
        return key;
    }

    /**
     * The names of the parts that had arrived.
     *
     * @return an unmodifiable list, in arrival order
     */
    public List<String> present() {
        return present;
    }

    /**
     * Why the group was closed.
     *
     * @return the reason
     */
    public Aggregated.Reason reason() {
        return reason;
    }
}
