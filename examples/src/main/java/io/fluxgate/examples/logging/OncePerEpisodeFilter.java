package io.fluxgate.examples.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps the Kafka client's warnings to one line per state change. While a broker is down the client warns at every
 * reconnect attempt ("Connection to node 1 could not be established", about four a second); this filter passes the
 * first warning of a kind (same logger, same message pattern) and drops its repeats until the kind has been quiet
 * for {@link #DEFAULT_QUIET_MILLIS} (the outage is over), so an outage is one line, and the next outage one more.
 * Errors pass as they are: a "fenced" error of a static member is a real one (the app's own restart after a
 * rebalance no longer causes it: the next consumer joins once the previous one is closed).
 *
 * <p>One error of the Kafka 4 client is not one: with the consumer group protocol, a consumer closed while the group
 * is reconciling an assignment logs {@code ERROR ConsumerMembershipManager - Reconciliation failed} with
 * {@code TimeoutException: ConsumerRebalanceListenerCallbackNeededEvent could not be completed before the consumer
 * closed}. The app closes its consumer on purpose when partitions are revoked (it restarts from the committed state,
 * and the next consumer is assigned anew), so that reconciliation is abandoned by design and nothing is lost; the
 * filter logs it as one INFO line of its own instead of an error with a stack trace, and drops it.
 *
 * <p>Applies to loggers under {@code org.apache.kafka} at WARN and above; everything else passes untouched.
 */
public final class OncePerEpisodeFilter extends TurboFilter {

    private static final org.slf4j.Logger ABANDONED = org.slf4j.LoggerFactory.getLogger(OncePerEpisodeFilter.class);

    /** How long a kind of warning must be absent before it is logged again. */
    public static final long DEFAULT_QUIET_MILLIS = 30_000;

    private final LongSupplier millis;
    private final ConcurrentMap<String, long[]> lastSeen = new ConcurrentHashMap<>();
    private long quietMillis = DEFAULT_QUIET_MILLIS;

    /** The filter logback instantiates (wall clock). */
    public OncePerEpisodeFilter() {
        this(System::currentTimeMillis);
    }

    /** With an injected clock, for tests. */
    public OncePerEpisodeFilter(LongSupplier millis) {
        this.millis = millis;
    }

    /** Set from logback.xml ({@code <quietMillis>}); at least 1. */
    public void setQuietMillis(long quietMillis) {
        if (quietMillis < 1) {
            throw new IllegalArgumentException("quietMillis must be >= 1, was " + quietMillis);
        }
        this.quietMillis = quietMillis;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (Level.ERROR.equals(level) && isReconciliationAbandonedOnClose(logger, format, thrown(params, t))) {
            ABANDONED.info("A group reconciliation in progress was abandoned by closing the consumer (the app restarts"
                    + " from the committed state after a revoke; the next consumer is assigned anew)");
            return FilterReply.DENY;
        }
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || format == null
                || !logger.getName().startsWith("org.apache.kafka")) {
            return FilterReply.NEUTRAL;
        }
        long now = millis.getAsLong();
        long[] last = lastSeen.computeIfAbsent(logger.getName() + '\u0000' + format, k -> new long[] {Long.MIN_VALUE});
        synchronized (last) {
            boolean newEpisode = last[0] == Long.MIN_VALUE || now - last[0] >= quietMillis;
            last[0] = now;
            return newEpisode ? FilterReply.NEUTRAL : FilterReply.DENY;
        }
    }

    /** The event's throwable: passed on its own, or (through some facades) as the last parameter. */
    private static Throwable thrown(Object[] params, Throwable t) {
        if (t == null && params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) {
            return last;
        }
        return t;
    }

    static boolean isReconciliationAbandonedOnClose(Logger logger, String format, Throwable t) {
        // the client's LogContext puts "[Consumer instanceId=..., groupId=...] " in front of the message
        if (!logger.getName().endsWith(".ConsumerMembershipManager") || format == null
                || !format.contains("Reconciliation failed")) {
            return false;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (c instanceof org.apache.kafka.common.errors.TimeoutException && m != null
                    && m.endsWith("could not be completed before the consumer closed")) {
                return true;
            }
        }
        return false;
    }
}
