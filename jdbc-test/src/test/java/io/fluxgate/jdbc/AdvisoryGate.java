package io.fluxgate.jdbc;

import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stops a COPY at a chosen row, deterministically: a row trigger on the table waits for an advisory lock that this
 * gate holds on its own connection. The test then finds the blocked backend in {@code pg_stat_activity} (it is
 * mid-statement, with earlier rows already inserted in its transaction), does something to it, and opens the gate.
 */
final class AdvisoryGate implements AutoCloseable {

    private final PostgresTestSchema db;
    private final long key = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private final Connection holder;
    private boolean open;

    AdvisoryGate(PostgresTestSchema db, String table, String idColumn, long atId) {
        this(db, table, idColumn, atId, false);
    }

    /**
     * A gate at the COMMIT of the transaction that inserted row {@code atId}: a deferred constraint trigger, so the
     * backend blocks in its {@code COMMIT} with all its statements before it done.
     */
    static AdvisoryGate atCommit(PostgresTestSchema db, String table, String idColumn, long atId) {
        return new AdvisoryGate(db, table, idColumn, atId, true);
    }

    private AdvisoryGate(PostgresTestSchema db, String table, String idColumn, long atId, boolean atCommit) {
        this.db = db;
        String fn = table + "_gate";
        db.execute("CREATE OR REPLACE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW." + idColumn + " = " + atId + " THEN PERFORM pg_advisory_lock_shared(" + key + ");"
                + " PERFORM pg_advisory_unlock_shared(" + key + "); END IF; RETURN NEW; END $$",
                atCommit
                        ? "CREATE CONSTRAINT TRIGGER " + fn + " AFTER INSERT ON " + table
                                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + fn + "()"
                        : "CREATE TRIGGER " + fn + " BEFORE INSERT ON " + table + " FOR EACH ROW EXECUTE FUNCTION "
                                + fn + "()");
        this.holder = Mono.from(db.connectionFactory().create()).block(Duration.ofSeconds(10));
        run("SELECT pg_advisory_lock(" + key + ")");
    }

    /** The pid of the backend waiting at the gate; polls {@code pg_stat_activity} until one shows up. */
    int awaitBlocked() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<Integer> pids = db.queryList("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND wait_event = 'advisory' AND datname = current_database()", Integer.class);
            if (!pids.isEmpty()) {
                return pids.get(0);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no backend reached the gate within 20 s");
    }

    /**
     * Waits until backend {@code pid} no longer waits at the gate (it went on, failed or went away), for at most
     * {@code timeout}.
     *
     * @return whether it left the gate in time
     */
    boolean awaitLeft(int pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (db.queryList("SELECT pid FROM pg_stat_activity WHERE pid = " + pid + " AND wait_event_type = 'Lock'"
                    + " AND wait_event = 'advisory'", Integer.class).isEmpty()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    void open() {
        if (!open) {
            open = true;
            run("SELECT pg_advisory_unlock(" + key + ")");
        }
    }

    @Override
    public void close() {
        open();
        Mono.from(holder.close()).block(Duration.ofSeconds(10));
    }

    private void run(String sql) {
        Flux.from(holder.createStatement(sql).execute()).concatMap(r -> r.map((row, m) -> 1)).then()
                .block(Duration.ofSeconds(10));
    }
}
