package io.fluxgate.examples.uniqueusers;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.fluxgate.window.WindowCount;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The records of the partials topic ({@code <output-topic>.partials}): one per (window, input partition), written by
 * the workers and read by the combiners. Keyed {@code <start>@<size seconds>@<partition>@<group id>}, so that the
 * topic can be compacted to the last write per window and partition of a run; the value is
 * {@code {"group":"<group id>","ts":<start>,"window":<size seconds>,"partition":<p>,"cnt":<users>,"events":<n>}},
 * with {@code "sketch":"<base64 HyperLogLog image>"} in approximate mode. The group id tells the runs that share an
 * output topic apart: a combiner reads only its own workers' partials.
 */
final class Partials {

    private static final JsonMapper JSON = JsonMapper.shared();

    private Partials() {
    }

    static String topic(String outputTopic) {
        return outputTopic + ".partials";
    }

    static String key(WindowCount w, int partition, String group) {
        return w.start() + "@" + w.size().toSeconds() + "@" + partition + "@" + group;
    }

    static String json(WindowCount w, int partition, String group) {
        StringBuilder sb = new StringBuilder(96)
                .append("{\"group\":").append(JSON.writeValueAsString(group))
                .append(",\"ts\":").append(w.start())
                .append(",\"window\":").append(w.size().toSeconds())
                .append(",\"partition\":").append(partition)
                .append(",\"cnt\":").append(w.uniqueUsers())
                .append(",\"events\":").append(w.events());
        w.sketch().ifPresent(s -> sb.append(",\"sketch\":\"").append(Base64.getEncoder().encodeToString(s.toByteArray()))
                .append('"'));
        return sb.append('}').toString();
    }

    /**
     * Reads a value written by {@link #json}: the partial, or null when another group's workers wrote it.
     *
     * @throws IllegalArgumentException if it is not one
     */
    static PartialCombiner.Partial parse(byte[] value, String group) {
        try {
            JsonNode n = JSON.readTree(value);
            JsonNode g = n.get("group");
            if (g == null || !g.isString()) {
                throw new IllegalArgumentException("no string \"group\"");
            }
            if (!g.stringValue().equals(group)) {
                return null;
            }
            byte[] sketch = n.has("sketch") ? Base64.getDecoder().decode(n.get("sketch").stringValue()) : null;
            return new PartialCombiner.Partial(required(n, "ts"), required(n, "window"), Math.toIntExact(required(n, "partition")),
                    required(n, "cnt"), required(n, "events"), sketch);
        } catch (JacksonException | IllegalArgumentException | NullPointerException | ArithmeticException e) {
            String text = value == null ? "null" : new String(value, StandardCharsets.UTF_8);
            throw new IllegalArgumentException("not a partial count: "
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + " (" + e.getMessage() + ")", e);
        }
    }

    private static long required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("no integer \"" + field + "\"");
        }
        return v.longValue();
    }
}
