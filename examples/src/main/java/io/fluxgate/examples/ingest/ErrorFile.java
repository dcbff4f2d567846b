package io.fluxgate.examples.ingest;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * The error file: one JSON object per line for every row that was not loaded and every file that failed.
 *
 * <pre>
 * {"kind":"row","file":"data/a.csv","line":17,"column":"amount","reason":"not a number: 'abc'","raw":"17,abc,x"}
 * {"kind":"file","file":"data/b.csv","line":1,"column":null,"reason":"cannot read: ...","raw":null}
 * </pre>
 *
 * <p>{@code line} is the line the record starts on (1 is the first line, the CSV header included); {@code raw} is
 * the record's text as in the file (a CSV record may span lines; invalid UTF-8 shows as U+FFFD). The file is
 * created (emptied) when the run starts, so after a run it lists exactly that run's errors. Writes are serialized
 * and flushed when an entry comes {@value #FLUSH_EVERY_MS} ms or more after the last flush, when the buffer is full,
 * and at close, not one by one: a file with many bad rows is not held to a system call per row. A write that fails
 * (here, at a flush or at close) fails the run: a rejection is never dropped silently.
 *
 * <p>Every line is valid UTF-8 JSON whatever the input: text that cannot be encoded (a lone UTF-16 surrogate, as a
 * JSON parser's message about invalid input can carry) is written as U+FFFD, and an entry is encoded whole before
 * any of it is written, so a failed write never leaves half an entry behind.
 */
final class ErrorFile implements AutoCloseable {

    private final Path path;
    /** Longest time an entry waits in the buffer while more entries come. */
    static final long FLUSH_EVERY_MS = 100;

    private final OutputStream writer;
    private long count;
    private long lastFlush = System.nanoTime();

    ErrorFile(Path path) throws IOException {
        this.path = path;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.writer = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
    }

    Path path() {
        return path;
    }

    void row(InputFile file, long line, String column, String reason, String raw) {
        write("row", file.display(), line, column, reason, raw);
    }

    void file(InputFile file, long line, String reason) {
        write("file", file.display(), line, null, reason, null);
    }

    synchronized long count() {
        return count;
    }

    private void write(String kind, String file, long line, String column, String reason, String raw) {
        StringBuilder sb = new StringBuilder(128 + (raw == null ? 0 : raw.length()));
        sb.append("{\"kind\":\"").append(kind).append("\",\"file\":");
        string(sb, file);
        sb.append(",\"line\":");
        if (line > 0) {
            sb.append(line);
        } else {
            sb.append("null");
        }
        sb.append(",\"column\":");
        string(sb, column);
        sb.append(",\"reason\":");
        string(sb, reason);
        sb.append(",\"raw\":");
        string(sb, raw);
        sb.append("}\n");
        // String.getBytes replaces what UTF-8 cannot encode (lone surrogates) with '?'; wellFormed makes it U+FFFD
        byte[] entry = wellFormed(sb).getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            try {
                writer.write(entry);
                // an interrupted run keeps what it found up to a moment before, without a flush per entry
                long now = System.nanoTime();
                if (now - lastFlush >= FLUSH_EVERY_MS * 1_000_000L) {
                    writer.flush();
                    lastFlush = now;
                }
                count++;
            } catch (IOException e) {
                throw new WriteFailed("cannot write to the error file " + path + ": " + e.getMessage(), e);
            }
        }
    }

    /** {@code text} with every unpaired UTF-16 surrogate replaced by U+FFFD: encodable as UTF-8, as JSON needs. */
    static String wellFormed(CharSequence text) {
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean bad = false;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    if (out != null) {
                        out.append(c).append(text.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                bad = true;
            } else if (Character.isLowSurrogate(c)) {
                bad = true;
            }
            if (bad && out == null) {
                out = new StringBuilder(n).append(text, 0, i);
            }
            if (out != null) {
                out.append(bad ? '\uFFFD' : c);
            }
        }
        return out == null ? text.toString() : out.toString();
    }

    private static void string(StringBuilder sb, String value) {
        if (value == null) {
            sb.append("null");
        } else {
            sb.append('"');
            JsonStringEncoder.getInstance().quoteAsString(value, sb);
            sb.append('"');
        }
    }

    @Override
    public synchronized void close() throws IOException {
        writer.close();
    }

    /** The error file cannot be written: the run stops, since it could no longer say what it left out. */
    static final class WriteFailed extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        WriteFailed(String message, IOException cause) {
            super(message, cause);
        }
    }
}
