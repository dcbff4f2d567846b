package io.fluxgate.snippets;

import io.fluxgate.aggregate.Aggregate;
import io.fluxgate.aggregate.Aggregated;
import io.fluxgate.batch.AdaptiveBatch;
import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.cursor.CursorSource;
import io.fluxgate.cursor.Page;
import io.fluxgate.debounce.KeyedDebounce;
import io.fluxgate.dedupe.Dedupe;
import io.fluxgate.dedupe.IdempotencyStore;
import io.fluxgate.heartbeat.Heartbeat;
import io.fluxgate.kafka.DeadLetters;
import io.fluxgate.kafka.share.KafkaShareSource;
import io.fluxgate.kafka.share.KafkaShareSourceOptions;
import io.fluxgate.kafka.share.ShareOutcomes;
import io.fluxgate.kafka.share.ShareRecord;
import io.fluxgate.heartbeat.StallWatchdog;
import io.fluxgate.loader.BatchLoader;
import io.fluxgate.metrics.StageMetrics;
import io.fluxgate.outcome.ErrorBudget;
import io.fluxgate.outcome.JsonLinesDeadLetterSink;
import io.fluxgate.outcome.Outcome;
import io.fluxgate.outcome.Outcomes;
import io.fluxgate.progress.ProgressSnapshot;
import io.fluxgate.progress.Progress;
import io.fluxgate.ratelimit.RateLimit;
import io.fluxgate.ratelimit.RateLimiter;
import io.fluxgate.retry.ElementRetry;
import io.fluxgate.route.Route;
import io.fluxgate.spring.boot.autoconfigure.FluxgateCircuitBreakers;
import io.fluxgate.spring.boot.autoconfigure.FluxgateRateLimiters;
import io.fluxgate.spring.boot.autoconfigure.FluxgateWatchdogs;
import io.fluxgate.timeout.ElementTimeout;
import io.fluxgate.valve.Valve;
import io.fluxgate.window.UniqueUsers;
import io.fluxgate.window.WindowCount;
import io.fluxgate.workers.Workers;
import io.fluxgate.jdbc.dedupe.PostgresIdempotencyStore;
import io.fluxgate.redis.RedisIdempotencyStore;
import io.fluxgate.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.observability.micrometer.Micrometer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Every code example of the README, compiled by the build (the examples module adds this source folder to its test
 * sources). {@code ReadmeExamplesTest} checks that each example the README shows stands here verbatim, so an example
 * that stops compiling breaks the build instead of a reader's first try.
 *
 * <p>The types below are the README's vocabulary (rows, orders, events, a client); the methods give each example the
 * variables it names.
 */
@SuppressWarnings({"unused", "UnusedReturnValue"})
public final class ReadmeExamples {

    // ---- the README's vocabulary -------------------------------------------------------------------------------

    public record Row(String id, long amount) {
        static Row parse(String line) {
            String[] f = line.split(",");
            return new Row(f[0], Long.parseLong(f[1]));
        }
    }

    public record Event(String id, String uid, long ts, long amount) {}

    public record Order(String id, String customerId, boolean isVip, List<String> lines) {}

    public record OrderPlaced(String orderId) {}

    public record Update(String userId, String value) {}

    public record Result(String orderId, String check, boolean ok) {}

    public record User(String id) {
        static final User UNKNOWN = new User("?");
    }

    public interface Client {
        Mono<User> fetch(String id);
    }

    public interface Audit {
        void log(Event e);
    }

    public interface ProgressBar {
        void draw(ProgressSnapshot snapshot);
    }

    public interface Repo {
        Mono<Page<Row, Long>> page(Long after);
    }

    public interface Users {
        Mono<Map<String, User>> byIds(List<String> ids);
    }

    public record Quote(String id, long price) {}

    public interface Partner {
        Mono<Quote> quote(String id);
    }

    // ---- "Use it": the ten-line example ------------------------------------------------------------------------

    static Flux<WindowCount> useIt(Flux<Event> events, Client client) {
        // BEGIN use-it
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("enrich");
        RateLimiter partnerApi = RateLimiter.perSecond(100);

        Flux<WindowCount> uniqueUsers = events
                .transform(Dedupe.byKey(Event::id).ttl(Duration.ofMinutes(10)).build())
                .transform(RateLimit.shaping(partnerApi))
                .transform(breaker.protect(e -> client.fetch(e.uid()).thenReturn(e)))
                .transform(UniqueUsers.perWindow(Duration.ofMinutes(1))
                        .userId(Event::uid).eventTimeSeconds(Event::ts).build());
        // END use-it
        return uniqueUsers;
    }

    // ---- the concepts table, row by row (each line exactly as the README shows it) ---------------------------

    void reactorBuiltIns(Flux<String> rows, Flux<Event> events, Flux<Object> messages, Flux<Order> orders,
                         Flux<Path> files, Audit audit, Flux<Event> kafkaEvents, Flux<Event> httpEvents,
                         Flux<Long> ticks, Flux<String> keys, Duration quiet, Flux<String> feed, Flux<String> source,
                         Client client, String id, Flux<String> smallFlux, Flux<String> ids) {
        rows.map(Row::parse);
        events.filter(e -> e.amount() > 0);
        messages.ofType(OrderPlaced.class);
        orders.concatMapIterable(Order::lines);
        files.concatMap(this::readLines);
        events.doOnNext(audit::log);
        Flux<Event> hot = events.share();
        Flux.merge(kafkaEvents, httpEvents);
        rows.bufferTimeout(500, Duration.ofMillis(50));
        rows.parallel(4).runOn(Schedulers.parallel()).map(this::hash).sequential();
        ids.flatMap(client::fetch, 16);
        ticks.sample(Duration.ofSeconds(1));
        keys.sampleTimeout(k -> Mono.delay(quiet));
        feed.timeout(Duration.ofSeconds(30));
        source.retryWhen(Retry.backoff(5, Duration.ofSeconds(1)));
        client.fetch(id).onErrorReturn(User.UNKNOWN);
        smallFlux.distinct();
        hot.onBackpressureBuffer(10_000);
        rows.publishOn(Schedulers.boundedElastic());
    }

    Flux<Aggregated<String, Result>> aggregating(Flux<Result> results) {
        return results.transform(Aggregate.byKey(Result::orderId, Result::check).completeWhenAll("payment", "stock", "fraud").timeout(Duration.ofSeconds(30)).build());
    }

    void routing(Flux<Order> f, Function<Flux<Order>, Flux<String>> vipStage,
                 Function<Flux<Order>, Flux<String>> normalStage, Function<Flux<Order>, Flux<String>> writeStage) {
        f.transform(Route.when(Order::isVip, vipStage, normalStage));
        f.transform(Route.partition(4, Order::customerId, writeStage));
    }

    void perElementCalls(Flux<String> ids, Client client, RateLimiter limiter, Flux<String> reqs,
                         CircuitBreaker breaker) {
        ids.transform(Workers.ordered(8, client::fetch));
        ids.transform(Workers.unordered(8, client::fetch));
        ids.transform(Workers.adaptive().build(client::fetch));
        reqs.transform(RateLimit.shaping(RateLimiter.perSecond(50)));
        reqs.transform(RateLimit.builder(limiter).enforcing().name("api").build());
        ids.transform(ElementTimeout.of(Duration.ofSeconds(2), client::fetch));
        ids.transform(ElementRetry.builder(client::fetch).maxAttempts(5).build());
        ids.transform(breaker.protect(client::fetch));
    }

    void recordsAndEvents(Flux<String> lines, Flux<Event> events, Flux<Update> updates, Path path,
                          IdempotencyStore<String> store, Flux<String> userIds, BatchLoader<String, User> users,
                          Valve valve, Repo repo, long n, ProgressBar bar) {
        Flux<Row> rows = lines.map(Row::parse);
        rows.transform(AdaptiveBatch.of(500, Duration.ofMillis(50)));
        events.transform(UniqueUsers.perWindow(Duration.ofMinutes(1)).userId(Event::uid).eventTimeSeconds(Event::ts).build());
        updates.transform(KeyedDebounce.byKey(Update::userId).quietPeriod(Duration.ofSeconds(2)).build());
        events.transform(Dedupe.byKey(Event::id).ttl(Duration.ofMinutes(10)).build());
        events.transform(Dedupe.byKey(Event::id).store(store).build());
        userIds.transform(users.loadEach());
        rows.transform(valve.gate());
        CursorSource.<Row, Long>builder(after -> repo.page(after)).initialCursor(0L).build();
        rows.transform(Progress.builder().total(n).listener(bar::draw).build());
    }

    void outcomes(Flux<String> rows, Path path) {
        rows.transform(Outcomes.tryMap(Row::parse));
        Flux<Outcome<String, Row>> outcomes = rows.transform(Outcomes.tryMap(Row::parse));
        outcomes.transform(Outcomes.deadLetter(JsonLinesDeadLetterSink.open(path), "parse"));
        outcomes.transform(ErrorBudget.builder().maxConsecutiveFailures(20).maxFailureRate(0.05).build());
    }

    void observing(Flux<String> f, Flux<String> rows, MeterRegistry registry,
                   Function<Flux<String>, Flux<String>> enrichStage) {
        f.transform(StageMetrics.builder().name("enrich").meterRegistry(registry).build(enrichStage));
        f.name("ingest").tap(Micrometer.metrics(registry));
        rows.transform(Heartbeat.every(Duration.ofSeconds(5)).inject(() -> "keep-alive"));
        rows.transform(StallWatchdog.builder().name("enrich").stallAfter(Duration.ofSeconds(30)).build().watch(enrichStage));
    }

    // ---- "Spring Boot": the registries the starter hands out -----------------------------------------------------

    Flux<Quote> springBoot(Flux<String> ids, FluxgateCircuitBreakers breakers, FluxgateRateLimiters rateLimiters,
                           FluxgateWatchdogs watchdogs, Partner partner) {
        Flux<Quote> quotes = ids
                .transform(rateLimiters.rateLimit("partner-api"))
                .transform(watchdogs.watchdog("quotes").watch(f -> f
                        .transform(breakers.breaker("partner-api").protect(partner::quote))));
        return quotes;
    }

    void shareGroupWorkQueue(String bootstrap) {
        KafkaShareSource<String, String> source = KafkaShareSource.create(KafkaShareSourceOptions
                .builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers(bootstrap).topics("jobs").groupId("workers")
                .maxPollRecords(50)
                .build());
        source.receive()
                .transform(ElementRetry.builder((ShareRecord<String, String> job) -> enrich(job.value()))
                        .maxAttempts(2).maxInFlight(16).buildOutcomes())
                .transform(ShareOutcomes.<String, String>builder()
                        .maxDeliveries(3)
                        .deadLetters(DeadLetters.toTopic(bootstrap, "jobs.dlq", Map.of()),
                                new StringSerializer(), new StringSerializer())
                        .<String>build())
                .subscribe();
    }

    void shareRecordByHand(KafkaShareSource<String, String> source) {
        source.receive()
                .flatMap(job -> enrich(job.value())
                        .doOnSuccess(page -> job.accept())
                        .doOnError(e -> job.release())
                        .onErrorResume(e -> Mono.empty()), 16)
                .subscribe();
    }

    private Mono<String> enrich(String job) {
        return Mono.just(job);
    }

    // ---- "Shared stores": idempotency and rate limits across instances -----------------------------------------

    void sharedStores(Flux<Order> orders, Client client, ConnectionPool pool) {
        StatefulRedisConnection<String, String> redis = RedisClient.create("redis://127.0.0.1:6379").connect();
        RedisIdempotencyStore seen = RedisIdempotencyStore.builder(redis)
                .keyPrefix("orders:seen:").ttl(Duration.ofHours(1)).timeout(Duration.ofMillis(500)).build();
        RedisRateLimiter partnerApi = RedisRateLimiter.builder(redis, "limits:partner-api")
                .permits(100).per(Duration.ofSeconds(1)).failOpen(true).build();
        orders.transform(Dedupe.byKey(Order::id).store(seen).build())
                .transform(RateLimit.shaping(partnerApi))
                .concatMap(order -> client.fetch(order.customerId()));

        PostgresIdempotencyStore seenInTable = PostgresIdempotencyStore.builder(pool)
                .table("orders_seen").ttl(Duration.ofDays(1)).build();
        orders.transform(Dedupe.byKey(Order::id).store(seenInTable).build());
    }

    private Flux<String> readLines(Path file) {
        return Flux.empty();
    }

    private long hash(String row) {
        return row.hashCode();
    }
}
