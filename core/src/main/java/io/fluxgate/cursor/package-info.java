/**
 * Resumable sources over cursor-paginated APIs and queries. {@link io.fluxgate.cursor.CursorSource} turns a
 * {@code cursor -> Mono<Page>} function into a {@code Flux} that fetches one {@link io.fluxgate.cursor.Page} at a
 * time, only on demand, and saves the cursor to resume from in a {@link io.fluxgate.cursor.CheckpointStore} once a
 * page's items were emitted, so a restarted run resumes after the last page it fully delivered (at-least-once: a
 * page interrupted mid-way is fetched again).
 */
@NullMarked
package io.fluxgate.cursor;

import org.jspecify.annotations.NullMarked;
