package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class CsvReaderTest {

    /** Every record as [startLine, malformed-or-"", field, field, ...] (null fields as the string "NULL"). */
    static List<List<String>> read(String csv) throws IOException {
        return read(csv.getBytes(StandardCharsets.UTF_8), ',', 1 << 20);
    }

    static List<List<String>> read(byte[] csv, char delimiter, int max) throws IOException {
        return read(new ByteArrayInputStream(csv), delimiter, max);
    }

    static List<List<String>> read(InputStream csv, char delimiter, int max) throws IOException {
        List<List<String>> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(csv, delimiter, max)) {
            while (r.next()) {
                List<String> rec = new ArrayList<>();
                rec.add(Long.toString(r.startLine));
                rec.add(r.malformed() == null ? "" : r.malformed());
                for (int i = 0; i < r.fieldCount(); i++) {
                    rec.add(r.field(i) == null ? "NULL" : r.field(i));
                }
                out.add(rec);
            }
        }
        return out;
    }

    @Test
    void plainRecordsWithOrWithoutAFinalLineEnd() throws IOException {
        assertThat(read("a,b\n1,2\n")).containsExactly(List.of("1", "", "a", "b"), List.of("2", "", "1", "2"));
        assertThat(read("a,b\n1,2")).containsExactly(List.of("1", "", "a", "b"), List.of("2", "", "1", "2"));
        assertThat(read("")).isEmpty();
    }

    @Test
    void quotedFieldsHoldDelimitersQuotesAndLineEnds() throws IOException {
        assertThat(read("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\nlf\"\nnext,x,y,z\n")).containsExactly(
                List.of("1", "", "a,b", "say \"hi\"", "two\nlines", "cr\r\nlf"),
                List.of("4", "", "next", "x", "y", "z"));
    }

    @Test
    void emptyUnquotedIsNullAndEmptyQuotedIsTheEmptyString() throws IOException {
        assertThat(read(",\"\",x,\n")).containsExactly(List.of("1", "", "NULL", "", "x", "NULL"));
    }

    @Test
    void crlfLineEndsAreNotData() throws IOException {
        assertThat(read("a,\"b\"\r\n1,\r\n\r\n3,4\r")).containsExactly(
                List.of("1", "", "a", "b"), List.of("2", "", "1", "NULL"), List.of("3", "", "NULL"),
                List.of("4", "", "3", "4"));
    }

    @Test
    void aCarriageReturnInsideAFieldIsData() throws IOException {
        assertThat(read("a\rb,c\n")).containsExactly(List.of("1", "", "a\rb", "c"));
    }

    @Test
    void blankLinesAreBlank() throws IOException {
        try (CsvReader r = new CsvReader(new ByteArrayInputStream("a\n\n\"\"\n".getBytes(StandardCharsets.UTF_8)),
                ',', 1024)) {
            assertThat(r.next()).isTrue();
            assertThat(r.blank()).isFalse();
            assertThat(r.next()).isTrue();
            assertThat(r.blank()).isTrue();
            assertThat(r.next()).isTrue();
            assertThat(r.blank()).as("a quoted empty field is a value, not a blank line").isFalse();
            assertThat(r.next()).isFalse();
        }
    }

    @Test
    void malformedRecordsSayWhyAndReadingGoesOn() throws IOException {
        List<List<String>> records = read("ab\"c,d\n\"x\"y,z\nok,1\n\"open,2\n");
        assertThat(records.get(0).subList(0, 2)).containsExactly("1", "a quote inside an unquoted field"
                + " (quote the whole field and double the quote)");
        assertThat(records.get(1).subList(0, 2)).containsExactly("2", "text after the closing quote of a field");
        assertThat(records.get(2)).containsExactly("3", "", "ok", "1");
        assertThat(records.get(3).subList(0, 2)).containsExactly("4", "a quote opened on line 4 is not closed before the"
                + " end of the file: the line is rejected and reading resumes at line 5");
        assertThat(records).hasSize(4);
    }

    @Test
    void multiByteUtf8AndAByteOrderMark() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "név,€\n\"ü,ß\",日本\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(bom, bom.length + body.length);
        System.arraycopy(body, 0, all, bom.length, body.length);
        assertThat(read(all, ',', 1024)).containsExactly(List.of("1", "", "név", "€"), List.of("2", "", "ü,ß", "日本"));
    }

    @Test
    void anotherDelimiter() throws IOException {
        assertThat(read("a\tb,c\n".getBytes(StandardCharsets.UTF_8), '\t', 1024))
                .containsExactly(List.of("1", "", "a", "b,c"));
    }

    @Test
    void aRecordOverTheLimitFailsTheRead() {
        String csv = "a,b\n\"" + "x".repeat(5000) + "\n" + "y\n".repeat(10);
        assertThatThrownBy(() -> read(csv.getBytes(StandardCharsets.UTF_8), ',', 2048))
                .isInstanceOf(RecordReader.RecordTooLongException.class)
                .hasMessageContaining("starting on line 2")
                .hasMessageContaining("2048 bytes");
    }

    @Test
    void rawTextIsTheRecordAsWritten() throws IOException {
        try (CsvReader r = new CsvReader(new ByteArrayInputStream("\"a\"\"b\",c\r\nx\n".getBytes(StandardCharsets.UTF_8)),
                ',', 1024)) {
            r.next();
            assertThat(r.rawText()).isEqualTo("\"a\"\"b\",c");
            r.next();
            assertThat(r.rawText()).isEqualTo("x");
            assertThat(r.bytesConsumed()).isEqualTo(12);
        }
    }

    // ------------------------------------------------------------------ an unclosed quote (issue 24, point 4)

    /** Each record as {start line, malformed reason, raw text}, and the bytes consumed at the end. */
    private static List<List<String>> rawRecords(String csv, int max, int maxQuotedLines) throws IOException {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        List<List<String>> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(new ByteArrayInputStream(bytes), ',', max, maxQuotedLines)) {
            while (r.next()) {
                out.add(List.of(Long.toString(r.startLine), r.malformed() == null ? "" : r.malformed(), r.rawText()));
            }
            assertThat(r.bytesConsumed()).isEqualTo(bytes.length);
        }
        return out;
    }

    @Test
    void aQuoteStillOpenAtTheEndOfTheFileRejectsItsLineOnlyAndReadingResumesAtTheNext() throws IOException {
        List<List<String>> records = rawRecords("a,b\n1,x\n\"2,y\r\n3,z\n4,w\n5,u", 1 << 20, 100);
        assertThat(records).extracting(r -> r.get(0)).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(records.get(2)).containsExactly("3", "a quote opened on line 3 is not closed before the end of"
                + " the file: the line is rejected and reading resumes at line 4", "\"2,y");
        assertThat(records.get(3)).containsExactly("4", "", "3,z");
        assertThat(records.get(5)).containsExactly("6", "", "5,u");
        // on the last line, with nothing after it, the quote is simply never closed
        assertThat(rawRecords("1,x\n\"2,y", 1 << 20, 100).get(1)).containsExactly("2",
                "a quote opened on line 2 is never closed", "\"2,y");
    }

    @Test
    void aQuoteOpenPastTheSizeLimitRejectsItsLineAndTheRowsAfterItAreRead() throws IOException {
        StringBuilder csv = new StringBuilder("id,name\n1,a\n2,\"stray\n");
        for (int i = 3; i <= 2000; i++) {
            csv.append(i).append(",n").append(i).append('\n');
        }
        List<List<String>> records = rawRecords(csv.toString(), 1024, 1_000_000);
        assertThat(records).hasSize(2001);
        assertThat(records.get(2).get(1)).startsWith("a quote opened on line 3 is not closed within"
                + " --max-record-size (1024 bytes)");
        assertThat(records.get(2).get(2)).isEqualTo("2,\"stray");
        assertThat(records.get(3)).containsExactly("4", "", "3,n3");
        assertThat(records.get(2000)).containsExactly("2001", "", "2000,n2000");
    }

    @Test
    void aQuoteOpenPastTheLineLimitRejectsItsLineButAFieldOfFewerLinesIsData() throws IOException {
        List<List<String>> records = rawRecords("1,\"two\nlines\"\n2,\"open\n3\n4\n5\n6\n", 1 << 20, 3);
        assertThat(records.get(0)).containsExactly("1", "", "1,\"two\nlines\"");
        assertThat(records.get(1)).containsExactly("3", "a quote opened on line 3 is not closed within 3 lines: the"
                + " line is rejected and reading resumes at line 4", "2,\"open");
        assertThat(records.subList(2, records.size())).extracting(r -> r.get(2)).containsExactly("3", "4", "5", "6");
    }

    @Test
    void aQuotedSingleLineLongerThanTheLimitStillFailsTheFile() {
        String csv = "1,\"" + "x".repeat(5000) + "\n2,y\n";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> rawRecords(csv, 1024, 100))
                .isInstanceOf(RecordReader.RecordTooLongException.class);
    }
}
