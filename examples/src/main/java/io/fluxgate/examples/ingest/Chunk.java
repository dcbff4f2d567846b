package io.fluxgate.examples.ingest;

import java.util.List;

/**
 * The rows parsed from about {@link IngestJob#CHUNK_BYTES} of one file: the unit the parse threads hand over, and
 * the unit the progress bar counts (a file of n bytes yields ceil(n / CHUNK_BYTES) chunks, some possibly empty, so
 * the total is known before parsing starts).
 */
record Chunk(List<Row> rows) {
}
