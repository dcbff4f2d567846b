package io.fluxgate.cursor;

import org.jspecify.annotations.Nullable;
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
public record Page<T, C>(List<T> items, @Nullable C next, boolean hasMore) {

    /**
     * Copies the items.
     *
     * @param items the elements of this page, copied; may be empty
     * @param next the cursor to resume from after this page, or {@code null}
     * @param hasMore {@code false} on the last page
     * @throws NullPointerException if {@code items} is null
     */
    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /**
     * A page followed by more, starting at {@code next}.
     *
     * @param <T> the element type
     * @param <C> the cursor type
     * @param items the page's elements, copied
     * @param next the cursor of the next page
     * @return a page with {@code hasMore} set
     * @throws NullPointerException if {@code next} is null
     */
    public static <T, C> Page<T, C> of(List<T> items, C next) {
        return new Page<>(items, Objects.requireNonNull(next, "next"), true);
    }

    /**
     * The last page for now. {@code next}, if not null, is still checkpointed, so a later run resumes after
     * these items (e.g. keyset pagination over a growing table picks up new rows).
     *
     * @param <T> the element type
     * @param <C> the cursor type
     * @param items the page's elements, copied
     * @param next the cursor to resume from later, or {@code null}
     * @return a page without {@code hasMore}
     */
    public static <T, C> Page<T, C> last(List<T> items, @Nullable C next) {
        return new Page<>(items, next, false);
    }
}
