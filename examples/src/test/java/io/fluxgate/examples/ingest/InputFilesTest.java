package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

    @TempDir
    Path dir;

    private void touch(String... names) throws IOException {
        for (String n : names) {
            Path p = dir.resolve(n);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x\n");
        }
    }

    private List<String> expand(String... patterns) throws IOException {
        return InputFiles.expand(List.of(patterns), null, (char) 0, null).files().stream()
                .map(f -> dir.relativize(f.path()).toString()).toList();
    }

    @Test
    void doubleStarSpansDirectoriesIncludingNone() throws IOException {
        touch("data/a.csv", "data/x/b.csv", "data/x/y/c.csv", "data/x/d.jsonl", "other/e.csv");
        assertThat(expand(dir + "/data/**/*.csv")).containsExactly("data/a.csv", "data/x/b.csv", "data/x/y/c.csv");
        assertThat(expand(dir + "/data/*/*.csv")).containsExactly("data/x/b.csv");
        assertThat(expand(dir + "/**/*.{csv,jsonl}")).containsExactly("data/a.csv", "data/x/b.csv", "data/x/d.jsonl",
                "data/x/y/c.csv", "other/e.csv");
    }

    @Test
    void aFileMatchedTwiceIsLoadedOnceAndUnmatchedPatternsAreReported() throws IOException {
        touch("a.csv", "b.csv");
        InputFiles.Scan scan = InputFiles.expand(List.of(dir + "/*.csv", dir + "/a.csv", dir + "/*.tsv",
                dir + "/nope.csv", dir + "/missing/**/*.csv"), null, (char) 0, null);
        assertThat(scan.files()).extracting(f -> f.path().getFileName().toString()).containsExactly("a.csv", "b.csv");
        assertThat(scan.unmatched()).containsExactly(dir + "/*.tsv", dir + "/nope.csv", dir + "/missing/**/*.csv");
    }

    @Test
    void formatAndDelimiterFollowTheExtensionUnlessForced() throws IOException {
        touch("a.csv", "b.tsv", "c.ndjson", "d.txt");
        List<InputFile> files = InputFiles.expand(List.of(dir + "/*"), null, (char) 0, null).files();
        assertThat(files).extracting(InputFile::format).containsExactly(InputFile.Format.CSV, InputFile.Format.CSV,
                InputFile.Format.JSONL, null);
        assertThat(files).extracting(InputFile::delimiter).containsExactly(',', '\t', ',', ',');
        List<InputFile> forced = InputFiles.expand(List.of(dir + "/*.tsv"), InputFile.Format.CSV, ';', null).files();
        assertThat(forced.get(0).delimiter()).isEqualTo(';');
    }

    @Test
    void theErrorFileIsNeverAnInput() throws IOException {
        touch("in.jsonl", "errors.jsonl");
        InputFiles.Scan scan = InputFiles.expand(List.of(dir + "/*.jsonl", dir + "/errors.jsonl"), null, (char) 0,
                dir.resolve("errors.jsonl"));
        assertThat(scan.files()).extracting(f -> f.path().getFileName().toString()).containsExactly("in.jsonl");
        assertThat(scan.unmatched()).containsExactly(dir + "/errors.jsonl");
    }

    @Test
    void doubleStarSlashBecomesOptionalOutsideBraces() {
        assertThat(InputFiles.zeroOrMoreDirectories("**/*.csv")).isEqualTo("{**/,}*.csv");
        assertThat(InputFiles.zeroOrMoreDirectories("a/**/b/**/c")).isEqualTo("a/{**/,}b/{**/,}c");
        assertThat(InputFiles.zeroOrMoreDirectories("{x/**/,y}/z")).isEqualTo("{x/**/,y}/z");
        assertThat(InputFiles.zeroOrMoreDirectories("a**/b")).isEqualTo("a**/b");
    }
}
