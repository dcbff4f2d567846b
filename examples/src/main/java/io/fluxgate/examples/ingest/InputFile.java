package io.fluxgate.examples.ingest;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A file matched by a pattern.
 *
 * @param path where it is
 * @param display the path as reports show it (relative when the pattern was)
 * @param format its format, or {@code null} when neither {@code --format} nor its extension tells
 * @param delimiter the CSV delimiter for it
 * @param size its size when scanned, for the progress total
 */
record InputFile(Path path, String display, Format format, char delimiter, long size) {

    /** The input formats. */
    enum Format {
        CSV, JSONL;

        /** The format a file name's extension means, or {@code null}. */
        static Format ofName(String fileName) {
            String n = fileName.toLowerCase(Locale.ROOT);
            if (n.endsWith(".csv") || n.endsWith(".tsv")) {
                return CSV;
            }
            if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
                return JSONL;
            }
            return null;
        }
    }
}
