/**
 * Branching stages that merge back into one stream: {@link io.fluxgate.route.Route#when} (if/else into two
 * sub-pipelines) and {@link io.fluxgate.route.Route#partition}/{@link io.fluxgate.route.Route#partitionWith} (by key
 * into {@code n} sub-pipelines, one key always to the same one). The source is shared through Reactor's
 * {@code publish}/{@code groupBy}, so it emits only as fast as the slowest branch requests and nothing is buffered
 * without bound. Order is kept within a branch (and within a key), not across branches.
 */
@NullMarked
package io.fluxgate.route;

import org.jspecify.annotations.NullMarked;
