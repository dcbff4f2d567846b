package io.fluxgate.examples.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Which files are cut into ranges: {@code --split-size=auto} (the default) only large ones, a size given any. */
class FileSplitThresholdTest {

    private static InputFile csv(long size) {
        return new InputFile(Path.of("a.csv"), "a.csv", InputFile.Format.CSV, ',', size);
    }

    private static IngestConfig settings(String... args) {
        return FileIngestApp.settings(List.of(args), null);
    }

    @Test
    void theDefaultCutsOnlyFilesOfAtLeast768MiBInto8MiBRanges() {
        IngestConfig auto = settings("--table=t", "--parallelism=2", "x.csv");
        assertThat(auto.splitBytes()).isEqualTo(8L << 20);
        assertThat(auto.splitMinFileBytes()).isEqualTo(768L << 20);
        assertThat(settings("--table=t", "--split-size=AUTO", "x.csv").splitMinFileBytes()).isEqualTo(768L << 20);
        assertThat(FileSplit.worthSplitting(csv((768L << 20) - 1), auto.splitBytes(), auto.splitMinFileBytes(), 2))
                .isFalse();
        assertThat(FileSplit.worthSplitting(csv(768L << 20), auto.splitBytes(), auto.splitMinFileBytes(), 2)).isTrue();
        assertThat(FileSplit.worthSplitting(csv(768L << 20), auto.splitBytes(), auto.splitMinFileBytes(), 1))
                .as("one thread").isFalse();
    }

    @Test
    void aGivenSizeCutsAnyFileOfTwoRanges() {
        IngestConfig given = settings("--table=t", "--split-size=8m", "x.csv");
        assertThat(given.splitMinFileBytes()).isZero();
        assertThat(FileSplit.worthSplitting(csv(16L << 20), given.splitBytes(), given.splitMinFileBytes(), 2)).isTrue();
        assertThat(FileSplit.worthSplitting(csv((16L << 20) - 1), given.splitBytes(), given.splitMinFileBytes(), 2))
                .isFalse();
        IngestConfig off = settings("--table=t", "--split-size=0", "x.csv");
        assertThat(FileSplit.worthSplitting(csv(2L << 30), off.splitBytes(), off.splitMinFileBytes(), 2)).isFalse();
    }
}
