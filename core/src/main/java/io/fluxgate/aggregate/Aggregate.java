package io.fluxgate.aggregate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fluxgate.aggregate.AggregateStats.Counter;
import io.fluxgate.aggregate.internal.AggregateMeters;
import io.fluxgate.aggregate.internal.FluxAggregate;
import io.fluxgate.aggregate.internal.Rules;
import io.fluxgate.aggregate.internal.Tagged;
import io.fluxgate.internal.Checks;
import io.fluxgate.internal.Described;
import io.fluxgate.internal.Time;
import io.micrometer.core.instrument.MeterRegistry;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.util.annotation.Nullable;

/**
 * A keyed aggregator: waits for the parts of one correlation key, from one stream or several, and emits them as one
 * {@link Aggregated} result (an order waits for its payment check, stock reservation and fraud score, then moves on
 * as one). Reactor's {@code zip} pairs by position and {@code join} by time window; this pairs by key.
 *
 * <h2>Several sources: {@link #sources()}</h2>
 * <pre>{@code
 * Flux<Aggregated<String, Object>> orders = Aggregate.<String, Object>sources()
 *         .part("payment", payments, Payment::orderId)
 *         .part("stock", reservations, Reservation::orderId)
 *         .part("fraud", scores, FraudScore::orderId)
 *         .timeout(Duration.ofSeconds(30))          // complete when all three parts are present (the default)
 *         .build();
 * }</pre>
 *
 * <h2>One stream of parts: {@link #byKey(Function, Function)}</h2>
 * <pre>{@code
 * results.transform(Aggregate.byKey(Result::orderId, Result::check)
 *         .completeWhenAll("payment", "stock", "fraud")
 *         .timeout(Duration.ofSeconds(30))
 *         .build())                                 // Flux<Aggregated<String, Result>>
 * }</pre>
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>Completion.</b> A group opens with the first part of its key and completes, and is emitted as an
 *       {@link Aggregated.Complete}, as soon as its condition holds after a part arrived: all named parts present
 *       ({@link Settings#completeWhenAll}), a number of distinct parts ({@link Settings#completeAfter}), or a
 *       predicate over the parts so far ({@link Settings#completeWhen}). Results come in completion order.</li>
 *   <li><b>Timeout.</b> A group still open {@link Settings#timeout} after its first part (processing time, on the
 *       scheduler, so {@code StepVerifier.withVirtualTime} controls it) is closed under the
 *       {@link IncompletePolicy}: emitted as an {@link Aggregated.Partial}, dropped and counted, or an error.</li>
 *   <li><b>Bounded keys.</b> At most {@link Settings#maxKeys} groups are open; a part for a new key when that many
 *       are open first closes the oldest group (reason {@code EVICTED}, counted) under the same policy.</li>
 *   <li><b>Duplicates.</b> A part whose name is already present in its open group is handled by the
 *       {@link DuplicatePolicy}: keep first, keep last, or error; counted either way.</li>
 *   <li><b>Late parts.</b> Closed keys (completed, timed out, evicted) are remembered, at most
 *       {@link Settings#rememberClosedKeys} of them for a TTL; a part for a remembered key is late, counted, and
 *       dropped or handed to a side output ({@link LatePartPolicy}). A part for a forgotten key opens a new group.</li>
 *   <li><b>Source completion.</b> Open groups are closed (reason {@code SOURCE_COMPLETED}) under the incomplete
 *       policy, the results still held are delivered as demand allows, then {@code onComplete}.</li>
 * </ul>
 *
 * <p><b>Backpressure.</b> One request unit is one group. Upstream is asked for parts only while the closed groups
 * waiting for demand plus the parts requested and not yet received stay below {@link Settings#maxWaiting}: when
 * downstream stops requesting, waiting groups stay within that bound (plus those closed by timeouts meanwhile, at
 * most {@code maxKeys}) and upstream requests stop. Memory is bounded by {@code maxKeys} open groups,
 * {@code maxWaiting} waiting ones and the remembered closed keys; never by the stream's length.
 *
 * <p><b>Cancel, errors.</b> Cancel stops the timer and hands every held part value (open and waiting groups) to
 * Reactor's discard hook ({@code Operators.onDiscard}); it is idempotent. An upstream error, a throwing key,
 * part-name or completion function, a null key or part name, an {@code ERROR} policy's exception or a throwing side
 * output discards everything held and is delivered at once; results still waiting are not emitted.
 *
 * <p><b>Counters</b>: {@link AggregateStats}, and Micrometer counters {@code fluxgate.aggregate.events} tagged
 * {@code name} and {@code event} when a {@link Settings#meterRegistry registry} is given.
 */
public final class Aggregate {

    /** Completion timeout per group when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);
    /** Bound on open groups when none is given. */
    public static final int DEFAULT_MAX_KEYS = 10_000;
    /** Bound on closed groups waiting for demand plus parts requested ahead, when none is given. */
    public static final int DEFAULT_MAX_WAITING = 256;
    /** Closed keys remembered for late-part detection when no bound is given. */
    public static final int DEFAULT_MAX_CLOSED_KEYS = 100_000;
    /** How long a closed key is remembered when no TTL is given. */
    public static final Duration DEFAULT_CLOSED_KEYS_TTL = Duration.ofMinutes(10);
    /** Meter tag {@code name} of {@link Settings#meterRegistry(MeterRegistry)}. */
    public static final String DEFAULT_NAME = "aggregate";

    /** Parts requested from each source of {@link #sources()} ahead of the merge. */
    private static final int SOURCE_PREFETCH = 32;

    private Aggregate() {
    }

    /**
     * Starts the one-stream form: every element is a part, identified by its key and its part name. A completion
     * condition is required.
     *
     * @param <K>      the correlation key type
     * @param <T>      the element (part) type
     * @param key      the correlation key of an element; elements with equal keys form a group
     * @param partName the part name of an element; one value per name is kept in a group (see
     *                 {@link Settings#duplicateParts})
     * @return the builder of the one-stream form
     * @throws NullPointerException if an argument is null
     */
    public static <K, T> FluxBuilder<K, T> byKey(Function<? super T, ? extends K> key,
                                                 Function<? super T, String> partName) {
        return new FluxBuilder<>(Objects.requireNonNull(key, "key"), Objects.requireNonNull(partName, "partName"));
    }

    /**
     * Starts the several-sources form: each source is one named part, with its own key function; by default a
     * group completes when every source has delivered its part for the key.
     *
     * @param <K> the correlation key type
     * @param <T> a common supertype of the sources' values
     * @return the builder of the several-sources form
     */
    public static <K, T> SourcesBuilder<K, T> sources() {
        return new SourcesBuilder<>();
    }

    /**
     * Settings shared by both forms; each setter validates its argument and names the bad value.
     *
     * @param <K> the correlation key type
     * @param <T> the part value type
     * @param <B> the concrete builder
     */
    public abstract static class Settings<K, T, B extends Settings<K, T, B>> {
        @Nullable
        Predicate<? super Map<String, T>> completion;
        @Nullable
        Set<String> allOf;
        Duration timeout = DEFAULT_TIMEOUT;
        int maxKeys = DEFAULT_MAX_KEYS;
        IncompletePolicy incomplete = IncompletePolicy.EMIT_PARTIAL;
        DuplicatePolicy duplicates = DuplicatePolicy.KEEP_FIRST;
        LatePartPolicy<K, T> late = LatePartPolicy.drop();
        int maxClosedKeys = DEFAULT_MAX_CLOSED_KEYS;
        Duration closedKeysTtl = DEFAULT_CLOSED_KEYS_TTL;
        int maxWaiting = DEFAULT_MAX_WAITING;
        @Nullable
        Scheduler scheduler;
        @Nullable
        AggregateStats stats;
        @Nullable
        MeterRegistry registry;
        String name = DEFAULT_NAME;

        Settings() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Complete a group when all of {@code parts} are present (other part names are kept too). Replaces any
         * earlier completion condition.
         *
         * @param parts the part names required, at least one, none blank
         * @return this builder
         * @throws IllegalArgumentException if {@code parts} is empty or a name is blank
         * @throws NullPointerException     if {@code parts} or a name is null
         */
        public B completeWhenAll(String... parts) {
            Objects.requireNonNull(parts, "parts");
            if (parts.length == 0) {
                throw new IllegalArgumentException("completeWhenAll needs at least one part name, was []");
            }
            Set<String> names = new LinkedHashSet<>();
            for (String p : parts) {
                names.add(Checks.notBlank("part name", p));
            }
            this.allOf = Set.copyOf(names);
            Set<String> required = this.allOf;
            this.completion = ps -> ps.keySet().containsAll(required);
            return self();
        }

        /**
         * Complete a group once it holds {@code parts} distinct part names. Replaces any earlier condition.
         *
         * @param parts distinct part names needed, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code parts < 1}
         */
        public B completeAfter(int parts) {
            int n = Checks.atLeast("completeAfter", parts, 1);
            this.allOf = null;
            this.completion = ps -> ps.size() >= n;
            return self();
        }

        /**
         * Complete a group as soon as {@code condition} holds for its parts so far (part name to value, unmodifiable),
         * tested after every part added or replaced. An exception it throws fails the stream. Replaces any earlier
         * condition.
         *
         * @param condition tested on the group's parts after each change; {@code true} completes the group
         * @return this builder
         * @throws NullPointerException if {@code condition} is null
         */
        public B completeWhen(Predicate<? super Map<String, T>> condition) {
            this.completion = Objects.requireNonNull(condition, "condition");
            this.allOf = null;
            return self();
        }

        /**
         * How long a group may stay open after its first part (processing time); {@link #DEFAULT_TIMEOUT} by default.
         *
         * @param timeout positive; measured from the group's first part, so a trickle of parts cannot keep a group
         *                open forever
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if null
         */
        public B timeout(Duration timeout) {
            this.timeout = Checks.requirePositive("timeout", timeout);
            return self();
        }

        /**
         * What happens to a group closed before it completed (timeout, eviction, source completion);
         * {@link IncompletePolicy#EMIT_PARTIAL} by default.
         *
         * @param policy emit, drop or fail on a group closed incomplete
         * @return this builder
         * @throws NullPointerException if null
         */
        public B incompleteGroups(IncompletePolicy policy) {
            this.incomplete = Objects.requireNonNull(policy, "incompleteGroups");
            return self();
        }

        /**
         * Most open groups; a new key beyond it evicts the oldest open group. {@link #DEFAULT_MAX_KEYS} by default.
         *
         * @param maxKeys open groups at most, at least 1; bounds memory when keys never complete
         * @return this builder
         * @throws IllegalArgumentException if {@code maxKeys < 1}
         */
        public B maxKeys(int maxKeys) {
            this.maxKeys = Checks.atLeast("maxKeys", maxKeys, 1);
            return self();
        }

        /**
         * What happens to a part already present in its group; {@link DuplicatePolicy#KEEP_FIRST} by default.
         *
         * @param policy keep the first value, keep the last, or fail
         * @return this builder
         * @throws NullPointerException if null
         */
        public B duplicateParts(DuplicatePolicy policy) {
            this.duplicates = Objects.requireNonNull(policy, "duplicateParts");
            return self();
        }

        /**
         * What happens to a part for a remembered closed key; {@link LatePartPolicy#drop()} by default.
         *
         * @param policy drop or hand to a side output
         * @return this builder
         * @throws NullPointerException if null
         */
        public B lateParts(LatePartPolicy<K, T> policy) {
            this.late = Objects.requireNonNull(policy, "lateParts");
            return self();
        }

        /**
         * How many closed keys are remembered, and for how long after they closed, to recognise late parts (the
         * oldest is forgotten first); {@link #DEFAULT_MAX_CLOSED_KEYS} for {@link #DEFAULT_CLOSED_KEYS_TTL} by default.
         *
         * @param maxKeys closed keys remembered at most, at least 1
         * @param ttl     positive; how long a closed key is remembered after it closed
         * @return this builder
         * @throws IllegalArgumentException if {@code maxKeys < 1} or {@code ttl} is not positive
         * @throws NullPointerException     if {@code ttl} is null
         */
        public B rememberClosedKeys(int maxKeys, Duration ttl) {
            this.maxClosedKeys = Checks.atLeast("rememberClosedKeys maxKeys", maxKeys, 1);
            this.closedKeysTtl = Checks.requirePositive("rememberClosedKeys ttl", ttl);
            return self();
        }

        /**
         * Bound on closed groups waiting for downstream demand plus parts requested from upstream ahead of them;
         * {@link #DEFAULT_MAX_WAITING} by default.
         *
         * @param maxWaiting at least 1; bounds the memory held for a slow downstream
         * @return this builder
         * @throws IllegalArgumentException if {@code maxWaiting < 1}
         */
        public B maxWaiting(int maxWaiting) {
            this.maxWaiting = Checks.atLeast("maxWaiting", maxWaiting, 1);
            return self();
        }

        /**
         * The scheduler of the timeout timer and its clock; by default {@code Schedulers.parallel()}, resolved at
         * each subscription (so {@code StepVerifier.withVirtualTime} takes effect), timed with
         * {@code System.nanoTime()} or virtual time.
         *
         * @param scheduler runs the timeout timer and supplies its clock
         * @return this builder
         * @throws NullPointerException if null
         */
        public B scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return self();
        }

        /**
         * Counters every subscription adds to. Default: none kept beyond the meters.
         *
         * @param stats the counters to add to; may be shared by several operators
         * @return this builder
         * @throws NullPointerException if null
         */
        public B stats(AggregateStats stats) {
            this.stats = Objects.requireNonNull(stats, "stats");
            return self();
        }

        /**
         * Stage name used in meter tags and {@code toString()}; tells several aggregations apart.
         *
         * @param name non-blank; default {@value Aggregate#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public B name(String name) {
            this.name = Checks.notBlank("name", name);
            return self();
        }

        /**
         * Records the counters of {@link AggregateStats.Counter} as Micrometer counters
         * {@code fluxgate.aggregate.events} tagged {@code name} and {@code event} (the counter in lower case, e.g.
         * {@code timed_out}). Default: no registry, no meters.
         *
         * @param registry where the counters are recorded
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public B meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return self();
        }

        Object[] settings() {
            return new Object[] {"name", name, "completion", allOf != null ? "all of " + allOf : "custom",
                    "timeout", timeout, "maxKeys", maxKeys, "incompleteGroups", incomplete, "duplicateParts", duplicates,
                    "maxClosedKeys", maxClosedKeys, "closedKeysTtl", closedKeysTtl, "maxWaiting", maxWaiting,
                    "scheduler", scheduler != null ? scheduler : "parallel"};
        }

        Rules<K, T> rules(Predicate<? super Map<String, T>> completion) {
            return new Rules<>(completion, Time.saturatedNanos(timeout), maxKeys, incomplete, duplicates, late.sink(),
                    maxClosedKeys, Time.saturatedNanos(closedKeysTtl), maxWaiting);
        }

        Consumer<Counter> counters() {
            AggregateStats st = stats;
            Consumer<Counter> meters = registry != null ? new AggregateMeters(registry, name) : null;
            if (st == null && meters == null) {
                return c -> { };
            }
            if (meters == null) {
                return st::increment;
            }
            if (st == null) {
                return meters;
            }
            return c -> {
                st.increment(c);
                meters.accept(c);
            };
        }
    }

    /**
     * The one-stream form: {@code Flux<T> -> Flux<Aggregated<K, T>>}.
     *
     * @param <K> the correlation key type
     * @param <T> the part type
     */
    public static final class FluxBuilder<K, T> extends Settings<K, T, FluxBuilder<K, T>> {
        private final Function<? super T, ? extends K> key;
        private final Function<? super T, String> partName;

        private FluxBuilder(Function<? super T, ? extends K> key, Function<? super T, String> partName) {
            this.key = key;
            this.partName = partName;
        }

        /**
         * Builds the operator; see {@link Aggregate} for emission, backpressure, cancel and errors.
         *
         * @return a reusable transformer; each subscription gets its own state
         * @throws IllegalArgumentException if no completion condition was set
         */
        public Function<Flux<T>, Flux<Aggregated<K, T>>> build() {
            if (completion == null) {
                throw new IllegalArgumentException(
                        "a completion condition is required: completeWhenAll, completeAfter or completeWhen");
            }
            Rules<K, T> rules = rules(completion);
            Consumer<Counter> counters = counters();
            Function<? super T, ? extends K> k = key;
            Function<? super T, String> p = partName;
            Scheduler s = scheduler;
            return Described.of("Aggregate", flux -> new FluxAggregate<T, K, T>(flux, rules, k, p, Function.identity(), s,
                    counters), settings());
        }
    }

    /**
     * The several-sources form: a {@code Flux<Aggregated<K, T>>} over named sources, each subscribed once per
     * subscription of the result (merged, 32 parts prefetched from each).
     *
     * @param <K> the correlation key type
     * @param <T> a common supertype of the sources' values ({@code Object} for unrelated types)
     */
    public static final class SourcesBuilder<K, T> extends Settings<K, T, SourcesBuilder<K, T>> {
        private final List<Flux<Tagged<K, T>>> sources = new ArrayList<>();
        private final Set<String> names = new LinkedHashSet<>();

        private SourcesBuilder() {
        }

        /**
         * Adds a source whose every value is the part {@code name} of the group of its key.
         *
         * @param <P>    the source's value type
         * @param name   the part name of the source's values, unique among the sources, not blank
         * @param source subscribed once per subscription of the result; its values are this part
         * @param key    the correlation key of a value of this source
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank or already used
         * @throws NullPointerException     if an argument is null
         */
        public <P extends T> SourcesBuilder<K, T> part(String name, Publisher<P> source,
                                                       Function<? super P, ? extends K> key) {
            Checks.notBlank("part name", name);
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(key, "key");
            if (!names.add(name)) {
                throw new IllegalArgumentException("part name must be unique, was '" + name + "' twice");
            }
            sources.add(Flux.from(source).map(v -> new Tagged<K, T>(name, key.apply(v), v)));
            return this;
        }

        /**
         * Builds the merged, aggregated stream; without a completion condition a group completes when every source
         * has delivered its part. See {@link Aggregate} for emission, backpressure, cancel and errors.
         *
         * @return a cold {@code Flux}; each subscription subscribes to every source and gets its own state
         * @throws IllegalArgumentException if no part was added, or {@link #completeWhenAll} names a part that is
         *     not a source
         */
        public Flux<Aggregated<K, T>> build() {
            if (sources.isEmpty()) {
                throw new IllegalArgumentException("at least one part(name, source, key) is required");
            }
            Predicate<? super Map<String, T>> c = completion;
            if (c == null) {
                Set<String> all = Set.copyOf(names);
                c = ps -> ps.size() >= all.size() && ps.keySet().containsAll(all);
            } else if (allOf != null && !names.containsAll(allOf)) {
                Set<String> unknown = new LinkedHashSet<>(allOf);
                unknown.removeAll(names);
                throw new IllegalArgumentException("completeWhenAll names parts that are not sources, was " + unknown
                        + " (sources: " + names + ")");
            }
            Flux<Tagged<K, T>> merged = Flux.merge(Flux.fromIterable(List.copyOf(sources)), sources.size(),
                    SOURCE_PREFETCH);
            return new FluxAggregate<Tagged<K, T>, K, T>(merged, rules(c), Tagged::key, Tagged::part, Tagged::value,
                    scheduler, counters());
        }
    }
}
