package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A file parsed in ranges ({@link FileSplit}) gives exactly what one parser reading it from start to end gives: the
 * same rows with the same line numbers and raw text, in the same order, the same error file (rejections in order, a
 * failed file), the same counts, and the same number of progress chunks. The reference is the sequential
 * {@link FileParser}; the inputs are built to break a naive split: quoted fields holding line feeds, CRLF and
 * delimiters, doubled quotes, stray quotes in unquoted fields and after closing quotes (where a quote parity cut is
 * wrong), unclosed quotes the reader recovers from, blank lines, a byte order mark, records longer than the size
 * limit (the file fails), invalid values; ranges from a few bytes (many cuts inside records) to larger than the file.
 */
class FileSplitProperties {

    private static final Scheduler PARSE = Schedulers.newBoundedElastic(3, Integer.MAX_VALUE, "split-test");

    @AfterContainer
    static void stop() {
        PARSE.dispose();
    }

    /**
     * @param header 0: a header row; 1: a header row replaced by --columns; 2: no header row, --columns
     */
    record Input(List<String> pieces, boolean bom, boolean json, int rangeBytes, int chunkBytes, int concurrency,
                 boolean smallLimit, int header) {
    }

    /** What a parse produced, comparable as a whole. */
    record Outcome(List<String> rows, String errors, List<Long> counts, long chunks) {
    }

    @Property(tries = 100)
    void rangesParseExactlyAsOneSequentialParser(@ForAll("inputs") Input input) throws IOException {
        Path dir = Files.createTempDirectory("split");
        try {
            Path file = dir.resolve(input.json() ? "in.jsonl" : "in.csv");
            StringBuilder text = new StringBuilder(input.json() || input.header() == 2 ? "" : "id,a,b\n");
            input.pieces().forEach(text::append);
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            byte[] bytes = body;
            if (input.bom()) {
                bytes = new byte[body.length + 3];
                bytes[0] = (byte) 0xEF;
                bytes[1] = (byte) 0xBB;
                bytes[2] = (byte) 0xBF;
                System.arraycopy(body, 0, bytes, 3, body.length);
            }
            Files.write(file, bytes);
            InputFile in = new InputFile(file, file.toString(), input.json() ? InputFile.Format.JSONL
                    : InputFile.Format.CSV, ',', bytes.length);

            Outcome sequential = parse(in, dir.resolve("seq.jsonl"), input, false);
            Outcome split = parse(in, dir.resolve("split.jsonl"), input, true);

            assertThat(split.rows()).isEqualTo(sequential.rows());
            assertThat(split.errors()).isEqualTo(sequential.errors());
            assertThat(split.counts()).isEqualTo(sequential.counts());
            assertThat(split.chunks()).as("progress chunks")
                    .isEqualTo(FileSplit.units(in.size(), input.rangeBytes(), input.chunkBytes()));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static Outcome parse(InputFile in, Path errorPath, Input input, boolean split) throws IOException {
        TableSchema table = new TableSchema("s", "t", List.of(
                column(0, "id", "int8"), column(1, "a", "text"), column(2, "b", "text")), List.of(), List.of());
        Counters counters = new Counters();
        List<Row> rows = new ArrayList<>();
        long chunks;
        try (ErrorFile errors = new ErrorFile(errorPath)) {
            LoadPlan plan = new LoadPlan(table, new ColumnSet.Registry(table), List.of(), false,
                    input.smallLimit() ? 300 : 1 << 20, input.chunkBytes(), errors, counters, note -> { },
                    input.header() == 0 ? List.of() : List.of("id", "a", "b"), input.header() < 2);
            Flux<Chunk> chunkFlux = split
                    ? new FileSplit(in, plan, input.rangeBytes()).chunks(PARSE, input.concurrency())
                    : Flux.<Chunk, FileParser>generate(() -> new FileParser(in, plan), (p, sink) -> {
                        p.next(sink);
                        return p;
                    }, FileParser::close).doOnNext(c -> c.apply(in, plan));
            List<Chunk> all = split ? chunkFlux.collectList().block() : chunkFlux.collectList().block();
            chunks = all.size();
            all.forEach(c -> {
                rows.addAll(c.rows());
                counters.release(c.rows().size());
            });
        }
        List<String> described = rows.stream()
                .map(r -> r.line + " " + r.columns + " " + Arrays.toString(r.values) + " "
                        + new String(r.raw, StandardCharsets.UTF_8))
                .toList();
        return new Outcome(described, Files.readString(errorPath), List.of(counters.parsed.sum(),
                counters.blank.sum(), counters.rejected.sum(), counters.filesOk.sum(), counters.filesFailed.sum(),
                counters.bytesRead.sum()), chunks);
    }

    private static TableSchema.Column column(int index, String name, String type) {
        return new TableSchema.Column(index, name, type, TableSchema.typeOf(type, "b", -1, Set.of(), ZoneOffset.UTC),
                false, false, false);
    }

    @Provide
    Arbitrary<Input> inputs() {
        Arbitrary<String> field = Arbitraries.strings().withChars('a', 'é', ' ', ',', '"', '\n', '\r', '1')
                .ofMaxLength(8);
        // a well-formed CSV record: fields quoted the RFC 4180 way when needed, or at random
        Arbitrary<String> goodCsv = Combinators.combine(Arbitraries.longs().between(-5, 1_000_000),
                        field.injectNull(0.2), field, Arbitraries.of(true, false), Arbitraries.of("\n", "\r\n"))
                .as((id, a, b, force, eol) -> id + "," + quote(a, force) + "," + quote(b, force) + eol);
        // anything from the CSV alphabet: stray and unclosed quotes, wrong field counts, blank lines, bad ids
        Arbitrary<String> junk = Arbitraries.strings().withChars('1', 'x', ',', '"', '\n', '\r', ' ').ofMaxLength(12);
        Arbitrary<String> longLine = Arbitraries.integers().between(250, 420).map(n -> "7,\"" + "y".repeat(n) + "\",z\n");
        Arbitrary<String> csvPiece = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, goodCsv), net.jqwik.api.Tuple.of(3, junk), net.jqwik.api.Tuple.of(1, longLine));
        Arbitrary<String> goodJson = Combinators.combine(Arbitraries.longs().between(-5, 1_000_000),
                        Arbitraries.strings().withChars('a', 'é', ',', '"', ' ').ofMaxLength(6))
                .as((id, a) -> "{\"id\":" + id + ",\"a\":\"" + a.replace("\"", "\\\"") + "\"}\n");
        Arbitrary<String> jsonJunk = Arbitraries.strings().withChars('{', '}', '"', ':', '1', '\n', ' ').ofMaxLength(10);
        Arbitrary<String> jsonPiece = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, goodJson), net.jqwik.api.Tuple.of(3, jsonJunk));
        return Arbitraries.of(true, false).flatMap(json -> Combinators.combine(
                        (json ? jsonPiece : csvPiece).list().ofMaxSize(60), Arbitraries.of(true, false),
                        Arbitraries.integers().between(1, 400), Arbitraries.integers().between(1, 64),
                        Arbitraries.integers().between(1, 3), Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 2))
                .as((pieces, bom, range, chunk, concurrency, small, header) -> new Input(pieces, bom, json, range,
                        chunk, concurrency, small, header)));
    }

    private static String quote(String v, boolean force) {
        if (v == null) {
            return "";
        }
        boolean q = force || v.isEmpty() || v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0
                || v.indexOf('\r') >= 0;
        return q ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }
}
