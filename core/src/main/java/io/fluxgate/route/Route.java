package io.fluxgate.route;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import reactor.core.publisher.Flux;

/**
 * Branching stages that merge back into one stream.
 *
 * <p>{@link #when} is {@code if (predicate) thenStage else otherwiseStage}; {@link #partition}/{@link #partitionWith} split by key into
 * {@code n} sub-pipelines. Backpressure is respected on every branch: the source is shared through
 * {@code publish}/{@code groupBy}, which emit only as fast as the slowest branch requests (a stalled branch
 * pauses the others once their small prefetch is used up; nothing is buffered without bound). Output order across
 * branches is by completion, not input order; within a branch (and within a partition key) order is the branch's
 * own.
 */
public final class Route {

    /** Default prefetch of the shared source. */
    public static final int DEFAULT_PREFETCH = 32;

    private Route() {
    }

    /**
     * Elements matching {@code predicate} go through {@code then}, the others through {@code otherwise}; outputs
     * are merged. The predicate is evaluated once per element. Cancelling cancels both branches and the source;
     * an error in either branch cancels the other and fails the stream.
     *
     * @param <T> the element type
     * @param <R> the output type
     * @param predicate chooses the branch of an element
     * @param then the branch of matching elements
     * @param otherwise the branch of the others
     * @return {@code Flux<T> -> Flux<R>}: both branches' outputs, merged
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Function<Flux<T>, Flux<R>> when(Predicate<? super T> predicate,
                                                        Function<Flux<T>, Flux<R>> then,
                                                        Function<Flux<T>, Flux<R>> otherwise) {
        Objects.requireNonNull(predicate, "predicate");
        Objects.requireNonNull(then, "then");
        Objects.requireNonNull(otherwise, "otherwise");
        return Described.of("Route.when", source -> source
                .map(v -> new Routed<T>(predicate.test(v), v))
                .publish(shared -> Flux.merge(
                        shared.filter(Routed::matched).map(Routed::value).transform(then),
                        shared.filter(r -> !r.matched()).map(Routed::value).transform(otherwise)), DEFAULT_PREFETCH),
                "prefetch", DEFAULT_PREFETCH);
    }

    /**
     * Partitions by {@code key} into {@code n} sub-pipelines: partition {@code floorMod(key.hashCode(), n)} runs
     * through {@code stageFor.apply(partition)} (one stage instance per partition and subscription, e.g. with its
     * own connection), so elements of one key always meet the same pipeline in order. The sub-pipelines run
     * concurrently only if their stages are asynchronous (e.g. {@code publishOn} or async calls). Outputs are
     * merged.
     *
     * @param <T> the element type
     * @param <R> the output type
     * @param n the number of partitions, at least 1
     * @param key the partition key of an element; must not return null
     * @param stageFor makes the stage of one partition, given its index 0..n-1
     * @return {@code Flux<T> -> Flux<R>}: all partitions' outputs, merged
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> partitionWith(int n, Function<? super T, ?> key,
                                                                 IntFunction<Function<Flux<T>, Flux<R>>> stageFor) {
        Checks.atLeast("partitions", n, 1);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(stageFor, "stageFor");
        // exactly n groups and flatMap concurrency n: groupBy can never stall waiting for a group slot
        return Described.of("Route.partition", source -> source
                .groupBy(v -> Math.floorMod(Objects.hashCode(key.apply(v)), n), DEFAULT_PREFETCH)
                .flatMap(group -> group.transform(stageFor.apply(group.key())), n), "partitions", n, "prefetch", DEFAULT_PREFETCH);
    }

    /**
     * {@link #partitionWith(int, Function, IntFunction)} with the same stage for every partition.
     *
     * @param <T> the element type
     * @param <R> the output type
     * @param n the number of partitions, at least 1
     * @param key the partition key of an element; must not return null
     * @param stage the stage every partition runs
     * @return {@code Flux<T> -> Flux<R>}: all partitions' outputs, merged
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> partition(int n, Function<? super T, ?> key,
                                                             Function<Flux<T>, Flux<R>> stage) {
        Objects.requireNonNull(stage, "stage");
        return partitionWith(n, key, p -> stage);
    }

    private record Routed<T>(boolean matched, T value) {
    }
}
