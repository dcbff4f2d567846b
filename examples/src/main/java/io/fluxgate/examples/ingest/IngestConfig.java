package io.fluxgate.examples.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import io.fluxgate.jdbc.PostgresSettings;

/**
 * A run's settings, validated by {@link FileIngestApp}.
 *
 * @param patterns the glob patterns, in order
 * @param schema the table's schema, or {@code null} for the search_path
 * @param table the table
 * @param format every file's format, or {@code null} to go by extension
 * @param delimiter the CSV delimiter, or {@code 0} for the extension's
 * @param errorFile where rejected rows and failed files are listed
 * @param ignoreUnknown skip input columns the table cannot take (else a CSV file fails, a JSON row is rejected)
 * @param keys key columns of idempotent mode; empty with {@code idempotent}: the primary key; empty otherwise: off
 * @param idempotent skip rows whose key is already in the table
 * @param upsert update rows whose key is already in the table
 * @param parallelism files parsed at once
 * @param writers batches written at once
 * @param maxBatch largest batch
 * @param batchLatency the COPY latency the adaptive batch size aims at
 * @param maxRecordBytes longest record
 * @param zone the zone of timestamptz values without an offset
 * @param progress how progress is shown
 * @param maxRetries retries of a batch after transient errors
 * @param postgres the server
 * @param postLoad the SQL script to run once the rows are committed, or {@code null}
 * @param splitBytes range size of a large file parsed in parallel ranges, or 0 to parse each file on one thread
 * @param splitMinFileBytes the smallest file cut into ranges (besides being at least two ranges' worth)
 * @param columns CSV: the fields' column names, in order ({@code --columns}); empty: the header row's
 * @param header CSV: the files start with a header row
 */
record IngestConfig(List<String> patterns, String schema, String table, InputFile.Format format, char delimiter,
                    Path errorFile, boolean ignoreUnknown, List<String> keys, boolean idempotent, boolean upsert,
                    int parallelism, int writers, int maxBatch, Duration batchLatency, int maxRecordBytes, ZoneId zone,
                    ProgressDisplay.Mode progress, int maxRetries, PostgresSettings postgres,
                    PostLoad postLoad, long splitBytes, long splitMinFileBytes, List<String> columns, boolean header) {

    /** Whether rows are merged by key rather than inserted. */
    boolean keyed() {
        return idempotent || upsert || !keys.isEmpty();
    }
}
