package io.fluxgate.examples.uniqueusers;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Makes a realistic, reproducible input for the app: JSON frames of about 2 KB, {@code ~users} distinct users
 * whose activity is skewed (a few users are very active, most are not), event time advancing at a steady rate,
 * and some disorder: most frames arrive in order, 5% up to 4 s late (inside the default 5 s lateness), 0.1% a
 * minute or two late (dropped as late), and one frame in 10,000 is malformed. Nested objects repeat the
 * {@code uid}/{@code ts} field names with other values, so a reader that is not strict about root-level fields
 * gets different counts.
 *
 * <p>The same seed gives the same frames, so a run can be repeated and compared.
 */
final class FrameGenerator {

    /** Event time of the first frame: 2023-11-14T22:13:20Z, on a minute boundary. */
    static final long BASE_TS = 1_700_000_000L - 1_700_000_000L % 60;
    static final int TARGET_FRAME_BYTES = 2048;

    private static final String[] EVENTS = {"page_view", "click", "scroll", "add_to_cart", "search", "login"};
    private static final String[] PAGES = {"/", "/search", "/cart", "/checkout", "/product/", "/account", "/help"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    };
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final SplittableRandom random;
    private final String[] uids;
    private final double eventsPerSecond;
    private final StringBuilder sb = new StringBuilder(TARGET_FRAME_BYTES + 256);
    private long produced;

    FrameGenerator(long seed, int users, double eventsPerSecond) {
        if (users < 1) throw new IllegalArgumentException("users must be >= 1, was " + users);
        if (!(eventsPerSecond > 0)) throw new IllegalArgumentException("eventsPerSecond must be > 0, was " + eventsPerSecond);
        this.random = new SplittableRandom(seed);
        this.eventsPerSecond = eventsPerSecond;
        this.uids = new String[users];
        for (int i = 0; i < users; i++) {
            uids[i] = hexUid(random);
        }
    }

    /** A 19-hex-character user id: 76 bits, more than a 64-bit hash can hold without collisions in theory. */
    private static String hexUid(SplittableRandom r) {
        char[] c = new char[19];
        for (int i = 0; i < c.length; i++) {
            c[i] = HEX[r.nextInt(16)];
        }
        return new String(c);
    }

    /** The uid of the next frame's user, skewed: index = users * u^3 puts most activity on few users. */
    private String nextUser() {
        double u = random.nextDouble();
        return uids[(int) (uids.length * u * u * u)];
    }

    /** Returns the next frame as UTF-8 bytes (no trailing newline). */
    byte[] next() {
        long n = produced++;
        long ts = BASE_TS + (long) (n / eventsPerSecond);
        double disorder = random.nextDouble();
        if (disorder < 0.001) {
            ts -= 60 + random.nextInt(60);
        } else if (disorder < 0.051) {
            ts -= 1 + random.nextInt(4);
        }
        sb.setLength(0);
        if (random.nextInt(10_000) == 0) {
            appendMalformed(ts);
        } else {
            appendFrame(nextUser(), ts);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void appendMalformed(long ts) {
        switch (random.nextInt(4)) {
            case 0 -> sb.append("{\"uid\":\"").append(nextUser()).append("\",\"ts\":\"").append(ts).append("\"}");
            case 1 -> sb.append("{\"user\":\"").append(nextUser()).append("\",\"ts\":").append(ts).append('}');
            case 2 -> sb.append("{\"uid\":\"").append(nextUser()).append("\",\"ts\":").append(ts).append(".5}");
            default -> sb.append("{\"uid\":\"").append(nextUser()).append("\",\"ts\":").append(ts);
        }
    }

    private void appendFrame(String uid, long ts) {
        String event = EVENTS[random.nextInt(EVENTS.length)];
        sb.append("{\"event\":\"").append(event).append('"');
        // A nested object with the same field names: only the root-level ones count.
        sb.append(",\"session\":{\"uid\":\"s-").append(Long.toHexString(random.nextLong()))
          .append("\",\"ts\":").append(ts - random.nextInt(3600))
          .append(",\"device\":{\"ua\":\"").append(AGENTS[random.nextInt(AGENTS.length)]).append("\"}}");
        sb.append(",\"uid\":\"").append(uid).append('"');
        sb.append(",\"page\":\"").append(PAGES[random.nextInt(PAGES.length)]).append(random.nextInt(1000)).append('"');
        sb.append(",\"ts\":").append(ts);
        sb.append(",\"items\":[");
        int items = random.nextInt(4);
        for (int i = 0; i < items; i++) {
            if (i > 0) sb.append(',');
            sb.append("{\"sku\":\"").append(Long.toHexString(random.nextLong())).append("\",\"qty\":").append(1 + random.nextInt(5))
              .append(",\"price\":").append(random.nextInt(100_000) / 100.0).append('}');
        }
        sb.append("],\"pad\":\"");
        int pad = TARGET_FRAME_BYTES - 2 - sb.length();
        for (int i = 0; i < pad; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        sb.append("\"}");
    }
}
