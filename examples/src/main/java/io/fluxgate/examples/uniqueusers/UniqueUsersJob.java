package io.fluxgate.examples.uniqueusers;

/** Runs the app: broker, topics, input loading, the pipeline, results. */
final class UniqueUsersJob implements AutoCloseable {

    private final AppConfig config;
    private final ConsoleReporter reporter;

    UniqueUsersJob(AppConfig config, ConsoleReporter reporter) {
        this.config = config;
        this.reporter = reporter;
    }

    AppSummary run() {
        throw new UnsupportedOperationException("wired up once the window operator and Kafka source land");
    }

    @Override
    public void close() {
    }
}
