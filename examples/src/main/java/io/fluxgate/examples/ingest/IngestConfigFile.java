package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fluxgate.jdbc.PostgresSettings;
import picocli.CommandLine;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A {@code --config} file: several loads (entries) in one run. YAML, or JSON when the name ends in {@code .json}:
 *
 * <pre>
 * writers: 2                      # the run's options: parallelism, writers, max-batch, batch-latency, retries, progress
 * post-load: sql/refresh.sql      # the run's script, once every entry is loaded (or post-load-sql: inline SQL)
 * defaults:                       # per-entry keys every entry gets unless it sets them
 *   schema: staging
 * entries:
 *   - table: events               # required
 *     files: ["data/**&#47;*.csv"]   # required: glob patterns (a list, or one string)
 *     idempotent: true
 *     post-load-sql: INSERT INTO public.events SELECT * FROM staging.events ON CONFLICT DO NOTHING
 *   - table: users
 *     files: users.jsonl
 * </pre>
 *
 * <p>An entry's keys are the command line's per-file options without their dashes ({@code files} stands for the
 * PATTERN arguments): each entry is turned into arguments and parsed and checked by {@link FileIngestApp} itself,
 * so a key means exactly what its flag means, with the same values, defaults and checks. A flag's key takes
 * {@code true} or {@code false}; a repeatable option's ({@code key}) a list or one value. Relative paths
 * ({@code files}, {@code errors}, {@code post-load}) are taken from the config file's directory. Anything wrong (an
 * unknown key, a run option inside an entry, a bad value, an entry without {@code table} or {@code files}) is an
 * {@link Invalid} naming the entry and the key, found before anything is loaded.
 */
final class IngestConfigFile {

    static final String ENTRIES = "entries";
    static final String DEFAULTS = "defaults";
    static final String FILES = "files";
    private static final String POST_LOAD = "post-load";
    private static final String POST_LOAD_SQL = "post-load-sql";

    /**
     * What the file asks for.
     *
     * @param entries one load per entry, in the file's order
     * @param postLoad the run's script, or {@code null}
     */
    record Contents(List<IngestConfig> entries, PostLoad postLoad) {
    }

    /** The file is not a valid config: the message names the file, the entry and the key. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private final Path file;
    private final Path directory;
    private final CommandLine.Model.CommandSpec options = FileIngestApp.commandSpec();

    private IngestConfigFile(Path file) {
        this.file = file;
        this.directory = file.getParent();
    }

    /**
     * Reads and checks {@code file}.
     *
     * @param runOptions the run's options given on the command line (key without dashes to value), which win
     * @param postgres the server, for the settings
     */
    static Contents read(Path file, Map<String, String> runOptions, PostgresSettings postgres) throws Invalid {
        return new IngestConfigFile(file).read(runOptions, postgres);
    }

    /** {@code config FILE: entry N (table 'T'): }, the start of a message about an entry. */
    static String where(Path file, int entry, String table) {
        return "config " + file + ": entry " + entry + (table == null ? "" : " (table '" + table + "')") + ": ";
    }

    private Contents read(Map<String, String> runOptions, PostgresSettings postgres) throws Invalid {
        JsonNode root = parse();
        String top = "config " + file + ": ";
        if (root == null || !root.isObject()) {
            throw new Invalid(top + "expected a mapping with '" + ENTRIES + "' (a list of tables to load), found "
                    + (root == null ? "nothing" : kind(root)));
        }
        Map<String, JsonNode> run = new LinkedHashMap<>();
        JsonNode defaults = null;
        JsonNode entries = null;
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            if (key.equals(ENTRIES)) {
                entries = e.getValue();
            } else if (key.equals(DEFAULTS)) {
                defaults = e.getValue();
            } else if (isRunKey(key) || key.equals(POST_LOAD) || key.equals(POST_LOAD_SQL)) {
                run.put(key, e.getValue());
            } else if (isEntryKey(key)) {
                throw new Invalid(top + "'" + key + "' is a setting of each entry: put it in an entry or under '"
                        + DEFAULTS + "'");
            } else {
                throw new Invalid(top + "unknown key '" + key + "' at the top level (it takes " + ENTRIES + ", "
                        + DEFAULTS + ", " + POST_LOAD + ", " + POST_LOAD_SQL + " and the run's options: "
                        + String.join(", ", runKeys()) + ")");
            }
        }
        if (entries == null) {
            throw new Invalid(top + "no '" + ENTRIES + "': list the tables to load, each with its 'table' and '"
                    + FILES + "'");
        }
        if (!entries.isArray() || entries.isEmpty()) {
            throw new Invalid(top + "'" + ENTRIES + "' must be a non-empty list of entries, found " + kind(entries));
        }
        Map<String, JsonNode> shared = new LinkedHashMap<>();
        if (defaults != null) {
            if (!defaults.isObject()) {
                throw new Invalid(top + "'" + DEFAULTS + "' must be a mapping of entry keys, found " + kind(defaults));
            }
            for (Map.Entry<String, JsonNode> e : defaults.properties()) {
                checkEntryKey(top + "'" + DEFAULTS + "': ", e.getKey());
                shared.put(e.getKey(), e.getValue());
            }
        }
        // the run's settings alone first, so that a bad one is blamed on the top level, not on the first entry
        List<String> runArgs = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : run.entrySet()) {
            if (!runOptions.containsKey(e.getKey())) {
                arguments(top, e.getKey(), e.getValue(), runArgs);
            }
        }
        runOptions.forEach((k, v) -> runArgs.add("--" + k + "=" + v));
        List<String> probe = new ArrayList<>(runArgs);
        probe.add("--table=run");
        IngestConfig runSettings = settings(top, probe, postgres);
        runArgs.removeIf(a -> a.startsWith("--" + POST_LOAD + "=") || a.startsWith("--" + POST_LOAD_SQL + "="));

        List<IngestConfig> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            JsonNode tableNode = entry.isObject() ? entry.get("table") : null;
            String where = where(file, i + 1, tableNode != null && tableNode.isString() ? tableNode.asString()
                    : null);
            if (!entry.isObject()) {
                throw new Invalid(where + "expected a mapping with 'table' and '" + FILES + "', found " + kind(entry));
            }
            Map<String, JsonNode> keys = new LinkedHashMap<>(shared);
            for (Map.Entry<String, JsonNode> e : entry.properties()) {
                if (isRunKey(e.getKey())) {
                    throw new Invalid(where + "'" + e.getKey() + "' is a setting of the whole run (the entries share"
                            + " the parse threads and the writers): put it at the top level");
                }
                checkEntryKey(where, e.getKey());
                keys.put(e.getKey(), e.getValue());
            }
            if (!keys.containsKey("table")) {
                throw new Invalid(where + "no 'table': name the table this entry loads");
            }
            if (!keys.containsKey(FILES)) {
                throw new Invalid(where + "no '" + FILES + "': list the files to load (glob patterns)");
            }
            List<String> args = new ArrayList<>(runArgs);
            List<String> patterns = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : keys.entrySet()) {
                if (e.getKey().equals(FILES)) {
                    patterns.addAll(patterns(where, e.getValue()));
                } else {
                    arguments(where, e.getKey(), e.getValue(), args);
                }
            }
            args.add("--");
            args.addAll(patterns);
            out.add(settings(where, args, postgres));
        }
        return new Contents(List.copyOf(out), runSettings.postLoad());
    }

    private JsonNode parse() throws Invalid {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new Invalid("config " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw new Invalid("config " + file + ": cannot read it (" + FileIngestApp.describe(e) + ")");
        }
        boolean json = file.getFileName() != null
                && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        ObjectMapper mapper = json
                ? JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
                : YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try {
            JsonNode root = mapper.readTree(text);
            return root == null || root.isMissingNode() || root.isNull() ? null : root;
        } catch (JacksonException e) {
            String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
            int nl = message.indexOf('\n');
            String location = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new Invalid("config " + file + ": not valid " + (json ? "JSON" : "YAML") + location + ": "
                    + (nl >= 0 ? message.substring(0, nl) : message));
        }
    }

    /** The entry's settings, checked by the command line's own rules; a complaint about a flag names its key. */
    private IngestConfig settings(String where, List<String> args, PostgresSettings postgres) throws Invalid {
        try {
            return FileIngestApp.settings(args, postgres);
        } catch (CommandLine.ParameterException e) {
            throw new Invalid(where + asKeys(e.getMessage()));
        }
    }

    private static final Pattern FLAG = Pattern.compile("'?--([a-z][a-z-]*)(=[A-Z]+)?'?");

    /** {@code --format must be ...} becomes {@code 'format' must be ...}; PATTERN becomes 'files'. */
    private String asKeys(String message) {
        Matcher m = FLAG.matcher(message);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = "--" + m.group(1);
            m.appendReplacement(sb, Matcher.quoteReplacement(options.findOption(name) != null
                    ? "'" + m.group(1) + "'" : m.group()));
        }
        m.appendTail(sb);
        return sb.toString().replace("PATTERN", "'" + FILES + "'").replace("option '", "key '");
    }

    private boolean isRunKey(String key) {
        return FileIngestApp.RUN_OPTIONS.contains("--" + key);
    }

    private boolean isEntryKey(String key) {
        if (key.equals(FILES)) {
            return true;
        }
        CommandLine.Model.OptionSpec o = options.findOption("--" + key);
        return o != null && o.longestName().equals("--" + key) && FileIngestApp.isEntryOption(o);
    }

    private void checkEntryKey(String where, String key) throws Invalid {
        if (!isEntryKey(key)) {
            if (isRunKey(key)) {
                throw new Invalid(where + "'" + key + "' is a setting of the whole run: put it at the top level");
            }
            throw new Invalid(where + "unknown key '" + key + "' (an entry takes " + String.join(", ", entryKeys())
                    + ")");
        }
    }

    private List<String> entryKeys() {
        List<String> keys = new ArrayList<>();
        keys.add(FILES);
        for (CommandLine.Model.OptionSpec o : options.options()) {
            if (FileIngestApp.isEntryOption(o)) {
                keys.add(o.longestName().substring(2));
            }
        }
        return keys;
    }

    private static List<String> runKeys() {
        return new ArrayList<>(new TreeSet<>(FileIngestApp.RUN_OPTIONS.stream().map(n -> n.substring(2)).toList()));
    }

    /** Appends the flag(s) for {@code key: value} to {@code args}; paths are taken from the config's directory. */
    private void arguments(String where, String key, JsonNode value, List<String> args) throws Invalid {
        CommandLine.Model.OptionSpec o = options.findOption("--" + key);
        String flag = "--" + key;
        if (o.typeInfo().isBoolean()) {
            if (!value.isBoolean()) {
                throw new Invalid(where + "'" + key + "' must be true or false, was " + kind(value));
            }
            if (value.booleanValue()) {
                args.add(flag);
            } else if (o.negatable()) {
                args.add("--no-" + key);
            }
            return;
        }
        List<JsonNode> values = new ArrayList<>();
        if (value.isArray()) {
            if (!o.isMultiValue()) {
                throw new Invalid(where + "'" + key + "' takes one value, was a list");
            }
            value.forEach(values::add);
            if (values.isEmpty()) {
                throw new Invalid(where + "'" + key + "' is an empty list");
            }
        } else {
            values.add(value);
        }
        for (JsonNode v : values) {
            String text = scalar(where, key, v);
            if (key.equals("errors") || key.equals(POST_LOAD)) {
                text = relative(text);
            }
            args.add(flag + "=" + text);
        }
    }

    private List<String> patterns(String where, JsonNode value) throws Invalid {
        List<String> out = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode v : value) {
                out.add(relative(scalar(where, FILES, v)));
            }
        } else {
            out.add(relative(scalar(where, FILES, value)));
        }
        if (out.isEmpty()) {
            throw new Invalid(where + "'" + FILES + "' is an empty list: give at least one glob pattern");
        }
        for (String p : out) {
            if (p.isBlank()) {
                throw new Invalid(where + "'" + FILES + "' holds an empty pattern");
            }
        }
        return out;
    }

    private static String scalar(String where, String key, JsonNode v) throws Invalid {
        if (v.isString() || v.isNumber() || v.isBoolean()) {
            return v.asString();
        }
        throw new Invalid(where + "'" + key + "' must be " + (key.equals(FILES) ? "a glob pattern or a list of them"
                : "a single value") + ", was " + kind(v));
    }

    /** A relative path (or glob pattern) from the config file's directory. */
    private String relative(String path) {
        if (directory == null || path.startsWith("/")) {
            return path;
        }
        String dir = directory.toString();
        return dir.endsWith("/") ? dir + path : dir + "/" + path;
    }

    private static String kind(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isNull()) {
            return "nothing (null)";
        }
        return "'" + node.asString() + "'";
    }
}
