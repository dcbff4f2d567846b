package io.fluxgate.examples.uniqueusers;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The app's semantics written the plain way, independent of the app's code (its own JSON handling, a TreeMap of
 * sets): what the app's output file must equal when it reads the same lines from one partition.
 */
final class ReferenceModel {

    static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(62);

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** One result line. */
    record Result(long ts, long cnt) {
        String json() {
            return "{\"ts\":" + ts + ",\"cnt\":" + cnt + "}";
        }
    }

    final List<Result> results = new ArrayList<>();
    long late;
    long malformed;
    long blank;

    private final long size;
    private final long lateness;
    private final TreeMap<Long, Set<String>> open = new TreeMap<>();
    private Long maxTs;

    ReferenceModel(long sizeSeconds, long latenessSeconds) {
        this.size = sizeSeconds;
        this.lateness = latenessSeconds;
    }

    static ReferenceModel run(List<byte[]> lines, long sizeSeconds, long latenessSeconds) {
        ReferenceModel m = new ReferenceModel(sizeSeconds, latenessSeconds);
        lines.forEach(m::accept);
        m.finish();
        return m;
    }

    void accept(byte[] line) {
        if (new String(line, StandardCharsets.UTF_8).isBlank()) {
            blank++;
            return;
        }
        String uid;
        long ts;
        try {
            JsonNode root = JSON.readTree(line);
            JsonNode u = root.isObject() ? root.get("uid") : null;
            JsonNode t = root.isObject() ? root.get("ts") : null;
            if (u == null || !u.isString() || u.stringValue().isEmpty() || t == null || !t.isIntegralNumber()
                    || t.bigIntegerValue().abs().compareTo(LIMIT) > 0) {
                malformed++;
                return;
            }
            uid = u.stringValue();
            ts = t.longValue();
        } catch (RuntimeException e) {
            malformed++;
            return;
        }
        maxTs = maxTs == null ? ts : Math.max(maxTs, ts);
        long watermark = maxTs - lateness;
        long start = Math.floorDiv(ts, size) * size;
        if (start + size <= watermark) {
            late++;
            return;
        }
        open.computeIfAbsent(start, k -> new HashSet<>()).add(uid);
        while (!open.isEmpty() && open.firstKey() + size <= watermark) {
            Map.Entry<Long, Set<String>> w = open.pollFirstEntry();
            results.add(new Result(w.getKey(), w.getValue().size()));
        }
    }

    void finish() {
        open.forEach((start, users) -> results.add(new Result(start, users.size())));
        open.clear();
    }

    List<String> jsonLines() {
        return results.stream().map(Result::json).toList();
    }
}
