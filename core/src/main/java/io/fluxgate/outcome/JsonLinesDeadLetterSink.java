package io.fluxgate.outcome;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.Function;

/**
 * A dead-letter sink writing one JSON object per line (JSON Lines) to a file:
 *
 * <pre>{@code
 * {"timestamp":"2026-01-02T03:04:05Z","stage":"parse","element":"row 17","error":"java.lang.NumberFormatException","message":"For input string: \"x\""}
 * }</pre>
 *
 * <p>The element is rendered with the configured function (default {@link String#valueOf(Object)}) and written as
 * a JSON string. Writes are serialized, so the sink may be shared between streams. By default every letter is
 * flushed to the OS as it is written, so a crash loses nothing already accepted; turn that off for heavy failure
 * volumes and call {@link #flush()} yourself. An I/O error surfaces as {@link DeadLetterException} from
 * {@link #accept}, which fails the reporting stream: a dead letter is never dropped silently.
 */
public final class JsonLinesDeadLetterSink<T> implements DeadLetterSink<T> {

    private final Path file;
    private final Function<? super T, String> renderer;
    private final boolean flushEachLetter;
    private final boolean includeStackTrace;
    private final BufferedWriter writer;
    private long count;
    private boolean closed;

    private JsonLinesDeadLetterSink(Builder<T> b) {
        this.file = b.file;
        this.renderer = b.renderer;
        this.flushEachLetter = b.flushEachLetter;
        this.includeStackTrace = b.includeStackTrace;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    b.append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open dead-letter file " + file, e);
        }
    }

    /**
     * A builder writing to {@code file}; parent directories are created when the sink is built.
     *
     * @param <T>  the element type
     * @param file the JSON Lines file to write
     * @return a new builder with the defaults
     * @throws NullPointerException if {@code file} is null
     */
    public static <T> Builder<T> builder(Path file) {
        return new Builder<>(Objects.requireNonNull(file, "file"));
    }

    /**
     * Shorthand for {@code builder(file).build()}: appends, renders with toString, flushes each letter.
     *
     * @param <T>  the element type
     * @param file the JSON Lines file to write
     * @return an open sink
     * @throws NullPointerException if {@code file} is null
     * @throws UncheckedIOException if the file cannot be opened
     */
    public static <T> JsonLinesDeadLetterSink<T> open(Path file) {
        return JsonLinesDeadLetterSink.<T>builder(file).build();
    }

    /**
     * The file this sink writes to.
     *
     * @return the path given to the builder
     */
    public Path file() {
        return file;
    }

    @Override
    public void accept(DeadLetter<? extends T> letter) {
        String line = render(letter);
        synchronized (this) {
            if (closed) {
                throw new DeadLetterException("dead-letter sink " + file + " is closed; cannot store letter for "
                        + letter.element(), letter.cause());
            }
            try {
                writer.write(line);
                writer.newLine();
                if (flushEachLetter) {
                    writer.flush();
                }
                count++;
            } catch (IOException e) {
                DeadLetterException failure = new DeadLetterException("cannot write dead letter to " + file, e);
                failure.addSuppressed(letter.cause());
                throw failure;
            }
        }
    }

    private String render(DeadLetter<? extends T> letter) {
        String element;
        try {
            element = renderer.apply(letter.element());
        } catch (RuntimeException e) {
            // the letter must still be stored; say that rendering failed instead of losing it
            element = "<render failed: " + e + "> " + letter.element();
        }
        Throwable cause = letter.cause();
        StringBuilder sb = new StringBuilder(128);
        sb.append("{\"timestamp\":");
        Json.string(sb, letter.timestamp().toString());
        sb.append(",\"stage\":");
        Json.string(sb, letter.stage());
        sb.append(",\"element\":");
        Json.string(sb, element);
        sb.append(",\"error\":");
        Json.string(sb, cause.getClass().getName());
        sb.append(",\"message\":");
        Json.string(sb, cause.getMessage());
        if (includeStackTrace) {
            StringWriter trace = new StringWriter();
            cause.printStackTrace(new PrintWriter(trace));
            sb.append(",\"stackTrace\":");
            Json.string(sb, trace.toString());
        }
        return sb.append('}').toString();
    }

    @Override
    public synchronized long count() {
        return count;
    }

    @Override
    public synchronized void flush() {
        if (closed) {
            return;
        }
        try {
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush dead-letter file " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close dead-letter file " + file, e);
        }
    }

    /** Configuration for {@link JsonLinesDeadLetterSink}. */
    public static final class Builder<T> {
        private final Path file;
        private Function<? super T, String> renderer = String::valueOf;
        private boolean append = true;
        private boolean flushEachLetter = true;
        private boolean includeStackTrace;

        private Builder(Path file) {
            this.file = file;
        }

        /**
         * How an element is rendered into the {@code element} field (default {@code String.valueOf}).
         *
         * @param renderer turns an element into the field's text, JSON-escaped by the sink; if it throws,
         *                 the letter is still stored, with the failure and {@code String.valueOf} instead
         * @return this builder
         * @throws NullPointerException if {@code renderer} is null
         */
        public Builder<T> renderer(Function<? super T, String> renderer) {
            this.renderer = Objects.requireNonNull(renderer, "renderer");
            return this;
        }

        /**
         * Append to an existing file (default) or truncate it.
         *
         * @param append {@code true} to keep the letters of earlier runs
         * @return this builder
         */
        public Builder<T> append(boolean append) {
            this.append = append;
            return this;
        }

        /**
         * Flush after every letter (default {@code true}), so a letter {@link #accept accepted} survives a crash
         * of the process; {@code false} trades that for throughput, letters reaching the file on
         * {@link #flush()}, {@link #close()} or when the buffer fills.
         *
         * @param flushEachLetter whether every letter is flushed when accepted
         * @return this builder
         */
        public Builder<T> flushEachLetter(boolean flushEachLetter) {
            this.flushEachLetter = flushEachLetter;
            return this;
        }

        /**
         * Add a {@code stackTrace} field (default {@code false}): needed to debug an unexpected exception, noise
         * for expected rejections.
         *
         * @param includeStackTrace whether each line carries the cause's stack trace
         * @return this builder
         */
        public Builder<T> includeStackTrace(boolean includeStackTrace) {
            this.includeStackTrace = includeStackTrace;
            return this;
        }

        /**
         * Opens the file.
         *
         * @return an open sink; close it to release the file
         *
         * @throws UncheckedIOException if the file cannot be opened
         */
        public JsonLinesDeadLetterSink<T> build() {
            return new JsonLinesDeadLetterSink<>(this);
        }
    }
}
