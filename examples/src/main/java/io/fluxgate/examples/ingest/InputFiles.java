package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Expands the glob patterns into files (the "scan" phase).
 *
 * <p>Patterns use {@link FileSystem#getPathMatcher(String) java.nio glob} syntax: {@code *} and {@code ?} within a
 * name, {@code **} across directories, {@code [abc]}, {@code {csv,tsv}}. As in shells with globstar, {@code **}/
 * also matches no directory at all ({@code data/**}{@code /*.csv} finds {@code data/a.csv} too). The walk starts at
 * the pattern's longest directory prefix without wildcards and follows symbolic links; directories it cannot enter
 * are reported and skipped. A pattern without wildcards names one file. Every match that is not a directory is
 * listed (a broken link too: it then fails to open, and is counted as a failed file). A file matched by several
 * patterns is loaded once; matches are sorted by path within a pattern, patterns keep their order. A pattern that
 * matches nothing is reported.
 */
final class InputFiles {

    /**
     * The scan's result.
     *
     * @param files the files, each once
     * @param unmatched the patterns that matched nothing
     * @param warnings directories that could not be walked
     */
    record Scan(List<InputFile> files, List<String> unmatched, List<String> warnings) {
        long totalBytes() {
            return files.stream().mapToLong(InputFile::size).sum();
        }
    }

    private InputFiles() {
    }

    /**
     * @param format the format of every file, or {@code null} to go by extension
     * @param delimiter the CSV delimiter, or {@code 0} for the extension's ({@code ,}; tab for {@code .tsv})
     * @param exclude a file never to list (the error file)
     */
    static Scan expand(List<String> patterns, InputFile.Format format, char delimiter, Path exclude) throws IOException {
        return expandExcluding(patterns, format, delimiter, exclude == null ? List.of() : List.of(exclude));
    }

    /** As {@link #expand(List, InputFile.Format, char, Path)}, never listing any of {@code exclude}. */
    static Scan expandExcluding(List<String> patterns, InputFile.Format format, char delimiter, List<Path> exclude)
            throws IOException {
        List<InputFile> files = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<Path> excluded = new HashSet<>();
        exclude.forEach(p -> excluded.add(p.toAbsolutePath().normalize()));
        Set<Path> seen = new HashSet<>();
        for (String pattern : patterns) {
            List<Path> matches = matches(pattern, warnings).stream()
                    .filter(p -> !excluded.contains(p.toAbsolutePath().normalize()))
                    .toList();
            if (matches.isEmpty()) {
                unmatched.add(pattern);
            }
            for (Path p : matches) {
                if (seen.add(p.toAbsolutePath().normalize())) {
                    files.add(inputFile(p, format, delimiter));
                }
            }
        }
        return new Scan(files, unmatched, warnings);
    }

    private static InputFile inputFile(Path p, InputFile.Format forced, char delimiter) {
        String name = p.getFileName() == null ? p.toString() : p.getFileName().toString();
        InputFile.Format format = forced != null ? forced : InputFile.Format.ofName(name);
        char d = delimiter != 0 ? delimiter : name.toLowerCase(Locale.ROOT).endsWith(".tsv") ? '\t' : ',';
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            size = 0; // unreadable: it will fail when opened, and count as a failed file there
        }
        return new InputFile(p, p.normalize().toString(), format, d, size);
    }

    /** The paths {@code pattern} matches, sorted. */
    static List<Path> matches(String pattern, List<String> warnings) throws IOException {
        FileSystem fs = FileSystems.getDefault();
        String[] parts = pattern.split("/", -1);
        int literal = 0;
        while (literal < parts.length - 1 && !hasWildcard(parts[literal])) {
            literal++;
        }
        if (literal == parts.length - 1 && !hasWildcard(parts[literal])) {
            Path p = fs.getPath(pattern);
            return Files.exists(p) && !Files.isDirectory(p) ? List.of(p) : List.of();
        }
        String baseText = String.join("/", Arrays.copyOfRange(parts, 0, literal));
        Path base = pattern.startsWith("/") && baseText.isEmpty() ? fs.getPath("/")
                : baseText.isEmpty() ? fs.getPath("") : fs.getPath(baseText);
        String rest = String.join("/", Arrays.copyOfRange(parts, literal, parts.length));
        PathMatcher matcher;
        try {
            matcher = fs.getPathMatcher("glob:" + zeroOrMoreDirectories(rest));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pattern '" + pattern + "' is not a valid glob: " + e.getMessage());
        }
        Path start = base.toString().isEmpty() ? fs.getPath(".") : base;
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        int depth = rest.contains("**") ? Integer.MAX_VALUE : parts.length - literal;
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(start, EnumSet.of(FileVisitOption.FOLLOW_LINKS), depth, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                Path relative = start.relativize(file);
                if (!attrs.isDirectory() && matcher.matches(relative)) {
                    out.add(base.toString().isEmpty() ? relative : base.resolve(relative));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                if (!file.equals(start)) {
                    warnings.add("skipped " + file + ": " + (e instanceof FileSystemLoopException
                            ? "a link loop" : e.getClass().getSimpleName() + " " + e.getMessage()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(null);
        return out;
    }

    private static boolean hasWildcard(String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    /**
     * Rewrites each {@code **}/ outside braces to {@code {**}/{@code ,}}, so that it also matches no directory:
     * Java's glob would otherwise demand at least one.
     */
    static String zeroOrMoreDirectories(String glob) {
        StringBuilder sb = new StringBuilder(glob.length() + 8);
        int depth = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                sb.append(c).append(glob.charAt(++i));
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
            if (depth == 0 && glob.startsWith("**/", i) && (i == 0 || glob.charAt(i - 1) == '/')) {
                sb.append("{**/,}");
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
