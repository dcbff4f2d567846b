package io.fluxgate.aggregate.internal;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.fluxgate.aggregate.DuplicatePolicy;
import io.fluxgate.aggregate.IncompletePolicy;
import io.fluxgate.aggregate.LatePart;
import reactor.util.annotation.Nullable;

/**
 * The validated settings of one aggregate operator, as the state machine reads them. Not API.
 *
 * @param completion        tested on the open group's parts after every change
 * @param timeoutNanos      per-group completion timeout from its first part; {@code Long.MAX_VALUE} for none
 * @param maxKeys           most open groups
 * @param incomplete        what happens to a group closed before completion
 * @param duplicates        what happens to a part already present
 * @param lateSink          side output of late parts; null drops them
 * @param closedKeys        most closed keys remembered
 * @param closedKeysTtlNanos how long a closed key is remembered
 * @param maxWaiting        bound on closed groups waiting for demand plus parts requested and not yet received
 */
public record Rules<K, T>(Predicate<? super Map<String, T>> completion, long timeoutNanos, int maxKeys,
                          IncompletePolicy incomplete, DuplicatePolicy duplicates,
                          @Nullable Consumer<? super LatePart<K, T>> lateSink, int closedKeys,
                          long closedKeysTtlNanos, int maxWaiting) {
}
