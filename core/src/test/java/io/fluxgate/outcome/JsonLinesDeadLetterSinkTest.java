package io.fluxgate.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

class JsonLinesDeadLetterSinkTest {

    @TempDir
    Path dir;

    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void writesOneEscapedJsonObjectPerLineAndFlushesEachLetter() throws IOException {
        Path file = dir.resolve("sub/dead.jsonl");
        try (JsonLinesDeadLetterSink<String> sink = JsonLinesDeadLetterSink.open(file)) {
            sink.accept(new DeadLetter<>("say \"hi\"\n\ttab\\\u0001", new IllegalStateException("bad \"row\""), T, "parse"));
            // flushed before close: readable by another process now
            assertThat(Files.readAllLines(file)).containsExactly("{\"timestamp\":\"2026-01-02T03:04:05Z\","
                    + "\"stage\":\"parse\",\"element\":\"say \\\"hi\\\"\\n\\ttab\\\\\\u0001\","
                    + "\"error\":\"java.lang.IllegalStateException\",\"message\":\"bad \\\"row\\\"\"}");
            sink.accept(new DeadLetter<>("x", new NullPointerException(), T, "parse"));
            assertThat(sink.count()).isEqualTo(2);
        }
        assertThat(Files.readAllLines(file)).hasSize(2).last().asString().contains("\"message\":null");
    }

    @Test
    void rendererAndStackTraceAndTruncate() throws IOException {
        Path file = dir.resolve("dead.jsonl");
        Files.writeString(file, "old\n");
        try (JsonLinesDeadLetterSink<Integer> sink = JsonLinesDeadLetterSink.<Integer>builder(file)
                .renderer(i -> "#" + i).append(false).includeStackTrace(true).flushEachLetter(false).build()) {
            sink.accept(new DeadLetter<>(7, new IllegalStateException("boom"), T, "s"));
            sink.flush();
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).contains("\"element\":\"#7\"").contains("\"stackTrace\":\"java.lang.IllegalStateException: boom\\n\\tat ");
        }
    }

    @Test
    void appendsByDefaultAndAFailingRendererStillStoresTheLetter() throws IOException {
        Path file = dir.resolve("dead.jsonl");
        Files.writeString(file, "{\"old\":1}\n");
        try (JsonLinesDeadLetterSink<Integer> sink = JsonLinesDeadLetterSink.<Integer>builder(file)
                .renderer(i -> {
                    throw new IllegalStateException("no render");
                }).build()) {
            sink.accept(new DeadLetter<>(7, new IllegalStateException("boom"), T, "s"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("<render failed: java.lang.IllegalStateException: no render> 7");
    }

    @Test
    void concurrentWritersProduceWholeLines() throws Exception {
        Path file = dir.resolve("dead.jsonl");
        int threads = 4;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (JsonLinesDeadLetterSink<String> sink = JsonLinesDeadLetterSink.<String>builder(file)
                .flushEachLetter(false).build()) {
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int id = t;
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        sink.accept(new DeadLetter<>("t" + id + "-" + i + "-" + "x".repeat(200),
                                new IllegalStateException("e"), T, "s"));
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(sink.count()).isEqualTo((long) threads * each);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(threads * each).allMatch(l -> l.startsWith("{\"timestamp\"") && l.endsWith("}"));
    }

    @Test
    void closedSinkRejectsLettersAndCloseIsIdempotent() {
        JsonLinesDeadLetterSink<String> sink = JsonLinesDeadLetterSink.open(dir.resolve("d.jsonl"));
        sink.close();
        sink.close();
        sink.flush();
        assertThatThrownBy(() -> sink.accept(new DeadLetter<>("x", new IllegalStateException("e"), T, "s")))
                .isInstanceOf(DeadLetterException.class).hasMessageContaining("closed");
    }

    @Test
    void unopenableFileIsAClearError() throws IOException {
        Path notADir = Files.writeString(dir.resolve("file"), "");
        assertThatThrownBy(() -> JsonLinesDeadLetterSink.open(notADir.resolve("dead.jsonl")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("dead.jsonl");
    }

    @Test
    void endToEndFromAStream() throws IOException {
        Path file = dir.resolve("e2e.jsonl");
        try (JsonLinesDeadLetterSink<String> sink = JsonLinesDeadLetterSink.open(file)) {
            List<Integer> values = Flux.just("1", "two", "3", "four")
                    .transform(Outcomes.tryMap(Integer::parseInt))
                    .transform(Outcomes.deadLetter(sink, "parse"))
                    .collectList().block();
            assertThat(values).containsExactly(1, 3);
        }
        assertThat(Files.readAllLines(file)).hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("\"element\":\"two\"").contains("NumberFormatException"));
    }
}
