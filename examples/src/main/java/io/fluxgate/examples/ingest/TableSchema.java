package io.fluxgate.examples.ingest;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.fluxgate.jdbc.PgIdentifier;
import io.fluxgate.jdbc.PgType;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The target table as the catalog describes it: its columns in order, with type, nullability, default and whether
 * the ingester can write them, and its unique keys. Input names are matched to columns exactly, else
 * case-insensitively when exactly one column matches that way (so a header {@code UserId} finds column
 * {@code userid}, PostgreSQL's folding of an unquoted name).
 */
final class TableSchema {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * One column of the table.
     *
     * @param index position among the table's columns (0-based, dropped columns skipped)
     * @param name the name as stored in the catalog
     * @param sqlType the type as PostgreSQL prints it, e.g. {@code character varying(20)}
     * @param type how input text becomes its value, or {@code null} when the ingester cannot write this type
     * @param notNull declared NOT NULL
     * @param hasDefault a default or an identity: leaving the column out of the input is fine
     * @param generated a generated column, which no input may set
     */
    record Column(int index, String name, String sqlType, ColumnType type, boolean notNull, boolean hasDefault,
                  boolean generated) {

        /** The input must give it a non-null value: NOT NULL, no default, not generated. */
        boolean required() {
            return notNull && !hasDefault && !generated;
        }

        /** Why input naming this column cannot be loaded, or {@code null} when it can. */
        String unwritable() {
            if (generated) {
                return "column '" + name + "' is a generated column, which cannot be written";
            }
            if (type == null) {
                return "column '" + name + "' has type " + sqlType + ", which the ingester cannot write";
            }
            return null;
        }
    }

    private final String schema;
    private final String table;
    private final List<Column> columns;
    private final List<String> primaryKey;
    private final List<Set<String>> uniqueKeys;
    private final Map<String, Column> exact = new HashMap<>();
    private final Map<String, List<Column>> folded = new HashMap<>();

    TableSchema(String schema, String table, List<Column> columns, List<String> primaryKey,
                List<Set<String>> uniqueKeys) {
        this.schema = schema;
        this.table = table;
        this.columns = List.copyOf(columns);
        this.primaryKey = List.copyOf(primaryKey);
        this.uniqueKeys = List.copyOf(uniqueKeys);
        for (Column c : columns) {
            exact.put(c.name(), c);
            folded.computeIfAbsent(c.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(c);
        }
    }

    String schema() {
        return schema;
    }

    String table() {
        return table;
    }

    /** {@code schema.table}, for people. */
    String displayName() {
        return schema + "." + table;
    }

    List<Column> columns() {
        return columns;
    }

    /** The primary key's columns, empty when the table has none. */
    List<String> primaryKey() {
        return primaryKey;
    }

    /** The column an input name means, or {@code null} when none (see the class comment). */
    Column find(String inputName) {
        Column c = exact.get(inputName);
        if (c != null) {
            return c;
        }
        List<Column> candidates = folded.get(inputName.toLowerCase(Locale.ROOT));
        return candidates != null && candidates.size() == 1 ? candidates.get(0) : null;
    }

    /** The column sets of the table's unique indexes that {@code INSERT ... ON CONFLICT} can use. */
    List<Set<String>> uniqueKeys() {
        return uniqueKeys;
    }

    /** True when a unique index that {@code INSERT ... ON CONFLICT} can use covers exactly these columns. */
    boolean isUniqueKey(Set<String> keyColumns) {
        return uniqueKeys.contains(keyColumns);
    }

    /**
     * Reads the table's description.
     *
     * @param schema the schema, or {@code null} to find the table through the connection's search_path
     * @throws IllegalStateException if there is no such table, or it is not a table COPY can write into
     */
    static TableSchema load(ConnectionFactory connections, String schema, String table, ZoneId zone) {
        String name = PgIdentifier.qualified(schema, table);
        // closing a connection the server has just dropped fails too: that must not hide why the read failed
        return Mono.usingWhen(connections.create(), c -> load(c, name, zone),
                c -> Mono.from(c.close()).onErrorResume(e -> Mono.empty())).block(TIMEOUT);
    }

    private static Mono<TableSchema> load(Connection c, String name, ZoneId zone) {
        String find = "SELECT n.nspname::text, c.relname::text, c.relkind::text, c.oid::int8 FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)";
        return rows(c, find, r -> new Object[] {r.get(0, String.class), r.get(1, String.class),
                        r.get(2, String.class), r.get(3, Long.class)}, name)
                .collectList()
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        return Mono.error(new IllegalStateException("table " + name + " does not exist"
                                + (name.contains(".") ? "" : " on the search_path (give --schema?)")));
                    }
                    Object[] t = found.get(0);
                    String kind = (String) t[2];
                    if (!kind.equals("r") && !kind.equals("p")) {
                        return Mono.error(new IllegalStateException(t[0] + "." + t[1] + " is not a table (relkind "
                                + kind + "); COPY writes into tables only"));
                    }
                    long oid = (Long) t[3];
                    return columns(c, oid, zone).collectList()
                            .zipWith(uniqueKeys(c, oid).collectList())
                            .map(cols -> build((String) t[0], (String) t[1], cols.getT1(), cols.getT2()));
                });
    }

    private static TableSchema build(String schema, String table, List<Column> columns, List<Object[]> keys) {
        List<String> primary = List.of();
        List<Set<String>> unique = new ArrayList<>();
        for (Object[] k : keys) {
            List<String> names = List.of((String[]) k[1]);
            unique.add(Collections.unmodifiableSet(new LinkedHashSet<>(names)));
            if ((Boolean) k[0]) {
                primary = names;
            }
        }
        return new TableSchema(schema, table, columns, primary, unique);
    }

    private static Flux<Column> columns(Connection c, long oid, ZoneId zone) {
        // Domains are written as their base type (the server checks the domain's constraints); enum labels are
        // fetched so that a bad label is a rejected row rather than a failed COPY.
        String sql = "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                + " (a.atthasdef OR a.attidentity <> '') AS has_default, (a.attgenerated <> '') AS generated,"
                + " bt.typname::text, bt.typtype::text,"
                + " CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,"
                + " et.typname::text, et.typtype::text,"
                + " (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e"
                + "   WHERE e.enumtypid = coalesce(et.oid, bt.oid)) AS labels"
                + " FROM pg_attribute a"
                + " JOIN pg_type t ON t.oid = a.atttypid"
                + " JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END"
                + " LEFT JOIN pg_type et ON bt.typcategory = 'A' AND et.oid = bt.typelem"
                + " WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
        int[] index = {0};
        return rows(c, sql, r -> {
            String[] labels = r.get(10, String[].class);
            Set<String> enumLabels = labels == null ? Set.of() : Set.of(labels);
            int typmod = r.get(7, Integer.class);
            String elemName = r.get(8, String.class);
            ColumnType type;
            if (elemName != null) {
                ColumnType element = typeOf(elemName, r.get(9, String.class), typmod, enumLabels, zone);
                type = element != null && element.arrayable() ? new ColumnType.Array(element) : null;
            } else {
                type = typeOf(r.get(5, String.class), r.get(6, String.class), typmod, enumLabels, zone);
            }
            return new Column(index[0]++, r.get(0, String.class), r.get(1, String.class), type,
                    r.get(2, Boolean.class), r.get(3, Boolean.class), r.get(4, Boolean.class));
        }, oid);
    }

    /** Unique indexes {@code ON CONFLICT} can infer: immediate, valid, on plain columns, not partial. */
    private static Flux<Object[]> uniqueKeys(Connection c, long oid) {
        String sql = "SELECT i.indisprimary, ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[])"
                + "   WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + "   AND a.attnum = k.attnum ORDER BY k.ord)"
                + " FROM pg_index i WHERE i.indrelid = $1::oid AND i.indisunique AND i.indimmediate AND i.indisvalid"
                + " AND i.indpred IS NULL AND i.indexprs IS NULL";
        return rows(c, sql, r -> new Object[] {r.get(0, Boolean.class), r.get(1, String[].class)}, oid);
    }

    private static <V> Flux<V> rows(Connection c, String sql, Function<Readable, V> mapper,
                                    Object parameter) {
        return Flux.from(c.createStatement(sql).bind(0, parameter).execute())
                .concatMap(result -> result.map((row, meta) -> mapper.apply(row)));
    }

    /** The ingester's handling of a catalog type, or {@code null} when it has none. */
    static ColumnType typeOf(String typname, String typtype, int typmod, Set<String> enumLabels, ZoneId zone) {
        if ("e".equals(typtype)) {
            return new ColumnType.Enum(typname, enumLabels);
        }
        return switch (typname) {
            case "int2" -> new ColumnType.Int(PgType.INT2, 16);
            case "int4" -> new ColumnType.Int(PgType.INT4, 32);
            case "int8" -> new ColumnType.Int(PgType.INT8, 64);
            case "float4" -> new ColumnType.Floating(PgType.FLOAT4, true);
            case "float8" -> new ColumnType.Floating(PgType.FLOAT8, false);
            case "numeric" -> new ColumnType.Numeric(numeric(typmod));
            case "bool" -> new ColumnType.Bool();
            case "text" -> new ColumnType.Text(PgType.TEXT, true);
            case "varchar" -> new ColumnType.Text(typmod >= 5 ? PgType.varchar(typmod - 4) : PgType.VARCHAR, true);
            // char(n): its binary input reads text and pads it; the length rule is varchar's (trailing blanks trimmed)
            case "bpchar" -> new ColumnType.Text(typmod >= 5 ? PgType.varchar(typmod - 4) : PgType.TEXT, false);
            case "json" -> new ColumnType.Json(PgType.JSON);
            case "jsonb" -> new ColumnType.Json(PgType.JSONB);
            case "bytea" -> new ColumnType.Bytea();
            case "uuid" -> new ColumnType.Uuid();
            case "date" -> new ColumnType.Date();
            case "timestamp" -> new ColumnType.DateTime(null);
            case "timestamptz" -> new ColumnType.DateTime(zone);
            default -> null;
        };
    }

    /** {@code numeric(p,s)} from its typmod; unconstrained (the server checks) for forms PgType does not model. */
    private static PgType<BigDecimal> numeric(int typmod) {
        if (typmod < 4) {
            return PgType.NUMERIC;
        }
        int precision = ((typmod - 4) >> 16) & 0xFFFF;
        // PostgreSQL 15 stores the scale as an 11-bit signed number (negative scales are allowed)
        int scale = ((((typmod - 4) & 0x7FF) ^ 1024) - 1024);
        if (precision < 1 || precision > 1000 || scale < 0 || scale > precision) {
            return PgType.NUMERIC;
        }
        return PgType.numeric(precision, scale);
    }
}
