package io.fluxgate.jdbc.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.fluxgate.dedupe.InMemoryIdempotencyStore;
import io.fluxgate.jdbc.PostgresSettings;
import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.r2dbc.pool.ConnectionPool;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/** {@link PostgresIdempotencyStore} answers batches as the in-memory store (the reference) answers key by key. */
class PostgresIdempotencyStorePropertyTest {

    private static PostgresTestSchema schema;
    private static ConnectionPool pool;
    private static final AtomicInteger TRIES = new AtomicInteger();

    private static synchronized ConnectionPool pool() {
        if (schema == null) {
            try {
                schema = PostgresTestSchema.create(PostgresSettings.fromEnvironment(),
                        "fg_storeprops_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
            } catch (RuntimeException e) {
                throw new AssertionError("PostgreSQL is not answering at " + PostgresSettings.fromEnvironment()
                        + ". " + PostgresExtension.START_HINT, e);
            }
            pool = schema.pool(2);
        }
        return pool;
    }

    @AfterContainer
    static void drop() {
        if (schema != null) {
            schema.close();
        }
    }

    @Provide
    Arbitrary<List<List<String>>> batches() {
        return Arbitraries.strings().withChars("abcdefgh'\"\\ é").ofMinLength(0).ofMaxLength(2)
                .list().ofMinSize(1).ofMaxSize(12).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 25)
    void answersAsTheInMemoryStore(@ForAll("batches") List<List<String>> batches) {
        // one table for every try (no DDL per try); each try has keys of its own
        PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(pool()).table("props")
                .ttl(Duration.ofMinutes(5)).purgeInterval(Duration.ZERO).build();
        String tryPrefix = TRIES.incrementAndGet() + ":";
        InMemoryIdempotencyStore<String> reference = InMemoryIdempotencyStore.lastKeys(10_000);
        for (List<String> raw : batches) {
            List<String> batch = raw.stream().map(k -> tryPrefix + k).toList();
            List<Boolean> expected = new ArrayList<>();
            for (String k : batch) {
                expected.add(reference.tryMark(k));
            }
            List<Boolean> actual = batch.size() == 1
                    ? List.of(store.markIfAbsent(batch.get(0)).block(Duration.ofSeconds(30)))
                    : store.markAllIfAbsent(batch).block(Duration.ofSeconds(30));
            assertThat(actual).as("batch %s", batch).isEqualTo(expected);
        }
    }
}
