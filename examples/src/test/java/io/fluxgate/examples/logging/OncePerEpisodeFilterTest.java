package io.fluxgate.examples.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

/**
 * A broker outage as the Kafka client logs it (a warning per reconnect attempt, about four a second) comes out as
 * one line per outage; errors (a fenced member's included) pass; other loggers pass.
 */
class OncePerEpisodeFilterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    OncePerEpisodeFilterTest() {
        OncePerEpisodeFilter filter = new OncePerEpisodeFilter(now::get);
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        appender.setContext(context);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    }

    private List<String> lines() {
        return appender.list.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
                .toList();
    }

    @Test
    void aBrokerOutageIsOneLinePerOutageNotOnePerReconnectAttempt() {
        Logger network = context.getLogger("org.apache.kafka.clients.NetworkClient");
        Logger coordinator = context.getLogger("org.apache.kafka.clients.consumer.internals.ConsumerCoordinator");
        String refused = "[Consumer clientId=c-1, groupId=g] Connection to node {} ({}) could not be established."
                + " Node may not be available.";
        for (int i = 0; i < 112; i++) { // a 28 s outage, a warning every 250 ms
            network.warn(refused, 1, "localhost/127.0.0.1:9092");
            if (i % 10 == 0) {
                coordinator.warn("[Consumer clientId=c-1, groupId=g] Offset commit failed on partition {}", "in-0");
            }
            now.addAndGet(250);
        }
        now.addAndGet(OncePerEpisodeFilter.DEFAULT_QUIET_MILLIS); // the broker is back for a while
        network.warn(refused, 1, "localhost/127.0.0.1:9092"); // the next outage

        assertThat(lines()).containsExactly(
                "WARN org.apache.kafka.clients.NetworkClient [Consumer clientId=c-1, groupId=g] Connection to node 1"
                        + " (localhost/127.0.0.1:9092) could not be established. Node may not be available.",
                "WARN org.apache.kafka.clients.consumer.internals.ConsumerCoordinator [Consumer clientId=c-1,"
                        + " groupId=g] Offset commit failed on partition in-0",
                "WARN org.apache.kafka.clients.NetworkClient [Consumer clientId=c-1, groupId=g] Connection to node 1"
                        + " (localhost/127.0.0.1:9092) could not be established. Node may not be available.");
    }

    @Test
    void aFenceErrorIsLoggedAndOtherLoggersPass() {
        context.getLogger("org.apache.kafka.clients.consumer.internals.AbstractCoordinator")
                .error("[Consumer instanceId=uu-host-1, clientId=c-2, groupId=g] JoinGroup failed: The broker reported"
                        + " that another consumer with the same group.instance.id has registered (fenced)");
        Logger ours = context.getLogger("io.fluxgate.kafka.CrashSafeWindows");
        ours.warn("Commit of window checkpoint failed: {}", "x");
        ours.warn("Commit of window checkpoint failed: {}", "x");
        context.getLogger("org.apache.kafka.clients.NetworkClient").info("not a warning {}", 1);
        context.getLogger("org.apache.kafka.clients.NetworkClient").info("not a warning {}", 1);

        assertThat(lines()).containsExactly(
                "ERROR org.apache.kafka.clients.consumer.internals.AbstractCoordinator [Consumer instanceId=uu-host-1,"
                        + " clientId=c-2, groupId=g] JoinGroup failed: The broker reported that another consumer with"
                        + " the same group.instance.id has registered (fenced)",
                "WARN io.fluxgate.kafka.CrashSafeWindows Commit of window checkpoint failed: x",
                "WARN io.fluxgate.kafka.CrashSafeWindows Commit of window checkpoint failed: x",
                "INFO org.apache.kafka.clients.NetworkClient not a warning 1",
                "INFO org.apache.kafka.clients.NetworkClient not a warning 1");
    }

    @Test
    void aReconciliationAbandonedByClosingTheConsumerIsNotAnErrorOtherReconciliationFailuresAre() {
        Logger membership = context.getLogger("org.apache.kafka.clients.consumer.internals.ConsumerMembershipManager");
        String format = "[Consumer instanceId=i, clientId=c, groupId=g] Reconciliation failed.";
        // as Kafka 4.2's AsyncKafkaConsumer logs it when closed during a reconciliation
        membership.error(format, new java.util.concurrent.CompletionException(
                new org.apache.kafka.common.errors.TimeoutException(
                        "ConsumerRebalanceListenerCallbackNeededEvent could not be completed before the consumer closed")));
        // the same through a parameterized call, the throwable as the last parameter
        membership.error("[Consumer instanceId={}, clientId=c, groupId=g] Reconciliation failed.", "i",
                new org.apache.kafka.common.errors.TimeoutException(
                        "ConsumerRebalanceListenerCallbackNeededEvent could not be completed before the consumer closed"));
        String other = "[Consumer instanceId=i, clientId=c, groupId=g] Reconciliation failed: {}";
        membership.error(other, "listener", new IllegalStateException("a listener failed"));

        assertThat(lines()).containsExactly("ERROR org.apache.kafka.clients.consumer.internals.ConsumerMembershipManager "
                + "[Consumer instanceId=i, clientId=c, groupId=g] Reconciliation failed: listener");
    }
}
