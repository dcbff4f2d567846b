package io.fluxgate.jdbc.internal;

import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A connection passed from one batch to the next batch of the same lane, so that the next batch's statements are
 * queued on the connection right behind the first batch's {@code COMMIT} and the server goes from one batch to the
 * next without waiting for the client (one connection, one statement at a time, but no idle round trips between
 * batches).
 *
 * <p>The giving batch {@linkplain #offer offers} its connection once its COMMIT is on the wire, or says it has
 * {@linkplain #done() nothing to give}; the taking batch {@linkplain #take() waits} for either. Whoever holds the
 * connection last closes it: the taker once it has taken it, otherwise the giver, which {@linkplain #reclaim takes
 * back} an offer nobody took when its own transaction ends. Exactly one of them gets it (one atomic swap).
 *
 * @param <C> the connection type
 */
public final class ConnectionHandover<C> {

    private final AtomicReference<@Nullable C> offered = new AtomicReference<>();
    private final Sinks.Empty<Void> ready = Sinks.empty();

    /**
     * Offers {@code connection} to the next batch; at most one offer stands at a time (a second one while the
     * first is still on offer is refused: the giver keeps and closes it).
     *
     * @param connection a connection whose pending statements end the giver's transaction
     * @return whether the offer stands; false leaves the connection with the caller
     */
    public boolean offer(C connection) {
        boolean placed = offered.compareAndSet(null, connection);
        ready.tryEmitEmpty();
        return placed;
    }

    /** The giver ends without (another) offer: a taker waiting stops waiting and opens its own connection. */
    public void done() {
        ready.tryEmitEmpty();
    }

    /**
     * Waits for the giver's offer or its end.
     *
     * @return the offered connection, now the caller's, or empty when there is none
     */
    public Mono<C> take() {
        return ready.asMono().then(Mono.fromSupplier(() -> offered.getAndSet(null)));
    }

    /**
     * Takes back {@code connection} if it is still on offer.
     *
     * @param connection the giver's connection
     * @return true if nobody took it (it is the giver's again, to close), false if a taker owns it
     */
    public boolean reclaim(C connection) {
        return offered.compareAndSet(connection, null);
    }
}
