package io.fluxgate.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fluxgate.heartbeat.StageHealth.Status;
import io.fluxgate.heartbeat.internal.StageMonitor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The stall state machine against a brute-force model over the full event history: at every check, "stalled" must
 * equal "the last output is followed by an input at least stallAfter ago, and downstream demand has been positive
 * for the whole last stallAfter"; listener events alternate stalled / recovered, starting with stalled.
 */
class StageMonitorPropertiesTest {

    private static final long S = 10;

    /** op codes: 0 input, 1 output, 2 request 1, 3 request 3, 4 check */
    @Property(tries = 500)
    void stalledMatchesTheModelAndEventsAreEdges(
            @ForAll @Size(min = 1, max = 80) List<@IntRange(min = 0, max = 4) Integer> ops,
            @ForAll @Size(min = 1, max = 80) List<@IntRange(min = 0, max = 6) Integer> advances) {
        long[] now = {0};
        List<String> events = new ArrayList<>();
        StageMonitor m = new StageMonitor("s", Duration.ofNanos(S), null, () -> now[0], new StallListener() {
            @Override
            public void onStalled(StageHealth h) {
                events.add("stalled");
            }

            @Override
            public void onRecovered(StageHealth h) {
                events.add("recovered");
            }
        });
        List<long[]> history = new ArrayList<>(); // {time, op, demandAfter}
        long demand = 0;
        for (int i = 0; i < ops.size(); i++) {
            now[0] += advances.get(i % advances.size());
            int op = ops.get(i);
            switch (op) {
                case 0 -> m.onInput();
                case 1 -> {
                    if (demand == 0) {
                        continue; // a compliant stage never emits without demand
                    }
                    m.onOutput();
                    demand--;
                }
                case 2 -> {
                    m.onRequest(1);
                    demand += 1;
                }
                case 3 -> {
                    m.onRequest(3);
                    demand += 3;
                }
                default -> {
                    m.check();
                    boolean modelStalled = model(history, now[0]);
                    boolean reported = !events.isEmpty() && events.get(events.size() - 1).equals("stalled");
                    assertThat(reported).as("stalled at %d, history %s", now[0], history.size()).isEqualTo(modelStalled);
                    Status status = m.health().status();
                    assertThat(status == Status.STALLED).isEqualTo(modelStalled);
                }
            }
            history.add(new long[] {now[0], op, demand});
        }
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i)).isEqualTo(i % 2 == 0 ? "stalled" : "recovered");
        }
    }

    private static boolean model(List<long[]> history, long t) {
        Long firstInput = null;
        int lastOutputIdx = -1;
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i)[1] == 1) {
                lastOutputIdx = i;
            }
        }
        for (int i = lastOutputIdx + 1; i < history.size(); i++) {
            if (history.get(i)[1] == 0) {
                firstInput = history.get(i)[0];
                break;
            }
        }
        if (firstInput == null || t - firstInput < S) {
            return false;
        }
        // demand positive throughout [t - S, t]: the value in force at t - S and every change after it
        long inForce = 0;
        for (long[] e : history) {
            if (e[0] <= t - S) {
                inForce = e[2];
            }
        }
        if (inForce <= 0) {
            return false;
        }
        for (long[] e : history) {
            if (e[0] > t - S && e[2] <= 0) {
                return false;
            }
        }
        return true;
    }
}
