package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Round trip against a reference writer: random records of random fields (delimiters, quotes, CR, LF, multi-byte
 * characters, empty strings, NULLs) written the RFC 4180 way, with quoting where needed and at random elsewhere, CRLF
 * or LF line ends, read back through a stream that hands out a few bytes at a time (so records and multi-byte
 * characters straddle buffer refills): the same fields, NULLs and start lines come back.
 */
class CsvReaderProperties {

    /** One field: null is SQL NULL. */
    record Field(String value, boolean forceQuotes) {
    }

    record Doc(List<List<Field>> records, boolean crlf, char delimiter, long seed) {
    }

    @Property(tries = 300)
    void whatIsWrittenIsReadBack(@ForAll("docs") Doc doc) throws IOException {
        String text = write(doc);
        List<List<String>> expected = new ArrayList<>();
        long line = 1;
        for (List<Field> rec : doc.records()) {
            List<String> e = new ArrayList<>();
            e.add(Long.toString(line));
            e.add("");
            for (Field f : rec) {
                e.add(f.value() == null ? "NULL" : f.value());
            }
            expected.add(e);
            line += 1 + render(rec, doc.delimiter()).chars().filter(c -> c == '\n').count();
        }
        List<List<String>> actual = CsvReaderTest.read(new Trickle(text.getBytes(StandardCharsets.UTF_8), doc.seed()),
                doc.delimiter(), 1 << 20);
        assertThat(actual).isEqualTo(expected);
    }

    /** The reference writer. */
    static String write(Doc doc) {
        StringBuilder sb = new StringBuilder();
        for (List<Field> rec : doc.records()) {
            sb.append(render(rec, doc.delimiter())).append(doc.crlf() ? "\r\n" : "\n");
        }
        return sb.toString();
    }

    static String render(List<Field> rec, char delimiter) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rec.size(); i++) {
            if (i > 0) {
                sb.append(delimiter);
            }
            String v = rec.get(i).value();
            if (v == null) {
                continue;
            }
            boolean quote = rec.get(i).forceQuotes() || v.isEmpty() || v.indexOf(delimiter) >= 0 || v.indexOf('"') >= 0
                    || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
            sb.append(quote ? '"' + v.replace("\"", "\"\"") + '"' : v);
        }
        return sb.toString();
    }

    @Provide
    Arbitrary<Doc> docs() {
        Arbitrary<String> value = Arbitraries.strings()
                .withChars(',', ';', '"', '\n', '\r', ' ', 'a', 'b', 'é', '€', '日')
                .withCharRange('x', 'z')
                .ofMinLength(0).ofMaxLength(12);
        Arbitrary<Field> field = Combinators.combine(value.injectNull(0.15), Arbitraries.of(true, false))
                .as(Field::new);
        // a record that is one NULL field would be a blank line, which the reader skips: give lone fields a value
        Arbitrary<List<Field>> record = field.list().ofMinSize(1).ofMaxSize(6)
                .filter(r -> r.size() > 1 || r.get(0).value() != null);
        return Combinators.combine(record.list().ofMinSize(0).ofMaxSize(20), Arbitraries.of(true, false),
                Arbitraries.of(',', ';'), Arbitraries.longs()).as(Doc::new);
    }

    /** Reads 1 to 7 bytes at a time. */
    static final class Trickle extends InputStream {
        private final ByteArrayInputStream in;
        private final Random random;

        Trickle(byte[] bytes, long seed) {
            this.in = new ByteArrayInputStream(bytes);
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, 1 + random.nextInt(7)));
        }
    }
}
