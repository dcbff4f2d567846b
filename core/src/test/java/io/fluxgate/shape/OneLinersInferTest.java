package io.fluxgate.shape;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.retry.ElementRetry;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.workers.Workers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The common one-liners compile with untyped lambdas and no type witnesses: this class is mostly a compile-time
 * check (it would not compile otherwise); the test only runs them once. Where a lambda's body needs the element
 * type ({@code e -> e.id()}), the function is passed last, to {@code build(...)}, so it is typed from the stream.
 */
class OneLinersInferTest {

    record Event(String id, String uid, long ts) {
    }

    /** A client whose calls need the element type. */
    static final class Client {
        Mono<String> fetch(Long id) {
            return Mono.just("item-" + id);
        }
    }

    @Test
    void oneLinersCompileAndRun() {
        Client client = new Client();
        Flux<Long> ids = Flux.just(1L, 2L);
        Flux<Event> events = Flux.just(new Event("a", "u1", 0), new Event("a", "u1", 1), new Event("b", "u2", 70));

        // ElementRetry: the call last (typed from the stream), or a method reference up front
        List<String> fetched = ids.transform(ElementRetry.builder().maxAttempts(5).build(id -> client.fetch(id)))
                .collectList().block();
        ids.transform(ElementRetry.builder(client::fetch).maxAttempts(5).build()).blockLast();
        ids.transform(ElementRetry.builder(id -> Mono.just(id)).build()).blockLast(); // any T: build() widens
        ids.transform(ElementRetry.builder().buildOutcomes(id -> client.fetch(id))).blockLast();
        ids.transform(ElementRetry.of(3, id -> client.fetch(id))).blockLast();

        // Dedupe: the key last, or a method reference up front
        List<Event> distinct = events.transform(Dedupe.builder().ttl(Duration.ofMinutes(10)).build(e -> e.id()))
                .collectList().block();
        events.transform(Dedupe.byKey(Event::id).maxKeys(1_000).build()).blockLast();
        events.transform(Dedupe.lastN(100)).blockLast();

        // AdaptiveBatch: builder() no longer fixes T before build()
        List<List<Event>> batches = events.transform(AdaptiveBatch.builder().maxSize(2).build()).collectList().block();
        events.transform(AdaptiveBatch.of(2, Duration.ofMillis(50))).blockLast();
        ids.transform(AdaptiveBatch.into(batch -> Mono.just(batch.size())).build()).blockLast();

        // UniqueUsers: method references fix the record type
        List<WindowCount> windows = events.transform(UniqueUsers.perWindow(Duration.ofMinutes(1))
                .userId(Event::uid).eventTimeSeconds(Event::ts).build()).collectList().block();

        // Workers: the call last
        ids.transform(Workers.builder().maxInFlight(4).build(id -> client.fetch(id))).blockLast();
        ids.transform(Workers.ordered(4, id -> client.fetch(id))).blockLast();
        ids.transform(Workers.adaptive().build(id -> client.fetch(id))).blockLast();

        assertThat(fetched).containsExactly("item-1", "item-2");
        assertThat(distinct).extracting(Event::id).containsExactly("a", "b");
        assertThat(batches).hasSize(2);
        assertThat(windows).extracting(WindowCount::uniqueUsers).containsExactly(1L, 1L);
    }
}
