package io.fluxgate.cursor;

import java.util.Objects;
import java.util.function.Function;

import io.fluxgate.internal.Checks;
import io.fluxgate.internal.MicrometerStageMeters;
import io.fluxgate.internal.StageMeters;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import java.util.function.LongConsumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@code Flux<T>} over a cursor-paginated API or query ({@code cursor -> Mono<Page>}): pages are fetched one at
 * a time and only on demand (the next page is requested when the current page's items have all been emitted and
 * the subscriber still wants more), and after each page the cursor to resume from is saved to a
 * {@link CheckpointStore}, so a restarted run resumes where the last one stopped.
 *
 * <pre>{@code
 * Flux<Row> rows = CursorSource.<Row, Long>builder(after -> repo.pageAfter(after, 500))
 *         .initialCursor(0L)
 *         .checkpoints(store)
 *         .build();
 * }</pre>
 *
 * <p>Delivery is at-least-once across restarts: the checkpoint is written after a page's items were emitted
 * downstream, so a crash in between replays that page. Each subscription loads the checkpoint afresh. An error
 * from the page function or the store fails the stream (compose with {@code retryWhen} to retry the fetch: the
 * stream re-subscribes from the last checkpoint). Cancellation cancels the fetch in flight.
 */
public final class CursorSource {

    /** Default source name. */
    public static final String DEFAULT_NAME = "cursor";

    private CursorSource() {
    }

    /**
     * A builder over {@code fetch}; {@link Builder#initialCursor} is required.
     *
     * @param <T> the element type
     * @param <C> the cursor type
     * @param fetch fetches the page starting at a cursor; called once per page, only on demand
     * @return a builder
     */
    public static <T, C> Builder<T, C> builder(Function<? super C, ? extends Mono<Page<T, C>>> fetch) {
        return new Builder<>(Objects.requireNonNull(fetch, "fetch"));
    }

    /** Configuration. */
    public static final class Builder<T, C> {
        private final Function<? super C, ? extends Mono<Page<T, C>>> fetch;
        private @Nullable C initial;
        private @Nullable CheckpointStore<C> store;
        private String name = DEFAULT_NAME;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(Function<? super C, ? extends Mono<Page<T, C>>> fetch) {
            this.fetch = fetch;
        }

        /**
         * The source's name: meter tag, and Reactor's {@code Flux.name} of the built source.
         *
         * @param name non-blank; default {@value CursorSource#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder<T, C> name(String name) {
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /**
         * Records meters in {@code registry}: {@code fluxgate.cursor.pages} (counter: pages fetched) and
         * {@code fluxgate.cursor.items} (counter: items in them), tagged {@code name}. Default: none.
         *
         * @param registry the registry the meters are added to when the source is built
         * @return this builder
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder<T, C> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * The cursor of the first page when no checkpoint exists.
         *
         * @param initial the cursor of the first page
         * @return this builder
         */
        public Builder<T, C> initialCursor(C initial) {
            this.initial = Objects.requireNonNull(initial, "initialCursor");
            return this;
        }

        /**
         * Where to load and save the resume cursor (default: none, every subscription starts at the initial cursor).
         *
         * @param store the checkpoint store
         * @return this builder
         */
        public Builder<T, C> checkpoints(CheckpointStore<C> store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Builds the source. Cold: each subscription loads the checkpoint and pages from there.
         *
         * @return a cold {@code Flux} of every page's items, in order
         * @throws IllegalArgumentException if no initial cursor was set
         */
        public Flux<T> build() {
            if (initial == null) {
                throw new IllegalArgumentException("initialCursor is required, was not set");
            }
            C start = initial;
            CheckpointStore<C> s = store;
            StageMeters m = meterRegistry == null ? StageMeters.NONE : MicrometerStageMeters.of(meterRegistry, "cursor", name);
            Runnable pages = m.counter("pages", "pages fetched");
            LongConsumer items = m.amount("items", "items in the pages fetched");
            Function<? super C, ? extends Mono<Page<T, C>>> f = c -> fetch.apply(c).doOnNext(page -> {
                pages.run();
                items.accept(page.items().size());
            });
            Mono<C> first = s == null ? Mono.just(start) : s.load().defaultIfEmpty(start);
            return first.flatMapMany(c -> pages(c, f, s)).name(name);
        }

        private static <T, C> Flux<T> pages(C cursor, Function<? super C, ? extends Mono<Page<T, C>>> fetch,
                                            @Nullable CheckpointStore<C> store) {
            // the fetch starts when the subscriber first requests, not as soon as the previous page's last item
            // went out (prefetching operators would fetch one page ahead of demand)
            return new OnFirstRequest<>(() -> fetch.apply(cursor).flatMapMany(page -> {
                Mono<Void> checkpoint = store == null || page.next() == null ? Mono.empty() : store.save(page.next());
                Flux<T> rest = page.hasMore() ? pages(page.next(), fetch, store) : Flux.empty();
                return Flux.fromIterable(page.items()).concatWith(checkpoint.thenMany(rest));
            }));
        }
    }
}
