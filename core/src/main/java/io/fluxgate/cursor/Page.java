package io.fluxgate.cursor;

import java.util.List;
import java.util.Objects;

/**
 * One page of a cursor-paginated source.
 *
 * @param items   the elements of this page (may be empty)
 * @param next    the cursor to resume from after this page (checkpointed once the page's items were emitted);
 *                {@code null} for none
 * @param hasMore {@code false} on the last page: the source completes after it
 */
public record Page<T, C>(List<T> items, C next, boolean hasMore) {

    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /** A page followed by more, starting at {@code next}. */
    public static <T, C> Page<T, C> of(List<T> items, C next) {
        return new Page<>(items, Objects.requireNonNull(next, "next"), true);
    }

    /**
     * The last page for now. {@code next}, if not null, is still checkpointed, so a later run resumes after
     * these items (e.g. keyset pagination over a growing table picks up new rows).
     */
    public static <T, C> Page<T, C> last(List<T> items, C next) {
        return new Page<>(items, next, false);
    }
}
